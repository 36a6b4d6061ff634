"""The blueprint: the doc set's skeleton and the planned-files authority.

Phases 0..5, each with the files it must produce.  Asset keys come from the blueprint
(``phase<N>/<file key>``) and never from the brief, so one code location serves every docs run;
file names come from the brief's project slug (``<slug>-NN-<name>.md``, the root is ``<slug>.md``).
"""

from __future__ import annotations

import hashlib
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from docsgen_pipeline.errors import BlueprintError, read_input_file
from docsgen_pipeline.yamlio import load_yaml

PHASE_NUMBERS = tuple(range(6))
_KEY_PATTERN = r"^[a-z][a-z0-9_]{0,47}$"
_NAME_PATTERN = r"^[a-z0-9][a-z0-9-]{0,47}$"
# A blueprint's name ends up in manifests, tags and messages: no path separators, no dot-dot.
BLUEPRINT_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Dependencies(_Model):
    """What a file must reference: glossary terms, canonical schemas, other planned files."""

    terms: bool = False
    schemas: bool = False
    files: tuple[str, ...] = ()


class PlannedFile(_Model):
    key: str = Field(pattern=_KEY_PATTERN, description="asset-key part, unique in the blueprint")
    number: int | None = Field(default=None, ge=0, le=99, description="NN in the file name; none for the root")
    name: str = Field(default="", pattern=r"^$|" + _NAME_PATTERN[1:])
    title: str = Field(min_length=1)
    intent: str = Field(min_length=1)
    kind: str = Field(default="generic", description="which writer template the offline agent uses")
    index: bool = Field(default=False, description="section index page, linked from every nav block")
    required_headings: tuple[str, ...] = ()
    depends: Dependencies = Dependencies()

    def filename(self, slug: str) -> str:
        if self.number is None:
            return f"{slug}.md"
        return f"{slug}-{self.number:02d}-{self.name}.md"


class Phase(_Model):
    number: int = Field(ge=0, le=5)
    title: str = Field(min_length=1)
    description: str = ""
    files: tuple[PlannedFile, ...] = Field(min_length=1)

    @property
    def key(self) -> str:
        return f"phase{self.number}"

    @property
    def index_file(self) -> PlannedFile | None:
        return next((f for f in self.files if f.index), None)


