"""mdBook: ``id_from_content`` heading ids with ``-1`` duplicates, ``.html`` links that name
``.md`` chapters (``README.md`` renders as ``index.html``), ``{{#include}}`` and footnotes
``#footnote-NAME``.

The slug follows mdBook's ``crates/mdbook-html/src/utils.rs`` (``id_from_content`` and
``unique_id``, MPL-2.0): trim, lower-case, keep alphanumerics, ``_`` and ``-``, whitespace
becomes ``-``, anything else is dropped, and an empty id is ``section``.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass

from docsgen_pipeline.validators.resolve import resolve_in

# `{{#include file.md}}`, `{{#include file.rs:anchor}}`, `{{#rustdoc_include …}}`, `{{#playground …}}`.
_INCLUDE = re.compile(r"\{\{#(?:include|rustdoc_include|playground)\s+([^}\s]+)[^}]*\}\}")


def id_from_content(content: str) -> str:
    out = []
    for ch in content.strip().lower():
        if ch.isalnum() or ch in "_-":
            out.append(ch)
        elif ch.isspace():
            out.append("-")
    return "".join(out) or "section"


def unique_id(id: str, used: set[str]) -> str:
    if id not in used:
        used.add(id)
        return id
    counter = 1
    while f"{id}-{counter}" in used:
        counter += 1
    used.add(f"{id}-{counter}")
    return f"{id}-{counter}"


@dataclass(frozen=True)
class MdBookFlavor:
    name: str = "mdbook"
    attr_lists: bool = True  # heading attributes `{#id .class}` (pulldown-cmark)
    last_wins_references: bool = False
    directory_links: bool = False
    case_insensitive_fragments: bool = False

    @property
    def key(self) -> str:
        return self.name

    def slug(self, text: str) -> str:
        return id_from_content(text)

    def heading_ids(self, headings: Sequence[tuple[str, str | None]], taken: set[str]) -> list[str]:
        # Only generated ids enter mdBook's counter; an explicit id is kept as written.
        used: set[str] = set()
        return [explicit if explicit else unique_id(self.slug(text), used) for text, explicit in headings]

    def built_pages(self, file: str) -> tuple[str, ...]:
        stem = file.rsplit(".", 1)[0]
        if posixpath.basename(stem) == "README":
            return (posixpath.join(posixpath.dirname(stem), "index.html"),)
        return (stem + ".html",)

    def footnote_ids(self, label: str) -> tuple[str, ...]:
        return (f"footnote-{label}", f"fr-{label}-1")

    def block_anchors(self, text: str, headings: Sequence[tuple[int, str]]) -> list[str]:
        return []

    def preprocess(self, text: str) -> str:
        return text

    def includes(self, text: str) -> list[str]:
        if "{{#" not in text:
            return []
        paths = [m.group(1).split(":", 1)[0] for m in _INCLUDE.finditer(text)]
        return [p for p in paths if p.endswith((".md", ".markdown"))]

    def include_candidates(self, file: str, path: str) -> tuple[str, ...]:
        return (posixpath.normpath(posixpath.join(posixpath.dirname(file), path)),)

    def link_targets(self, file: str, path: str, raw: bool) -> tuple[str, ...]:
        resolved = resolve_in(posixpath.dirname(file), path)
        if not resolved.endswith(".html"):
            return (resolved,)
        stem = resolved.removesuffix(".html")
        if posixpath.basename(stem) == "index":
            folder = posixpath.dirname(stem)
            return (resolved, stem + ".md", posixpath.join(folder, "README.md"))
        return (resolved, stem + ".md")
