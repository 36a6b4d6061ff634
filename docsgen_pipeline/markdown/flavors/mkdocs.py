"""MkDocs with Python-Markdown: the ``toc`` extension's slugify and ``_1`` duplicate suffixes,
``attr_list`` ids, footnotes ``#fn:LABEL``, admonition / details / tabs bodies as Markdown,
``pymdownx.snippets`` includes, and the last of duplicate reference definitions winning.

``slugify`` and ``unique`` follow Python-Markdown's ``markdown/extensions/toc.py`` (BSD) line by
line; the toc treeprocessor seeds its set of used ids with every id already on the page, so an
explicit ``{#x}`` anywhere pushes a heading slugged ``x`` to ``x_1``.
"""

from __future__ import annotations

import html
import posixpath
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from docsgen_pipeline.validators.resolve import resolve_in

_INDEX_PAGES = ("index.md", "README.md", "readme.md")
_IDCOUNT = re.compile(r"^(.*)_([0-9]+)$")
# `!!! note "Title"` (admonition), `??? note` / `???+ note` (pymdownx.details),
# `=== "Tab"` / `===+ "Tab"` / `===! "Tab"` (pymdownx.tabbed).
_BLOCK_START = re.compile(r"^[ \t]*(?:(?:!!!|\?\?\?\+?)[ \t]*[\w-]|===[+!]{0,2}[ \t]+[\"'])")
_TAB = re.compile(r"""^([ \t]*)===[+!]{0,2}[ \t]+(["'])(.*)\2""")
_TAG = re.compile(r"</?[^>]*>")
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
# `--8<-- "file.md"` (optionally `file.md:3:9` or `file.md:section`), and the block form whose
# lines between two bare `--8<--` markers each name a file.
_SNIPPET_LINE = re.compile(r"""^[ \t]*-{1,}8<-{1,}[ \t]+(["'])([^"'\n]+)\1""", re.MULTILINE)
_SNIPPET_FENCE = re.compile(r"^[ \t]*-{1,}8<-{1,}[ \t]*$")


def slugify(value: str, separator: str, unicode: bool = False) -> str:
    """Python-Markdown's ``toc.slugify`` (and ``slugify_unicode`` with ``unicode=True``)."""
    if not unicode:
        value = unicodedata.normalize("NFKD", value)
        value = value.encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value).strip().lower()
    return re.sub(rf"[{separator}\s]+", separator, value)


def unique(id: str, ids: set[str]) -> str:
    """Python-Markdown's ``toc.unique``: append ``_1``, ``_2`` … (or bump an existing ``_N``)."""
    while id in ids or not id:
        m = _IDCOUNT.match(id)
        id = f"{m.group(1)}_{int(m.group(2)) + 1}" if m else f"{id}_1"
    ids.add(id)
    return id


def _indent(line: str) -> int:
    if "\t" in line:
        line = line.expandtabs(4)
    return len(line) - len(line.lstrip(" \t"))


def unindent_blocks(text: str) -> str:
    """Admonition, details and tab bodies (indented four columns under their marker line) moved
    left so CommonMark reads them as Markdown, not as indented code; marker lines become blank.
    Lines stay where they are."""
    lines = text.split("\n")
    out: list[str] = []
    open_bodies: list[int] = []  # column each open block's body starts at
    fence: str | None = None
    for line in lines:
        blank = not line.strip()
        indent = 0 if blank else _indent(line)
        if not blank and fence is None:
            while open_bodies and indent < open_bodies[-1]:
                open_bodies.pop()
        if "\t" in line[:indent]:
            line = line.expandtabs(4)
        shift = 4 * len(open_bodies)
        current = "" if blank else line[min(shift, indent) :]
        if fence is not None:
            m = _FENCE.match(current)
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not current.strip(" \t`~"):
                fence = None
            out.append(current)
            continue
        m = _FENCE.match(current)
        if m:
            fence = m.group(1)
            out.append(current)
            continue
        if _BLOCK_START.match(line):
            open_bodies.append(indent + 4)
            out.append("")
            continue
        out.append(current)
    return "\n".join(out)


def tab_slug(title: str, separator: str, case: str) -> str:
    """``pymdownx.slugs.slugify(case=…)`` as pymdownx.tabbed applies it to a tab title."""
    slug = _TAG.sub("", unicodedata.normalize("NFC", title)).strip()
    if case == "lower":
        slug = slug.lower()
    elif case == "lower-ascii":
        slug = re.sub(r"[A-Z]", lambda m: m.group(0).lower(), slug)
    return re.sub(r"[^\w\- ]", "", slug).replace(" ", separator)


