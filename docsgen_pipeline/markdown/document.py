"""A small, parsed-once view of a Markdown document: what the validator rules look at.

One markdown-it-py parse (CommonMark + YAML front matter) produces a :class:`Document`
holding headings, anchors, links and prose with 1-based source lines.  Code spans, fenced and
indented code never reach ``prose`` or ``links``, so no rule has to re-discover what is code.

The model is made of frozen slotted dataclasses rather than pydantic models on purpose: documents
are built for every file of a corpus, pickled between worker processes and stored in the result
cache, and validation on construction would only cost time for data we produced ourselves.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import unquote

from docsgen_pipeline.markdown.slugs import SlugCounter, github_slug

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

MARKDOWN_SUFFIXES = (".md", ".markdown")

# `{#id}`, `{ #id .cls }`, `{: #id }`: attribute lists as MkDocs (attr_list) and Pandoc write them.
ATTR_ANCHOR = re.compile(r"\{:?[ \t]*#([^\s{}#]+)[^{}\n]*\}")
_HEADING_ATTRS = re.compile(r"[ \t]*\{:?[ \t]*[#.][^{}\n]*\}[ \t]*$")
_HTML_ID = re.compile(r"""\b(?:id|name)[ \t]*=[ \t]*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_BARE_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://\S+|\bwww\.\S+")
_SUPPRESS = re.compile(r"<!--\s*docsgen-disable-(next-line|line|file)\b([^>]*?)-->")


# Heading and Link are NamedTuples, not frozen dataclasses: a corpus has tens of thousands of
# links, rebuilt from the result cache on every run, and a frozen dataclass's __init__ is several
# times slower to construct.
class Heading(NamedTuple):
    level: int
    text: str  # plain text, explicit `{#id}` attribute list removed
    line: int
    slug: str  # GitHub slug with -1/-2 duplicate suffixes
    explicit_id: str | None = None


class Link(NamedTuple):
    line: int
    href: str  # as written (after markdown-it's reference resolution)
    path: str  # percent-decoded path part; "" for a same-document `#fragment`
    fragment: str | None  # percent-decoded; None when the link has no `#`
    external: bool  # has a scheme (http:, mailto:, ...) or starts with `//`
    image: bool = False


@dataclass(frozen=True, slots=True)
class Prose:
    """Text of one inline block (paragraph, heading, table cell …) with code removed.

    Code spans, bare URLs and attribute lists are blanked to spaces so word boundaries and
    offsets stay meaningful; soft and hard breaks become ``\\n`` so a match's line is countable.
    """

    line: int
    text: str
    heading: bool = False

    def line_of(self, offset: int) -> int:
        return self.line + self.text.count("\n", 0, offset)


@dataclass(frozen=True, slots=True)
class Document:
    blank: bool
    headings: tuple[Heading, ...]
    anchors: frozenset[str]  # every id a `#fragment` may name: slugs, explicit and HTML ids
    links: tuple[Link, ...]
    prose: tuple[Prose, ...]
    first_block: tuple[str, int] | None  # ("h1" | "h2" | "paragraph" | …, line) of the first content
    thematic_breaks: tuple[int, ...]  # lines of `---` / `***` / `___` breaks (not front matter)
    suppressed: tuple[tuple[int, frozenset[str]], ...]  # (line, rules); line 0 = whole file; empty = all

    def is_suppressed(self, line: int, rule: str) -> bool:
        return any((where == line or where == 0) and (not rules or rule in rules) for where, rules in self.suppressed)

    @property
    def h1s(self) -> list[Heading]:
        return [h for h in self.headings if h.level == 1]


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """The one configured parser, built on first use: a run whose files all come from the
    result cache never imports markdown-it at all."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.front_matter import front_matter_plugin

    # No GFM table rule: a table then parses as a paragraph whose inline content holds the same
    # links, code spans and anchors on the same lines (one row per soft break), so every rule sees
    # exactly what it would with tables on, and the parse is ~15% cheaper.  No rule needs cells.
    md = MarkdownIt("commonmark").use(front_matter_plugin)
    # Keep destinations as written: split_href percent-decodes them itself, and re-encoding every
    # URL (markdown-it's default, for HTML output) is a tenth of the parse time.  Every scheme is
    # accepted so that javascript:/data: links stay links, classified external, not text.
    md.normalizeLink = _as_written  # type: ignore[method-assign]
    md.validateLink = _any_link  # type: ignore[method-assign]
    return md


def _as_written(url: str) -> str:
    return url


def _any_link(url: str) -> bool:
    return True


def split_href(href: str) -> tuple[str, str | None, bool]:
    """``"a%20b.md?x#Frag"`` -> ``("a b.md", "Frag", False)``; external when it has a scheme or ``//``."""
    external = href.startswith("//") or bool(_SCHEME.match(href))
    path, sep, fragment = href.partition("#")
    path = path.split("?", 1)[0]
    return unquote(path), (unquote(fragment) if sep else None), external


