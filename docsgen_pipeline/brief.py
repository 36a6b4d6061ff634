"""The project brief: what the documentation set is about.

A brief is either structured YAML (validated field by field) or prose Markdown with optional
YAML front matter.  Prose briefs are read section by section (``## Goals``, ``## Components`` …)
so that both forms yield the same :class:`Brief` model and an equally grounded doc set.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from docsgen_pipeline.errors import BriefError, read_input_file
from docsgen_pipeline.yamlio import load_yaml

ReviewMode = Literal["interactive", "batch"]

_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,38}[a-z0-9]$|^[a-z0-9]$")


def slugify_name(name: str) -> str:
    """Project slug used in file names: lower-case ASCII words joined by ``-``."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:40].strip("-") or "project"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class GlossaryTerm(_Model):
    term: str = Field(min_length=1)
    definition: str = ""
    forbidden: list[str] = Field(default_factory=list, description="variants that must not appear")


class EntityField(_Model):
    name: str = Field(min_length=1)
    type: str = "string"
    description: str = ""
    required: bool = True


class Entity(_Model):
    name: str = Field(min_length=1)
    description: str = ""
    fields: list[EntityField] = Field(default_factory=list)
    states: list[str] = Field(default_factory=list, description="lifecycle states, in order")


class Component(_Model):
    name: str = Field(min_length=1)
    responsibility: str = ""
    depends_on: list[str] = Field(default_factory=list)


class Screen(_Model):
    name: str = Field(min_length=1)
    purpose: str = ""
    elements: list[str] = Field(default_factory=list)


class Workflow(_Model):
    name: str = Field(min_length=1)
    actor: str = "user"
    steps: list[str] = Field(default_factory=list)


class Brief(_Model):
    """A validated project brief."""

    name: str = Field(min_length=1)
    slug: str = ""
    summary: str = Field(min_length=1)
    audience: list[str] = Field(default_factory=list)
    goals: list[str] = Field(default_factory=list)
    components: list[Component] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    glossary: list[GlossaryTerm] = Field(default_factory=list)
    screens: list[Screen] = Field(default_factory=list)
    workflows: list[Workflow] = Field(default_factory=list)
    constraints: list[str] = Field(default_factory=list)
    review_mode: ReviewMode | None = None
    source_format: Literal["yaml", "markdown"] = "yaml"
    notes: str = Field(default="", description="free prose from a Markdown brief not mapped to a field")

    @field_validator("slug")
    @classmethod
    def _slug_is_safe(cls, value: str) -> str:
        if value and not _SLUG_RE.match(value):
            raise ValueError("must be lower-case letters, digits and '-' (at most 40 characters)")
        return value

    @model_validator(mode="after")
    def _derive_slug(self) -> Brief:
        if not self.slug:
            self.slug = slugify_name(self.name)
        return self

    def canonical_json(self) -> str:
        return self.model_dump_json(indent=2)

    def content_hash(self) -> str:
        return hashlib.sha256(self.canonical_json().encode()).hexdigest()


def _format_validation_error(source: str, error: ValidationError) -> str:
    first = error.errors()[0]
    location = ".".join(str(part) for part in first["loc"]) or "(top level)"
    more = len(error.errors()) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"{source}: field '{location}': {first['msg']}{suffix}"


def brief_from_mapping(data: Any, source: str) -> Brief:
    if not isinstance(data, dict):
        raise BriefError(f"{source}: a brief must be a mapping of fields (name, summary, …)")
    try:
        return Brief.model_validate(data)
    except ValidationError as exc:
        raise BriefError(_format_validation_error(source, exc)) from None


def _load_yaml(text: str, source: str, line_offset: int = 0) -> Any:
    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1 + line_offset}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise BriefError(f"{source}:{where}: invalid YAML: {problem}") from None


_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*(?:\n|\Z)", re.DOTALL)


def split_front_matter(text: str) -> tuple[str, str, int]:
    """Return (front matter YAML, body, number of lines the front matter took)."""
    match = _FRONT_MATTER_RE.match(text)
    if not match:
        return "", text, 0
    return match.group(1), text[match.end() :], match.group(0).count("\n")


def _inline_text(tokens: list[Token], start: int, end: int) -> str:
    return " ".join(t.content.strip() for t in tokens[start:end] if t.type == "inline").strip()


def _sections(body: str) -> tuple[str, str, dict[str, list[Token]]]:
    """Split a Markdown body into its H1 title, lead paragraph and H2 sections (as tokens)."""
    tokens = MarkdownIt("commonmark").parse(body)
    title, lead = "", ""
    sections: dict[str, list[Token]] = {}
    current: list[Token] | None = None
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open" and tok.tag in ("h1", "h2"):
            text = tokens[i + 1].content.strip()
            if tok.tag == "h1" and not title:
                title = text
                current = None
            else:
                current = sections.setdefault(text.lower(), [])
            i += 3
            continue
        if current is not None:
            current.append(tok)
        elif tok.type == "paragraph_open" and not lead:
            lead = " ".join(tokens[i + 1].content.split())
        i += 1
    return title, lead, sections


def _list_items(tokens: list[Token]) -> list[str]:
    items: list[str] = []
    depth = 0
    for i, tok in enumerate(tokens):
        if tok.type == "list_item_open":
            depth += 1
            if depth == 1:
                close = next(
                    j
                    for j in range(i, len(tokens))
                    if tokens[j].type == "list_item_close" and tokens[j].level == tok.level
                )
                items.append(_inline_text(tokens, i, close).split("\n")[0])
        elif tok.type == "list_item_close":
            depth -= 1
    return items