class Blueprint(_Model):
    name: str = Field(
        pattern=BLUEPRINT_NAME_PATTERN,
        description="1-64 letters, digits, '.', '_' or '-', starting with a letter or digit (no '/' or '..')",
    )
    version: int = Field(default=1, ge=1)
    description: str = ""
    # The renderer that publishes the bundle (github | mkdocs | mdbook): the generator writes and
    # the gate checks `#fragment` links with its heading slugs.
    flavor: str = "github"
    phases: tuple[Phase, ...]
    # rule id -> "error" | "warning" | "info": the gate's level for that rule in this doc set.
    # Errors fail the gate (blocking checks); warnings show as WARN checks and never block.
    severity: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_shape(self) -> Blueprint:
        from docsgen_pipeline.markdown.flavors import FLAVORS

        if self.flavor not in FLAVORS:
            raise ValueError(f"flavor must be one of {', '.join(FLAVORS)}, got '{self.flavor}'")
        if ".." in self.name:
            raise ValueError(f"blueprint name {self.name!r} must not contain '..'")
        _check_severity(self.severity)
        numbers = [p.number for p in self.phases]
        if tuple(numbers) != PHASE_NUMBERS:
            raise ValueError(f"phases must be numbered 0..5 in order, got {numbers}")
        seen_keys: set[str] = set()
        seen_names: set[tuple[int | None, str]] = set()
        roots = 0
        for phase in self.phases:
            for f in phase.files:
                if f.key in seen_keys:
                    raise ValueError(f"file key '{f.key}' is used twice")
                seen_keys.add(f.key)
                if f.key in ("plan", "validation", "approval"):
                    raise ValueError(f"file key '{f.key}' is reserved")
                if f.number is None:
                    roots += 1
                elif not f.name:
                    raise ValueError(f"file '{f.key}' has a number but no name")
                if (f.number, f.name) in seen_names:
                    raise ValueError(f"file '{f.key}' has the same number and name as another file")
                seen_names.add((f.number, f.name))
        if roots != 1 or self.phases[0].files[0].number is not None:
            raise ValueError("exactly one root file (no number) is needed, first in phase 0")
        for phase in self.phases:
            for f in phase.files:
                for dep in f.depends.files:
                    if dep not in seen_keys:
                        raise ValueError(f"file '{f.key}' depends on unknown file '{dep}'")
        cycle = dependency_cycle({f.key: f.depends.files for p in self.phases for f in p.files})
        if cycle:
            raise ValueError(f"depends.files forms a cycle: {' -> '.join(cycle)}")
        return self

    @property
    def root(self) -> PlannedFile:
        return self.phases[0].files[0]

    @cached_property
    def files_by_key(self) -> dict[str, PlannedFile]:
        return {f.key: f for p in self.phases for f in p.files}

    @cached_property
    def phase_of(self) -> dict[str, int]:
        return {f.key: p.number for p in self.phases for f in p.files}

    def all_files(self) -> list[PlannedFile]:
        return [f for p in self.phases for f in p.files]

    def section_indexes(self) -> list[tuple[Phase, PlannedFile]]:
        return [(p, idx) for p in self.phases if (idx := p.index_file) is not None]

    def schema_file(self) -> PlannedFile | None:
        return next((f for f in self.all_files() if f.kind == "schemas"), None)

    def filenames(self, slug: str) -> dict[str, str]:
        """file key -> file name for a project slug."""
        return {f.key: f.filename(slug) for f in self.all_files()}

    def content_hash(self) -> str:
        # A field added after docs runs were registered is left out while it has its default, so a
        # blueprint that does not use it keeps the hash those runs were registered with.
        exclude = {"severity"} if not self.severity else None
        return hashlib.sha256(self.model_dump_json(exclude=exclude).encode()).hexdigest()

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False, allow_unicode=True)


SEVERITY_LEVELS = ("error", "warning", "info")


def _check_severity(levels: dict[str, str]) -> None:
    from docsgen_pipeline.validators.rules import RULES

    for rule, level in levels.items():
        if rule not in RULES:
            raise ValueError(f"severity: unknown rule '{rule}' (rules: {', '.join(sorted(RULES))})")
        if level not in SEVERITY_LEVELS:
            raise ValueError(f"severity.{rule}: must be one of {', '.join(SEVERITY_LEVELS)}, got '{level}'")


def dependency_cycle(graph: dict[str, tuple[str, ...]]) -> list[str]:
    """The first dependency cycle (``a -> b -> a``; a self-dependency is ``a -> a``), or []."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for dep in graph.get(node, ()):
            if state.get(dep) == 1:
                return [*path[path.index(dep) :], dep]
            if dep not in state:
                found = visit(dep)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return []

    for node in graph:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return []


def _format_error(source: str, error: ValidationError) -> str:
    first = error.errors()[0]
    location = ".".join(str(part) for part in first["loc"]) or "(top level)"
    return f"{source}: field '{location}': {first['msg']}"


@lru_cache(maxsize=32)
def parse_blueprint(text: str, source: str) -> Blueprint:
    """Parse and validate a blueprint (cached: a Blueprint is immutable and re-read by every step)."""
    try:
        data: Any = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise BlueprintError(f"{source}:{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise BlueprintError(f"{source}: a blueprint must be a mapping with 'name' and 'phases'")
    try:
        return Blueprint.model_validate(data)
    except ValidationError as exc:
        raise BlueprintError(_format_error(source, exc)) from None


def load_blueprint(path: str | Path) -> Blueprint:
    return parse_blueprint(read_input_file(path, "blueprint", BlueprintError), str(path))


DEFAULT_BLUEPRINT_RESOURCE = "default_blueprint.yaml"


def default_blueprint_text() -> str:
    return resources.files("docsgen_pipeline.data").joinpath(DEFAULT_BLUEPRINT_RESOURCE).read_text(encoding="utf-8")


def default_blueprint() -> Blueprint:
    return parse_blueprint(default_blueprint_text(), f"<package>/{DEFAULT_BLUEPRINT_RESOURCE}")
