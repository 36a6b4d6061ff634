"""``model-reply``: the text reads as documentation, not as a failed model reply (pipeline only).

A weak or misbehaving model can return nothing for a section, an HTML page, or a refusal ("I'm
sorry, I cannot …").  In ``section`` generation the orchestrator writes every heading, so such a
reply would otherwise pass the structural rules; this rule flags it at its line so targeted repair
can rewrite just that section.  It runs in the pipeline's gate context only (``docsgen validate``
on a hand-written folder does not flag a short section).
"""

from __future__ import annotations

import re

from docsgen_pipeline.markdown.document import Document
from docsgen_pipeline.validators.findings import Finding, issue

RULE = "model-reply"
_HTML = re.compile(r"^\s*<(?:!doctype|html|head|body)\b", re.IGNORECASE)
_REFUSAL = re.compile(
    r"^\s*(?:I'?m sorry|I am sorry|I apologi[sz]e|I cannot|I can'?t|I can not|I'?m unable|I am unable|As an AI)\b",
    re.IGNORECASE,
)
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
# HTML that would be live in the rendered page or the UI preview (brief text must arrive escaped).
_ACTIVE_HTML = re.compile(
    r"<\s*/?\s*(?:script|iframe|object|embed|style|form|meta|base|link|svg)\b"
    r"|<[a-z][^>]*\son[a-z]+\s*="
    r"|\]\(\s*javascript:|href\s*=\s*[\"']?\s*javascript:",
    re.IGNORECASE,
)
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")


def _code_lines(lines: list[str]) -> set[int]:
    inside, opener, found = False, "", set()
    for number, line in enumerate(lines, start=1):
        match = _FENCE.match(line)
        if match and (not inside or line.strip().startswith(opener)):
            inside, opener = (not inside), match.group(1)
            found.add(number)
        elif inside:
            found.add(number)
    return found


def check_model_reply(file: str, text: str, doc: Document) -> list[Finding]:
    if doc.blank:
        return []
    lines = text.splitlines()
    code = _code_lines(lines)
    found: list[Finding] = []
    for number, line in enumerate(lines, start=1):
        if number not in code and _HTML.match(line):
            found.append(issue(file, number, RULE, f"the text is an HTML page, not Markdown: '{line.strip()[:60]}'",
                               "write Markdown prose for this section"))
            break
    for number, line in enumerate(lines, start=1):
        match = None if number in code else _ACTIVE_HTML.search(_CODE_SPAN.sub("", line))
        if match:
            found.append(issue(file, number, RULE, f"raw HTML '{match.group(0)[:40]}' would be live in the page",
                               "escape it (&lt; &gt;) or put it in a code span"))
    for prose in doc.prose:
        if not prose.heading and _REFUSAL.match(prose.text):
            shown = " ".join(prose.text.split())[:80]
            found.append(issue(file, prose.line, RULE, f"the text is a refusal or an apology: '{shown}'",
                               "write the section's content as documentation"))
    end = doc.thematic_breaks[-1] if doc.thematic_breaks else len(lines) + 1
    headings = [h for h in doc.headings if h.line < end]
    for index, heading in enumerate(headings):
        if heading.level < 2:
            continue
        following = headings[index + 1] if index + 1 < len(headings) else None
        if following is not None and following.level > heading.level:
            continue  # a parent section may open straight into its first subsection
        stop = following.line if following is not None else end
        body = [line for line in lines[heading.line : stop - 1] if line.strip()]
        if not body:
            found.append(issue(file, heading.line, RULE, f"section '{heading.text}' is empty",
                               "write the section's content (prose, a list or a table)"))
    return found
