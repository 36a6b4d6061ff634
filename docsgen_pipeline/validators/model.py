"""The issue model and the context validators run in (pure, no Dagster)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Issue(BaseModel):
    """One finding: where, which rule, how bad, what to do."""

    model_config = ConfigDict(frozen=True)

    file: str
    line: int = Field(ge=0, description="1-based; 0 when the finding is about the whole file")
    rule: str
    severity: Severity = Severity.ERROR
    message: str
    suggestion: str = ""

    def sort_key(self) -> tuple[str, int, str]:
        return (self.file, self.line, self.rule)


class GlossaryEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    term: str
    forbidden: tuple[str, ...] = ()


class ValidationContext(BaseModel):
    """Everything the rules need besides the documents themselves.

    In the pipeline it is built from the brief, blueprint and plan; for ``docsgen validate`` on
    any folder it comes from ``docsgen.toml`` / flags, and most fields stay empty.
    """

    glossary: tuple[GlossaryEntry, ...] = ()
    schema_names: frozenset[str] = frozenset()
    schema_file: str | None = Field(default=None, description="file holding canonical schemas (anchors = schema names)")
    required_headings: dict[str, tuple[str, ...]] = Field(
        default_factory=dict, description="file -> headings it must have"
    )
    required_schema_refs: dict[str, tuple[str, ...]] = Field(
        default_factory=dict, description="file -> schemas it must reference"
    )
    nav_targets: tuple[str, ...] | None = Field(
        default=None, description="files every nav block must link; None disables the rule"
    )
    planned_files: frozenset[str] = Field(
        default=frozenset(), description="files that will exist later: links to them resolve"
    )
    check_model_reply: bool = Field(
        default=False, description="flag empty sections, HTML pages and refusals (the pipeline's own gate)"
    )
    flavor: str = Field(default="github", description="renderer whose slugs and link rules apply")
    other_files: frozenset[str] = Field(
        default=frozenset(), description="existing non-Markdown files and directories: links to them resolve"
    )
    severity: dict[str, str] = Field(
        default_factory=dict, description="rule -> error | warning | info, instead of the rule's default level"
    )
