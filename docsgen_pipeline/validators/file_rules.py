"""Per-file rules: decided by one document alone (non-empty, single-h1-first, no-placeholders, nav-block)."""

from __future__ import annotations

import posixpath
import re

from docsgen_pipeline.markdown.document import Document
from docsgen_pipeline.validators.findings import Finding, issue
from docsgen_pipeline.validators.resolve import resolve_path

# Upper-case markers only: "todo" and "tbd" in running lower-case prose are ordinary words.
_MARKER = re.compile(r"(?<![\w-])(?:TODO|TBD|FIXME)(?![\w-])")
_LOREM = re.compile(r"\blorem\s+ipsum\b", re.IGNORECASE)
_INSERT = re.compile(r"\[\s*insert\b[^\]\n]*\]", re.IGNORECASE)
_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)


def _placeholder_patterns(text: str) -> list[re.Pattern[str]]:
    """Only the patterns whose cheap substring test passes: most prose has none of them."""
    found = []
    if "TODO" in text or "TBD" in text or "FIXME" in text:
        found.append(_MARKER)
    if "{{" in text or "{%" in text:
        found.append(_TEMPLATE)
    if "[" in text or "orem" in text or "OREM" in text:
        lowered = text.lower()
        if "lorem" in lowered:
            found.append(_LOREM)
        if "insert" in lowered:
            found.append(_INSERT)
    return found


def check_non_empty(file: str, doc: Document) -> list[Finding]:
    if doc.blank:
        return [issue(file, 0, "non-empty", "file is empty", "write the file's content, starting with its H1 title")]
    return []


def check_single_h1_first(file: str, doc: Document) -> list[Finding]:
    found: list[Finding] = []
    if doc.first_block is not None and doc.first_block[0] != "h1":
        kind, line = doc.first_block
        what = f"an H{kind[1]} heading" if re.fullmatch(r"h\d", kind) else f"a {kind.replace('_', ' ')}"
        found.append(
            issue(
                file,
                line,
                "single-h1-first",
                f"first content is {what}, not an H1 title",
                "start the file (after any front matter) with a single '# Title' line",
            )
        )
    if doc.first_block is None:
        found.append(issue(file, 1, "single-h1-first", "the file has no H1 title", "add a '# Title' line first"))
    for extra in doc.h1s[1:]:
        found.append(
            issue(
                file,
                extra.line,
                "single-h1-first",
                f"second H1 '{extra.text}' (the title is '{doc.h1s[0].text}')",
                "make it an H2 ('## …'); a document has exactly one H1",
            )
        )
    return found


def check_placeholders(file: str, doc: Document) -> list[Finding]:
    found: list[Finding] = []
    for prose in doc.prose:
        hits = [m for pattern in _placeholder_patterns(prose.text) for m in pattern.finditer(prose.text)]
        for m in sorted(hits, key=lambda m: m.start()):
            shown = " ".join(m.group(0).split())
            found.append(
                issue(
                    file,
                    prose.line_of(m.start()),
                    "no-placeholders",
                    f"placeholder '{shown}' left in the text",
                    "replace it with the real content",
                )
            )
    return found


def check_nav_block(file: str, doc: Document, nav_targets: tuple[str, ...]) -> list[Finding]:
    if not nav_targets:
        return []
    here = posixpath.normpath(file)
    wanted = [t for t in nav_targets if posixpath.normpath(t) != here]  # a page need not link itself
    if not doc.thematic_breaks:
        return (
            [
                issue(
                    file,
                    0,
                    "nav-block",
                    "no nav block: the file has no '---' thematic break followed by navigation links",
                    f"end the file with '---' and links to: {', '.join(wanted)}",
                )
            ]
            if wanted
            else []
        )
    last = doc.thematic_breaks[-1]
    linked = {
        resolve_path(file, link.path) for link in doc.links if link.line > last and not link.external and link.path
    }
    missing = [t for t in wanted if posixpath.normpath(t) not in linked]
    if not missing:
        return []
    return [
        issue(
            file,
            last,
            "nav-block",
            f"nav block after line {last} does not link {', '.join(missing)}",
            f"add links to {', '.join(missing)} after the last '---'",
        )
    ]


def check_nav_pattern(file: str, text: str, doc: Document, pattern: str) -> list[Finding]:
    """The configurable form of nav-block: the text after the last ``---`` must match ``pattern``."""
    if doc.blank:
        return []
    if not doc.thematic_breaks:
        return [
            issue(
                file,
                0,
                "nav-block",
                "no nav block: the file has no '---' thematic break followed by navigation",
                f"end the file with '---' and a block matching /{pattern}/",
            )
        ]
    last = doc.thematic_breaks[-1]
    tail = "".join(text.splitlines(keepends=True)[last:])
    if re.search(pattern, tail, re.MULTILINE):
        return []
    return [
        issue(
            file,
            last,
            "nav-block",
            f"the nav block after line {last} does not match the configured pattern /{pattern}/",
            "write the navigation links the project's nav pattern expects after the last '---'",
        )
    ]