def _paragraphs(tokens: list[Token]) -> str:
    return "\n\n".join(
        t.content.strip()
        for i, t in enumerate(tokens)
        if t.type == "inline" and tokens[i - 1].type == "paragraph_open" and tokens[i - 1].level == 0
    )


_PAIR_RE = re.compile(r"^\**(?P<name>[^*:—–-][^*:—–]*?)\**\s*(?::|—|–| - )\s*(?P<rest>.+)$")


def _pair(item: str) -> tuple[str, str]:
    match = _PAIR_RE.match(item)
    if not match:
        return item.strip("* "), ""
    return match.group("name").strip("* "), match.group("rest").strip()


def _subsections(tokens: list[Token]) -> list[tuple[str, list[Token]]]:
    out: list[tuple[str, list[Token]]] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open" and tok.tag == "h3":
            out.append((tokens[i + 1].content.strip(), []))
            i += 3
            continue
        if out:
            out[-1][1].append(tok)
        i += 1
    return out


def _prose_fields(body: str) -> dict[str, Any]:
    """Map the conventional sections of a prose brief onto brief fields."""
    title, lead, sections = _sections(body)
    data: dict[str, Any] = {}
    if title:
        data["name"] = title
    if lead:
        data["summary"] = lead
    notes: list[str] = []
    for heading, tokens in sections.items():
        items = _list_items(tokens)
        if heading in ("goals", "objectives"):
            data["goals"] = items
        elif heading in ("audience", "users", "who it is for"):
            data["audience"] = items or [_paragraphs(tokens)]
        elif heading in ("constraints", "non-goals", "constraints and non-goals"):
            data["constraints"] = items
        elif heading in ("summary", "overview"):
            data["summary"] = _paragraphs(tokens) or data.get("summary", "")
        elif heading in ("components", "parts"):
            data["components"] = [{"name": n, "responsibility": r} for n, r in map(_pair, items)]
        elif heading in ("glossary", "terminology", "terms"):
            data["glossary"] = [_glossary_item(item) for item in items]
        elif heading in ("screens", "ui"):
            data["screens"] = [{"name": n, "purpose": r} for n, r in map(_pair, items)]
        elif heading in ("entities", "data", "data model"):
            data["entities"] = [_entity(name, sub) for name, sub in _subsections(tokens)] or [
                {"name": n, "description": r} for n, r in map(_pair, items)
            ]
        elif heading in ("workflows", "user journeys"):
            data["workflows"] = [{"name": name, "steps": _list_items(sub)} for name, sub in _subsections(tokens)]
        else:
            text = _paragraphs(tokens)
            if text:
                notes.append(f"{heading.title()}: {text}")
    if notes:
        data["notes"] = "\n\n".join(notes)
    return data


_FORBIDDEN_RE = re.compile(r"\(\s*not\s*:?\s*(?P<variants>[^)]*)\)", re.IGNORECASE)


def _glossary_item(item: str) -> dict[str, Any]:
    """``**Docs run** (not: doc run, docrun): one generation …``"""
    forbidden: list[str] = []
    match = _FORBIDDEN_RE.search(item)
    if match:
        forbidden = [v.strip(" `'\"") for v in match.group("variants").split(",") if v.strip()]
        item = (item[: match.start()] + item[match.end() :]).strip()
    term, definition = _pair(item)
    return {"term": term, "definition": definition, "forbidden": forbidden}


_FIELD_RE = re.compile(r"^`?(?P<name>[A-Za-z_][\w]*)`?\s*(?:\((?P<type>[^)]*)\))?\s*(?::|—|–| - )?\s*(?P<desc>.*)$")


def _entity(name: str, tokens: list[Token]) -> dict[str, Any]:
    fields = []
    for item in _list_items(tokens):
        match = _FIELD_RE.match(item)
        if match:
            fields.append(
                {
                    "name": match.group("name"),
                    "type": (match.group("type") or "string").strip(),
                    "description": match.group("desc"),
                }
            )
    return {"name": name, "description": _paragraphs(tokens), "fields": fields}


def parse_brief_text(text: str, source: str, fmt: Literal["yaml", "markdown"]) -> Brief:
    if not text.strip():
        raise BriefError(f"{source}: the brief is empty")
    if fmt == "yaml":
        data = _load_yaml(text, source)
        if isinstance(data, dict):
            data.setdefault("source_format", "yaml")
        return brief_from_mapping(data, source)
    front, body, _ = split_front_matter(text)
    meta = _load_yaml(front, source, line_offset=1) if front else {}
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise BriefError(f"{source}: front matter must be a mapping of fields")
    data = _prose_fields(body)
    data.update(meta)
    data["source_format"] = "markdown"
    if "name" not in data:
        raise BriefError(f"{source}: field 'name': give the project a '# Title' or a 'name:' in front matter")
    if not data.get("summary"):
        raise BriefError(f"{source}: field 'summary': add a first paragraph under the title saying what the project is")
    return brief_from_mapping(data, source)


def guess_format(name: str, text: str) -> Literal["yaml", "markdown"]:
    lower = name.lower()
    if lower.endswith((".yaml", ".yml")):
        return "yaml"
    if lower.endswith((".md", ".markdown")):
        return "markdown"
    stripped = text.lstrip()
    return "markdown" if stripped.startswith(("#", "---")) else "yaml"


def load_brief(path: str | Path) -> Brief:
    """Read and validate a brief file; raises :class:`BriefError` with file and field."""
    p = Path(path)
    text = read_input_file(p, "brief", BriefError)
    return parse_brief_text(text, str(p), guess_format(p.name, text))
