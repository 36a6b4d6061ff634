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

from docsgen_pipeline.markdown.flavors import FLAVORS, Flavor

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

MARKDOWN_SUFFIXES = (".md", ".markdown")

# Attribute lists as MkDocs (attr_list), mdBook and Pandoc write them: `{#id}`, `{ #id .cls }`,
# `{: #id }`, `{ id="x" }`, `{ id=x data-toc-label="…" }`.  ATTR_LIST finds one, ATTR_ID its id.
ATTR_LIST = re.compile(r"\{:?[ \t]*(?:[#.][^{}\n]*|[\w-]+[ \t]*=[^{}\n]*)\}")
ATTR_ID = re.compile(r"""(?:^|[ \t{:])(?:#([^\s{}#]+)|id[ \t]*=[ \t]*(?:"([^"]*)"|'([^']*)'|([^\s"'{}]+)))""")
_HEADING_ATTRS = re.compile(r"[ \t]*\{:?[ \t]*(?:[#.][^{}\n]*|[\w-]+[ \t]*=[^{}\n]*)\}[ \t]*$")
# href/src of raw HTML elements (comments are removed before searching).
_HTML_LINK = re.compile(
    r"""<(a|img|source|area|iframe|video|audio)\b[^>]*?[ \t\n](href|src)[ \t]*=[ \t]*"""
    r"""(?:"([^"]*)"|'([^']*)'|([^\s"'<>`]+))""",
    re.IGNORECASE,
)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
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
    slug: str  # the flavour's id for this heading, duplicate suffixes included
    explicit_id: str | None = None


class Link(NamedTuple):
    line: int
    href: str  # as written (after markdown-it's reference resolution)
    path: str  # percent-decoded path part; "" for a same-document `#fragment`
    fragment: str | None  # percent-decoded; None when the link has no `#`
    external: bool  # has a scheme (http:, mailto:, ...) or starts with `//`
    image: bool = False
    column: int = 0  # 1-based column of the target in the source line; 0 when not on the line (references)
    raw: bool = False  # written in raw HTML (`<a href>`, `<img src>`): renderers pass it through untouched


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
    includes: tuple[str, ...] = ()  # files the renderer includes into this page (snippets, {{#include}})

    def is_suppressed(self, line: int, rule: str) -> bool:
        return any((where == line or where == 0) and (not rules or rule in rules) for where, rules in self.suppressed)

    @property
    def h1s(self) -> list[Heading]:
        return [h for h in self.headings if h.level == 1]


def attr_id(attrs: str) -> str | None:
    """The id an attribute list sets (``#x`` or ``id=…``), None when it sets none."""
    m = ATTR_ID.search(attrs)
    if m is None:
        return None
    return next(g for g in m.groups() if g is not None)


