"""The agent interface every writer implements: the offline template agent and real LLM adapters.

An agent does two kinds of short, bounded calls: plan a phase (outline per file) and write one
file's Markdown body.  The orchestrator owns everything deterministic around them: file names,
the navigation block, normalisation and checks.
"""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from docsgen_pipeline.blueprint import Blueprint, Phase, PlannedFile
from docsgen_pipeline.brief import Brief
from docsgen_pipeline.planning import FilePlan, OutlineSection, PhasePlan, PlanSource


class LinkTarget(BaseModel):
    """A file the writer may link to, with the anchors (heading slugs) it will have."""

    model_config = ConfigDict(frozen=True)

    key: str
    filename: str
    title: str
    phase: int
    anchors: tuple[str, ...] = ()
    headings: tuple[str, ...] = ()


class Usage(BaseModel):
    """What one agent call cost; recorded in materialization metadata."""

    model: str = "template"
    tokens_in: int = 0
    tokens_out: int = 0
    duration_s: float = 0.0
    retries: int = 0
    cost_usd: float = 0.0
    cached: bool = False
    calls: int = 1


class PlanRequest(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    brief: Brief
    blueprint: Blueprint
    phase: Phase
    filenames: dict[str, str] = Field(description="file key -> file name for this run")
    feedback: list[str] = Field(default_factory=list)


class WriteRequest(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    brief: Brief
    blueprint: Blueprint
    phase: Phase
    file: PlannedFile
    plan: FilePlan
    link_targets: list[LinkTarget]
    upstream: dict[str, str] = Field(default_factory=dict, description="file name -> approved text excerpt")
    feedback: list[str] = Field(default_factory=list, description="reviewer feedback, oldest first")


class SectionRequest(BaseModel):
    """One section's body in ``section`` generation: the orchestrator writes every heading itself."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    file: WriteRequest
    section: OutlineSection
    index: int = Field(ge=0, description="position of the section in the file's outline")
    feedback: list[str] = Field(default_factory=list, description="findings on this section's previous body")


class SectionReply(BaseModel):
    markdown: str = Field(description="the section's body: prose, lists, tables; no heading of its own level")
    usage: Usage = Usage()
    normalized: list[str] = Field(default_factory=list, description="hygiene fixes applied to the answer")


class PlanReply(BaseModel):
    plan: PhasePlan
    usage: Usage = Usage()
    source: PlanSource = Field(default="agent", description="'blueprint' when no answer was usable")
    mode: str = Field(default="", description="structured-output mode of the last plan call")
    attempts: int = Field(default=0, description="plan calls made (format refusals included)")
    coercions: list[str] = Field(default_factory=list, description="lenient repairs applied to the answer")
    problem: str = Field(default="", description="why the model's answers were not used (blueprint source)")

    def metadata(self) -> dict[str, str | int | list[str]]:
        """What the plan's stored version and its materialization record about how it was made."""
        out: dict[str, str | int | list[str]] = {"plan_source": self.source, "plan_attempts": self.attempts}
        if self.mode:
            out["plan_mode"] = self.mode
        if self.coercions:
            out["plan_coercions"] = self.coercions
        if self.problem:
            out["plan_problem"] = self.problem[:500]
        return out


class FileReply(BaseModel):
    markdown: str = Field(description="the file's body, H1 first, without the navigation block")
    usage: Usage = Usage()
    normalized: list[str] = Field(default_factory=list, description="hygiene fixes applied to the answer")
    prompt_trimmed: list[str] = Field(default_factory=list, description="what was cut to fit the context window")


class Agent(Protocol):
    """A writer. Implementations must be safe to call from several threads at once."""

    name: str

    def identity(self) -> dict[str, str]:
        """Model and parameters that determine output (used for caching and the manifest)."""
        ...

    def plan_phase(self, request: PlanRequest) -> PlanReply: ...

    def write_file(self, request: WriteRequest) -> FileReply: ...

    def write_section(self, request: SectionRequest) -> SectionReply:
        """One section's body (``generation: section``); only the section modes call it."""
        ...
