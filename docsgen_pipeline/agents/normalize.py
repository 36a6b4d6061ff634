"""Clean up model output before any check sees it.

Models wrap Markdown in a code fence, chat before and after it ("Here is the file:", "Let me
know if…"), emit reasoning blocks (``<think>`` from local reasoning models) or stop mid-fence
when they hit ``max_tokens``.  None of that is the document; all of it would fail a gate for a
reason the reviewer cannot act on.
"""

from __future__ import annotations

import re

_THINK_RE = re.compile(r"<think>.*?</think>\s*", re.DOTALL | re.IGNORECASE)
_FENCE_RE = re.compile(r"^\s*(`{3,}|~{3,})\s*([\w+-]*)\s*$")
_H1_RE = re.compile(r"^#\s+\S")
# Sign-offs chat models append after the document.
_CHATTER_RE = re.compile(
    r"^\s*(?:i hope|hope this|let me know|feel free|if you (?:need|want|would)|would you like|"
    r"this (?:document|file|markdown) (?:covers|provides|follows)|note: this|happy to)",
    re.IGNORECASE,
)


def strip_wrapping_fence(text: str) -> str:
    """Unwrap ```markdown … ``` (also with chatter around it) when it encloses the document."""
    lines = text.strip().splitlines()
    for i, line in enumerate(lines):
        match = _FENCE_RE.match(line)
        if _H1_RE.match(line):
            return text  # the document starts before any fence: fences inside are content
        if match is None:
            continue
        opener, lang = match.group(1), match.group(2).lower()
        if lang not in ("", "markdown", "md", "gfm"):
            return text
        closers = [j for j in range(len(lines) - 1, i, -1) if lines[j].strip() == opener[0] * len(opener)]
        end = closers[0] if closers else len(lines)  # a truncated answer lost its closing fence
        return "\n".join(lines[i + 1 : end])
    return text


def _open_fence(lines: list[str]) -> str | None:
    fence: str | None = None
    for line in lines:
        match = _FENCE_RE.match(line)
        if match is None:
            continue
        marker = match.group(1)
        if fence is None:
            fence = marker
        elif marker[0] == fence[0] and len(marker) >= len(fence) and not match.group(2):
            fence = None
    return fence


def clean_markdown(text: str, fixes: list[str] | None = None, *, whole_document: bool = True) -> str:
    """Return the document only: H1 first, no wrapping fence, no chatter, one trailing newline.

    The name of each kind of fix applied is appended to ``fixes``.  ``whole_document=False`` (a
    section's body) keeps what comes before an H1: there, an H1 is a mistake, not the start."""
    fixes = [] if fixes is None else fixes
    text = text.replace("\r\n", "\n")
    unthought = _THINK_RE.sub("", text)
    if unthought != text:
        fixes.append("think block removed")
    unfenced = strip_wrapping_fence(unthought)
    if unfenced != unthought:
        fixes.append("wrapping fence removed")
    lines = [line.rstrip() for line in unfenced.strip().splitlines()]
    h1 = next((i for i, line in enumerate(lines) if _H1_RE.match(line)), None)
    if h1 and whole_document:
        fixes.append("chatter before the H1 removed")
        lines = lines[h1:]  # preamble chatter before the title
    chatter = False
    while lines and (not lines[-1].strip() or _CHATTER_RE.match(lines[-1]) or lines[-1].strip() in ("---", "***")):
        chatter = chatter or bool(_CHATTER_RE.match(lines[-1]))
        lines.pop()
    if chatter:
        fixes.append("chatter after the document removed")
    fence = _open_fence(lines)
    if fence is not None:
        fixes.append("open code block closed")
        lines.append(fence)  # truncated mid-code-block: close it so the rest of the page renders
    return "\n".join(lines).strip() + "\n" if lines else ""


def normalize_markdown(text: str) -> str:
    """:func:`clean_markdown` without the record of fixes."""
    return clean_markdown(text)
