"""Per-file rules: decided by one document alone (non-empty, single-h1-first, no-placeholders, nav-block)."""

from __future__ import annotations

import posixpath
import re

from docsgen_pipeline.markdown.document import Document
from docsgen_pipeline.validators.findings import Finding, issue
from docsgen_pipeline.validators.resolve import resolve_path

# Upper-case markers only: "todo" and "tbd" in running lower-case prose are ordinary words.
_PLACEHOLDER = re.compile(
    r"(?<![\w-])(?P<marker>TODO|TBD|FIXME)(?![\w-])"
    r"|(?P<lorem>\blorem\s+ipsum\b)"
    r"|(?P<insert>\[\s*insert\b[^\]\n]*\])"
    r"|(?P<template>\{\{.*?\}\}|\{%.*?%\})",
    re.IGNORECASE | re.DOTALL,
)


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
        text = prose.text
        if not any(c in text for c in "TtFf{[lL"):
            continue
        for m in _PLACEHOLDER.finditer(text):
            if m.group("marker") and m.group("marker") != m.group("marker").upper():
                continue
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