def tab_titles(text: str) -> list[tuple[int, int, str]]:
    """``(line, tab set, title)`` of every content tab outside code fences, sets numbered from 1."""
    found: list[tuple[int, int, str]] = []
    fence: str | None = None
    tab_set = 0
    open_indent: int | None = None  # indent of the current set's markers
    for number, line in enumerate(text.split("\n"), start=1):
        m = _FENCE.match(line)
        if fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            fence = m.group(1)
        tab = _TAB.match(line)
        if tab:
            indent = len(tab.group(1).expandtabs(4))
            if open_indent != indent or line.lstrip().startswith("===!"):
                tab_set += 1
            open_indent = indent
            found.append((number, tab_set, html.unescape(tab.group(3))))
        elif line.strip() and open_indent is not None and _indent(line) <= open_indent:
            open_indent = None
    return found


def snippet_paths(text: str) -> list[str]:
    if "8<" not in text:
        return []
    found = [m.group(2) for m in _SNIPPET_LINE.finditer(text)]
    inside = False
    for line in text.split("\n"):
        if _SNIPPET_FENCE.match(line):
            inside = not inside
        elif inside and line.strip() and not line.lstrip().startswith(";"):
            found.append(line.strip())
    # `file.md:3:9` line ranges and `file.md:section` names select part of the file.
    paths = [re.sub(r"(:[\w-]*)+$", "", p) for p in found if "://" not in p]
    return [p for p in paths if p]


@dataclass(frozen=True)
class MkDocsFlavor:
    name: str = "mkdocs"
    separator: str = "-"  # toc's `separator`
    unicode: bool = False  # toc's `slugify: !!python/name:markdown.extensions.toc.slugify_unicode`
    snippet_base: tuple[str, ...] = (".",)  # pymdownx.snippets base_path, relative to the validated root
    directory_urls: bool = True  # mkdocs.yml `use_directory_urls`
    tab_slug_case: str | None = None  # pymdownx.tabbed `slugify` (its `case`); None: `__tabbed_S_N` ids
    combine_header_slug: bool = False  # pymdownx.tabbed `combine_header_slug`
    attr_lists: bool = True
    last_wins_references: bool = True
    directory_links: bool = False
    case_insensitive_fragments: bool = False

    @property
    def key(self) -> str:
        tabs = f"{self.tab_slug_case}:{self.combine_header_slug}"
        return f"{self.name}:{self.separator}:{self.unicode}:{self.directory_urls}:{tabs}:{','.join(self.snippet_base)}"

    def slug(self, text: str) -> str:
        return slugify(text, self.separator, self.unicode)

    def heading_ids(self, headings: Sequence[tuple[str, str | None]], taken: set[str]) -> list[str]:
        used = set(taken)
        return [explicit if explicit else unique(self.slug(text), used) for text, explicit in headings]

    def built_pages(self, file: str) -> tuple[str, ...]:
        stem = file.rsplit(".", 1)[0]
        if posixpath.basename(file) in _INDEX_PAGES:
            return (posixpath.join(posixpath.dirname(file), "index.html"),)
        return (posixpath.join(stem, "index.html"),) if self.directory_urls else (stem + ".html",)

    def footnote_ids(self, label: str) -> tuple[str, ...]:
        return (f"fn:{label}", f"fnref:{label}")

    def block_anchors(self, text: str, headings: Sequence[tuple[int, str]]) -> list[str]:
        if "===" not in text:
            return []
        ids: list[str] = []
        counts: dict[int, int] = {}
        used: set[str] = set()
        for line, tab_set, title in tab_titles(text):
            counts[tab_set] = counts.get(tab_set, 0) + 1
            if self.tab_slug_case is None:
                ids.append(f"__tabbed_{tab_set}_{counts[tab_set]}")
                continue
            slug = tab_slug(title, self.separator, self.tab_slug_case)
            if self.combine_header_slug:
                parent = next((hid for hline, hid in reversed(headings) if hline < line), "")
                slug = f"{parent}{self.separator}{slug}" if parent else slug
            ids.append(unique(slug, used))
        return ids

    def preprocess(self, text: str) -> str:
        if "!!!" in text or "???" in text or "===" in text:
            return unindent_blocks(text)
        return text

    def includes(self, text: str) -> list[str]:
        return snippet_paths(text)

    def include_candidates(self, file: str, path: str) -> tuple[str, ...]:
        bases = (*self.snippet_base, posixpath.dirname(file), "")
        return tuple(dict.fromkeys(posixpath.normpath(posixpath.join(b, path)) for b in bases))

    def link_targets(self, file: str, path: str, raw: bool) -> tuple[str, ...]:
        # MkDocs rewrites Markdown links to files of the docs dir, relative to the source file.
        # Anything else (raw HTML, `folder/` URLs) reaches the browser as written, relative to the
        # page's URL: `a/b.md` is served as `a/b/` with use_directory_urls (the default).
        source = resolve_in(posixpath.dirname(file), path)
        name = posixpath.basename(file)
        served_as_folder = self.directory_urls and name not in _INDEX_PAGES
        page = file.rsplit(".", 1)[0] if served_as_folder else posixpath.dirname(file)
        url = resolve_in(page, path)
        by_url = (url, url + ".md") if url != "." else (url,)
        return by_url if raw else (source, *by_url)
