"""A prose section as blocks: named list items, paragraphs, tables, definition lists, subsections.

Markdown is parsed once with markdown-it-py (CommonMark, tables, definition lists); names are
taken from the structure (a bold or code span leading an item), never guessed from raw text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.deflist import deflist_plugin

_LEAD_WORDS = {"the", "a", "an", "our", "each", "every", "one", "its", "their"}
_SEPARATOR_RE = re.compile(r"^\s*(?::|—|–|-|=)\s*")


def markdown() -> MarkdownIt:
    return MarkdownIt("commonmark").use(deflist_plugin).enable("table")


@dataclass
class Item:
    """One list item, definition or sentence that may name something."""

    text: str  # the whole item as plain text
    name: str = ""  # the bold/code span that leads it, or the text before a ': ' separator
    rest: str = ""  # what follows the name
    sub_items: list[str] = field(default_factory=list)
    ordered: bool = False


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]


@dataclass
class Section:
    heading: str
    line: int
    items: list[Item] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    named_sentences: list[Item] = field(default_factory=list)  # paragraph sentences led by a bold name
    tables: list[Table] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.items or self.paragraphs or self.tables or self.subsections)


def plain(tok: Token) -> str:
    """The plain text of an inline token (emphasis dropped, code spans kept as their content)."""
    parts: list[str] = []
    for child in tok.children or []:
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return " ".join("".join(parts).split())


def _split_sep(text: str) -> str:
    return _SEPARATOR_RE.sub("", text, count=1).strip()


def named(tok: Token) -> Item:
    """Read an inline token as an item: ``**Name**: rest``, ``The **Name** does …``, ``Name: rest``."""
    text = plain(tok)
    children = tok.children or []
    i = 0
    lead: list[str] = []
    while i < len(children) and children[i].type == "text":
        words = children[i].content.split()
        if words and all(w.lower() in _LEAD_WORDS for w in words):
            lead.extend(words)
            i += 1
            continue
        if not children[i].content.strip():
            i += 1
            continue
        break
    name = ""
    after = i
    if i < len(children) and children[i].type == "code_inline":
        name, after = children[i].content, i + 1
    elif i < len(children) and children[i].type in ("strong_open", "em_open"):
        close = children[i].type.replace("_open", "_close")
        j = i + 1
        inner: list[str] = []
        while j < len(children) and children[j].type != close:
            if children[j].type in ("text", "code_inline"):
                inner.append(children[j].content)
            j += 1
        name, after = "".join(inner).strip(), j + 1
    if name:
        rest_tok = Token("inline", "", 0, children=children[after:])
        return Item(text=text, name=name.strip(" :"), rest=_split_sep(plain(rest_tok)))
    match = re.match(r"^(?P<name>[^:—–]{1,60}?)\s*(?::|—|–| - )\s*(?P<rest>.+)$", text)
    if match and len(match.group("name").split()) <= 6:
        return Item(text=text, name=match.group("name").strip(), rest=match.group("rest").strip())
    return Item(text=text)


def sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z\"“`*])", text)
    return [p.strip() for p in parts if p.strip()]


def _close_of(tokens: list[Token], i: int) -> int:
    open_tok = tokens[i]
    close_type = open_tok.type.replace("_open", "_close")
    for j in range(i + 1, len(tokens)):
        if tokens[j].type == close_type and tokens[j].level == open_tok.level:
            return j
    return len(tokens) - 1


def _list_items(tokens: list[Token], ordered: bool) -> list[Item]:
    items: list[Item] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "list_item_open":
            close = _close_of(tokens, i)
            inner = tokens[i + 1 : close]
            first = next((t for t in inner if t.type == "inline"), None)
            if first is not None:
                item = named(first)
                item.ordered = ordered
                nested_at = next((k for k, t in enumerate(inner) if t.type.endswith("list_open")), None)
                if nested_at is not None:
                    nested = inner[nested_at]
                    ordered_nested = nested.type == "ordered_list_open"
                    item.sub_items = [s.text for s in _list_items(inner[nested_at + 1 :], ordered_nested)]
                items.append(item)
            i = close + 1
            continue
        i += 1
    return items


def _table(tokens: list[Token]) -> Table:
    headers: list[str] = []
    rows: list[list[str]] = []
    row: list[str] = []
    in_head = False
    for tok in tokens:
        if tok.type == "thead_open":
            in_head = True
        elif tok.type == "thead_close":
            in_head = False
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "inline":
            row.append(plain(tok))
        elif tok.type == "tr_close":
            if in_head:
                headers = row
            else:
                rows.append(row)
    return Table(headers=[h.lower().strip() for h in headers], rows=rows)


def _fill(section: Section, tokens: list[Token]) -> None:
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            close = _close_of(tokens, i)
            section.items.extend(_list_items(tokens[i + 1 : close], tok.type == "ordered_list_open"))
            i = close + 1
        elif tok.type == "table_open":
            close = _close_of(tokens, i)
            section.tables.append(_table(tokens[i : close + 1]))
            i = close + 1
        elif tok.type == "dl_open":
            close = _close_of(tokens, i)
            _definitions(section, tokens[i + 1 : close])
            i = close + 1
        elif tok.type == "paragraph_open":
            inline = tokens[i + 1]
            section.paragraphs.append(plain(inline))
            section.named_sentences.extend(_named_sentences(inline))
            i += 3
        else:
            i += 1


def _definitions(section: Section, tokens: list[Token]) -> None:
    term = ""
    for i, tok in enumerate(tokens):
        if tok.type == "dt_open":
            term = plain(tokens[i + 1])
        elif tok.type == "dd_open":
            body = next((t for t in tokens[i:] if t.type == "inline"), None)
            text = plain(body) if body is not None else ""
            section.items.append(Item(text=f"{term}: {text}", name=term, rest=text))


def _named_sentences(inline: Token) -> list[Item]:
    """Sentences of a paragraph that start with (or after an article) a bold or code name."""
    groups: list[list[Token]] = [[]]
    for child in inline.children or []:
        if child.type != "text":
            groups[-1].append(child)
            continue
        pieces = re.split(r"(?<=[.!?])\s+", child.content)
        for n, piece in enumerate(pieces):
            if n:
                groups.append([])
            if piece:
                groups[-1].append(Token("text", "", 0, content=piece))
    out: list[Item] = []
    for group in groups:
        item = named(Token("inline", "", 0, children=group))
        if item.name and item.rest and any(t.type in ("strong_open", "code_inline") for t in group):
            out.append(item)
    return out


def read_sections(body: str) -> tuple[str, str, list[Section]]:
    """The H1 title, the lead paragraph, and the H2 sections (with H3 subsections) of a body."""
    tokens = markdown().parse(body)
    title, lead = "", ""
    sections: list[Section] = []
    bounds: list[tuple[Section, int, int]] = []
    current: Section | None = None
    start = 0
    for i, tok in enumerate(tokens):
        if tok.type != "heading_open":
            continue
        text = plain(tokens[i + 1])
        line = (tok.map[0] + 1) if tok.map else 0
        if tok.tag == "h1" and not title:
            if current is not None:
                bounds.append((current, start, i))
            title, current = text, None
            start = i + 3
            continue
        if tok.tag in ("h1", "h2") or current is None:
            if current is not None:
                bounds.append((current, start, i))
            elif not lead:
                lead = _lead(tokens[start:i])
            current = Section(text, line)
            sections.append(current)
            start = i + 3
    if current is not None:
        bounds.append((current, start, len(tokens)))
    elif not lead:
        lead = _lead(tokens[start:])
    for section, begin, end in bounds:
        _fill_with_subsections(section, tokens[begin:end])
    return title, lead, sections


def _lead(tokens: list[Token]) -> str:
    for i, tok in enumerate(tokens):
        if tok.type == "paragraph_open" and tok.level == 0:
            return plain(tokens[i + 1])
    return ""


def _fill_with_subsections(section: Section, tokens: list[Token]) -> None:
    own_end = next((i for i, t in enumerate(tokens) if t.type == "heading_open"), len(tokens))
    _fill(section, tokens[:own_end])
    i = own_end
    while i < len(tokens):
        tok = tokens[i]
        nxt = next((j for j in range(i + 3, len(tokens)) if tokens[j].type == "heading_open"), len(tokens))
        sub = Section(plain(tokens[i + 1]), (tok.map[0] + 1) if tok.map else 0)
        _fill(sub, tokens[i + 3 : nxt])
        section.subsections.append(sub)
        i = nxt