def _html_ids(html: str) -> Iterator[str]:
    for m in _HTML_ID.finditer(html):
        yield m.group(1) or m.group(2) or m.group(3) or ""


class _Builder:
    def __init__(self) -> None:
        self.headings: list[Heading] = []
        self.anchors: set[str] = set()
        self.links: list[Link] = []
        self.prose: list[Prose] = []
        self.slugs = SlugCounter()

    def inline(self, token: Token, heading_level: int | None) -> None:
        line = token.map[0] + 1 if token.map else 1
        parts: list[str] = []  # prose: code blanked
        plain: list[str] = []  # heading text as GitHub slugs it: code text kept
        current = line
        for child in token.children or ():
            kind = child.type
            if kind == "text":
                parts.append(child.content)
                plain.append(child.content)
            elif kind in ("softbreak", "hardbreak"):
                parts.append("\n")
                plain.append(" ")
                current += 1
            elif kind == "code_inline":
                parts.append(" " * len(child.content))
                plain.append(child.content)
            elif kind == "link_open" or kind == "image":
                href = str(child.attrs.get("href" if kind == "link_open" else "src", ""))
                path, fragment, external = split_href(href)
                self.links.append(Link(current, href, path, fragment, external, kind == "image"))
            elif kind == "html_inline":
                self.anchors.update(_html_ids(child.content))
                parts.append(" ")
                current += child.content.count("\n")
        text = "".join(parts)
        for m in ATTR_ANCHOR.finditer(text):
            self.anchors.add(m.group(1))
        if heading_level is not None:
            title = "".join(plain)
            attrs = _HEADING_ATTRS.search(title)
            explicit = ATTR_ANCHOR.search(attrs.group(0)) if attrs else None
            if attrs:
                title = title[: attrs.start()]
            title = title.strip()
            # An explicit id replaces the generated one (MkDocs attr_list), so it takes no
            # duplicate number; the plain slug stays valid too, as GitHub ignores attribute lists.
            slug = github_slug(title) if explicit else self.slugs.add(title)
            self.anchors.add(slug)
            self.headings.append(Heading(heading_level, title, line, slug, explicit.group(1) if explicit else None))
        if "{" in text:
            text = ATTR_ANCHOR.sub(lambda m: " " * len(m.group(0)), text)
        if "//" in text or "www." in text:
            text = _BARE_URL.sub(lambda m: " " * len(m.group(0)), text)
        self.prose.append(Prose(line, text, heading_level is not None))


def _suppressions(text: str, code_lines: set[int]) -> tuple[tuple[int, frozenset[str]], ...]:
    if "docsgen-disable" not in text:
        return ()
    found: list[tuple[int, frozenset[str]]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if "docsgen-disable" not in raw or number in code_lines:
            continue
        for m in _SUPPRESS.finditer(raw):
            rules = frozenset(m.group(2).replace(",", " ").split())
            where = {"line": number, "next-line": number + 1, "file": 0}[m.group(1)]
            found.append((where, rules))
    return tuple(found)


def _is_content(token: Token) -> bool:
    # Front matter and HTML comments may precede the title; closing tokens and inline
    # children are never the start of a block.
    if token.nesting == -1 or token.type in ("front_matter", "inline"):
        return False
    return not (token.type == "html_block" and token.content.lstrip().startswith("<!--"))


def parse_document(text: str) -> Document:
    """Parse Markdown once into the model the rules use."""
    if not text.strip():
        return Document(True, (), frozenset(), (), (), None, (), ())
    tokens = parser().parse(text)
    b = _Builder()
    first_block: tuple[str, int] | None = None
    breaks: list[int] = []
    code_lines: set[int] = set()
    heading_level: int | None = None
    for token in tokens:
        kind = token.type
        line = token.map[0] + 1 if token.map else 0
        if first_block is None and _is_content(token):
            first_block = (token.tag if kind == "heading_open" else kind.removesuffix("_open"), line)
        if kind == "heading_open":
            heading_level = int(token.tag[1])
        elif kind == "heading_close":
            heading_level = None
        elif kind == "inline":
            b.inline(token, heading_level)
        elif kind == "hr":
            breaks.append(line)
        elif kind == "html_block":
            b.anchors.update(_html_ids(token.content))
        elif (kind == "fence" or kind == "code_block") and token.map:
            code_lines.update(range(token.map[0] + 1, token.map[1] + 1))
    return Document(
        blank=False,
        headings=tuple(b.headings),
        anchors=frozenset(b.anchors),
        links=tuple(b.links),
        prose=tuple(b.prose),
        first_block=first_block,
        thematic_breaks=tuple(breaks),
        suppressed=_suppressions(text, code_lines),
    )


@lru_cache(maxsize=4096)
def parse_cached(text: str) -> Document:
    """:func:`parse_document` memoised on the text, so the file checks and the gate share one parse."""
    return parse_document(text)
