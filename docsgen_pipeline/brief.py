"""The project brief: what the documentation set is about.

A brief is either structured YAML (validated field by field) or prose Markdown with optional
YAML front matter.  Prose briefs are read section by section (``## Goals``, ``## Components`` …)
so that both forms yield the same :class:`Brief` model and an equally grounded doc set.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from docsgen_pipeline.errors import BriefError, read_input_file
from docsgen_pipeline.prose import read_prose
from docsgen_pipeline.prose.headings import suggestion
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


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the YAML node at a pydantic error location, as near as it exists."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
            key = next((k for k, _ in node.value if getattr(k, "value", None) == part), None)
            if match is None:
                return line
            line = (key.start_mark.line + 1) if key is not None else line
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _format_validation_error(source: str, error: ValidationError, text: str = "") -> str:
    root: yaml.Node | None = None
    if text:
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            root = None
    lines = []
    for problem in error.errors():
        location = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        line = _line_of(root, tuple(problem["loc"])) if root is not None else None
        where = f"{source}:{line}" if line else source
        lines.append(f"{where}: field '{location}': {problem['msg']}")
    return "\n".join(lines)


def brief_from_mapping(data: Any, source: str, text: str = "") -> Brief:
    if not isinstance(data, dict):
        raise BriefError(f"{source}: a brief must be a mapping of fields (name, summary, …)")
    try:
        return Brief.model_validate(data)
    except ValidationError as exc:
        raise BriefError(_format_validation_error(source, exc, text)) from None


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


# Parts whose absence leaves the doc set without substance; ``docsgen brief --strict`` fails on them.
CORE_PARTS = ("components", "entities", "glossary")
OTHER_PARTS = ("screens", "workflows", "goals", "audience", "constraints")


@dataclass
class Understanding:
    """A brief as understood, and what was not: shown by ``docsgen brief`` and before ``docsgen run``."""

    brief: Brief
    ignored: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)  # brief fields that came out empty

    def warnings(self) -> list[str]:
        out = list(self.ignored)
        for part in self.empty:
            where = "a section such as " + repr(suggestion(part)) if self.brief.source_format == "markdown" else (
                f"a '{part}:' list"
            )
            out.append(f"the brief names no {part.replace('_', ' ')}: add {where}")
        return out

    def core_empty(self) -> list[str]:
        return [p for p in self.empty if p in CORE_PARTS]


def _empty_parts(brief: Brief) -> list[str]:
    return [p for p in CORE_PARTS + OTHER_PARTS if not getattr(brief, p)]


def understand_brief_text(text: str, source: str, fmt: Literal["yaml", "markdown"]) -> Understanding:
    """Parse a brief and report what was not understood (sections ignored, parts left empty)."""
    if not text.strip():
        raise BriefError(f"{source}: the brief is empty")
    if fmt == "yaml":
        data = _load_yaml(text, source)
        if isinstance(data, dict):
            data.setdefault("source_format", "yaml")
        brief = brief_from_mapping(data, source, text)
        return Understanding(brief, [], _empty_parts(brief))
    front, body, _ = split_front_matter(text)
    meta = _load_yaml(front, source, line_offset=1) if front else {}
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise BriefError(f"{source}: front matter must be a mapping of fields")
    reading = read_prose(body)
    data = reading.fields
    data.update(meta)  # front matter wins over what was read from the prose
    data["source_format"] = "markdown"
    if "name" not in data:
        raise BriefError(f"{source}: field 'name': give the project a '# Title' or a 'name:' in front matter")
    if not data.get("summary"):
        raise BriefError(f"{source}: field 'summary': add a first paragraph under the title saying what the project is")
    brief = brief_from_mapping(data, source)
    return Understanding(brief, [f"{source}: {w}" for w in reading.ignored], _empty_parts(brief))


def parse_brief_text(text: str, source: str, fmt: Literal["yaml", "markdown"]) -> Brief:
    return understand_brief_text(text, source, fmt).brief


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
    return understand_brief(path).brief


def understand_brief(path: str | Path) -> Understanding:
    p = Path(path)
    text = read_input_file(p, "brief", BriefError)
    return understand_brief_text(text, str(p), guess_format(p.name, text))