@lru_cache(maxsize=2)
def parser(last_wins_references: bool = False) -> MarkdownIt:
    """The configured parser, built on first use: a run whose files all come from the
    result cache never imports markdown-it at all."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.front_matter import front_matter_plugin

    # No GFM table rule: a table then parses as a paragraph whose inline content holds the same
    # links, code spans and anchors on the same lines (one row per soft break), so every rule sees
    # exactly what it would with tables on, and the parse is ~15% cheaper.  No rule needs cells.
    # Footnotes: every flavour renders them, and without the plugin a definition `[^1]: text`
    # would be read as a link reference definition.
    md = MarkdownIt("commonmark").use(front_matter_plugin).use(footnote_plugin, inline=False, move_to_end=False)
    if last_wins_references:
        _last_reference_wins(md)
    # Keep destinations as written: split_href percent-decodes them itself, and re-encoding every
    # URL (markdown-it's default, for HTML output) is a tenth of the parse time.  Every scheme is
    # accepted so that javascript:/data: links stay links, classified external, not text.
    md.normalizeLink = _as_written  # type: ignore[method-assign]
    md.validateLink = _any_link  # type: ignore[method-assign]
    return md


def _last_reference_wins(md: MarkdownIt) -> None:
    """Python-Markdown keeps the last of duplicate reference definitions; CommonMark the first."""
    from markdown_it.rules_block.reference import reference
    from markdown_it.rules_block.state_block import StateBlock

    def last_wins(state: StateBlock, start: int, end: int, silent: bool) -> bool:
        refs = state.env.get("references")
        before = dict(refs) if refs else None
        if refs:
            refs.clear()
        ok = reference(state, start, end, silent)
        if before is not None:
            after = state.env["references"]
            merged = {**before, **after}
            after.clear()
            after.update(merged)
        return ok

    md.block.ruler.at("reference", last_wins, {"alt": []})


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


def _column(source: str, href: str) -> int:
    """1-based column of ``href`` on ``source`` (its first occurrence as a destination); 0 when the
    line does not hold it (a reference link's target is on its definition's line)."""
    if not href:
        at = source.find("()")
        return at + 2 if at >= 0 else 0
    for probe in (f"({href}", f"<{href}>", f'"{href}"', f"'{href}'", f"={href}", href):
        at = source.find(probe)
        if at >= 0:
            return at + 1 + probe.index(href)
    return 0


class _Builder:
    def __init__(self, flavor: Flavor, lines: list[str]) -> None:
        self.flavor = flavor
        self.lines = lines
        self.heading_rows: list[tuple[int, str, int, str | None]] = []  # level, text, line, explicit id
        self.anchors: set[str] = set()
        self.links: list[Link] = []
        self.prose: list[Prose] = []

    def link(self, line: int, href: str, image: bool, raw: bool = False) -> None:
        path, fragment, external = split_href(href)
        source = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        self.links.append(Link(line, href, path, fragment, external, image, _column(source, href), raw))

    def html(self, content: str, line: int) -> None:
        """Ids, anchors and link targets of raw HTML starting on ``line``."""
        if "<!--" in content:
            content = _HTML_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), content)
        self.anchors.update(_html_ids(content))
        if "=" not in content:
            return
        for m in _HTML_LINK.finditer(content):
            href = m.group(3) if m.group(3) is not None else m.group(4) if m.group(4) is not None else m.group(5)
            if href is None or (not href and m.group(2).lower() == "href"):
                continue  # `<a href="">` is a deliberate no-op link in HTML
            where = line + content.count("\n", 0, m.start())
            self.link(where, href, m.group(1).lower() != "a", raw=True)

    def inline(self, token: Token, heading_level: int | None) -> None:
        line = token.map[0] + 1 if token.map else 1
        parts: list[str] = []  # prose: code blanked
        plain: list[str] = []  # heading text as renderers slug it: code text kept
        current = line
        children = token.children or []
        for at, child in enumerate(children):
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
            elif kind == "link_open":
                href = str(child.attrs.get("href", ""))
                if href or not self._is_anchor(children, at):
                    self.link(current, href, False)
            elif kind == "image":
                self.link(current, str(child.attrs.get("src", "")), True)
                plain.append(child.content)
            elif kind == "html_inline":
                self.html(child.content, current)
                parts.append(" ")
                current += child.content.count("\n")
        text = "".join(parts)
        attr_lists = self.flavor.attr_lists and "{" in text
        if attr_lists:
            for m in ATTR_LIST.finditer(text):
                found = attr_id(m.group(0))
                if found:
                    self.anchors.add(found)
        if heading_level is not None:
            title = "".join(plain)
            attrs = _HEADING_ATTRS.search(title) if attr_lists else None
            explicit = attr_id(attrs.group(0)) if attrs else None
            if attrs:
                title = title[: attrs.start()]
            self.heading_rows.append((heading_level, title.strip(), line, explicit))
        if attr_lists:
            text = ATTR_LIST.sub(lambda m: " " * len(m.group(0)), text)
        if "//" in text or "www." in text:
            text = _BARE_URL.sub(lambda m: " " * len(m.group(0)), text)
        self.prose.append(Prose(line, text, heading_level is not None))

    def _is_anchor(self, children: list[Token], at: int) -> bool:
        """``[](){#id}``: an empty link carrying an attribute list is an anchor (mkdocs-autorefs)."""
        if not self.flavor.attr_lists or at + 2 >= len(children) or children[at + 1].type != "link_close":
            return False
        after = children[at + 2]
        return after.type == "text" and after.content.startswith("{")

    def headings(self) -> list[Heading]:
        ids = self.flavor.heading_ids([(text, explicit) for _, text, _, explicit in self.heading_rows], self.anchors)
        out = []
        for (level, text, line, explicit), slug in zip(self.heading_rows, ids, strict=True):
            self.anchors.add(slug)
            out.append(Heading(level, text, line, slug, explicit))
        return out


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


def parse_document(text: str, flavor: Flavor | None = None) -> Document:
    """Parse Markdown once into the model the rules use, as ``flavor`` (default GitHub) renders it."""
    if not text.strip():
        return Document(True, (), frozenset(), (), (), None, (), ())
    flavor = flavor if flavor is not None else FLAVORS["github"]
    source = flavor.preprocess(text)
    env: dict[str, object] = {}
    tokens = parser(flavor.last_wins_references).parse(source, env)
    b = _Builder(flavor, text.split("\n"))
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
            b.html(token.content, line)
        elif (kind == "fence" or kind == "code_block") and token.map:
            code_lines.update(range(token.map[0] + 1, token.map[1] + 1))
    footnotes = env.get("footnotes")
    if isinstance(footnotes, dict):
        for label in footnotes.get("refs", {}):
            b.anchors.update(flavor.footnote_ids(str(label).removeprefix(":")))
    headings = b.headings()
    b.anchors.update(flavor.block_anchors(text, [(h.line, h.slug) for h in headings]))
    return Document(
        blank=False,
        headings=tuple(headings),
        anchors=frozenset(b.anchors),
        links=tuple(b.links),
        prose=tuple(b.prose),
        first_block=first_block,
        thematic_breaks=tuple(breaks),
        suppressed=_suppressions(text, code_lines),
        includes=tuple(flavor.includes(text)),
    )


@lru_cache(maxsize=4096)
def parse_cached(text: str, flavor: Flavor | None = None) -> Document:
    """:func:`parse_document` memoised on the text, so the file checks and the gate share one parse."""
    return parse_document(text, flavor)
