"""Phase plans: the agent's outline of each planned file, checked against the blueprint.

The blueprint is the planned-files authority: a plan may shape each file's outline, but it may
never add, drop or rename a planned file.  :func:`enforce_blueprint` is the one place that rule
is enforced, for every agent.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from docsgen_pipeline.blueprint import Blueprint, Phase
from docsgen_pipeline.brief import Brief
from docsgen_pipeline.errors import PlanError

PlanSource = Literal["agent", "blueprint"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OutlineSection(_Model):
    heading: str = Field(min_length=1)
    level: int = Field(default=2, ge=2, le=4, description="2 for ##, 3 for ###, 4 for ####")
    intent: str = ""


class FilePlan(_Model):
    key: str
    filename: str
    title: str
    intent: str
    outline: list[OutlineSection] = Field(default_factory=list)
    terms: list[str] = Field(default_factory=list, description="glossary terms the file must use")
    schemas: list[str] = Field(default_factory=list, description="canonical schemas the file must reference")
    links: list[str] = Field(default_factory=list, description="planned file names the file should link to")


class PhasePlan(_Model):
    phase: int
    files: list[FilePlan]

    def for_key(self, key: str) -> FilePlan:
        for plan in self.files:
            if plan.key == key:
                return plan
        raise PlanError(f"phase {self.phase} plan has no entry for file '{key}'")


def enforce_blueprint(plan: PhasePlan, blueprint: Blueprint, phase: Phase, slug: str) -> PhasePlan:
    """Refuse a plan that adds, drops or renames planned files; pin file names and titles."""
    planned = {f.key: f for f in phase.files}
    got = [f.key for f in plan.files]
    extra = sorted(set(got) - set(planned))
    missing = sorted(set(planned) - set(got))
    if plan.phase != phase.number:
        raise PlanError(f"plan is for phase {plan.phase}, expected phase {phase.number}")
    if extra or missing:
        parts = []
        if extra:
            parts.append(f"adds {', '.join(extra)}")
        if missing:
            parts.append(f"drops {', '.join(missing)}")
        raise PlanError(
            f"phase {phase.number} plan {' and '.join(parts)}: the blueprint is the planned-files "
            "authority; change the file list with a new blueprint version, not through the plan"
        )
    if len(got) != len(set(got)):
        raise PlanError(f"phase {phase.number} plan lists a file twice")
    names = blueprint.filenames(slug)
    pinned = []
    for key in (f.key for f in phase.files):
        entry = plan.for_key(key)
        spec = planned[key]
        headings = [s.heading for s in entry.outline]
        outline = list(entry.outline)
        # Required headings are the blueprint's promise; the orchestrator guarantees them even if
        # a model's outline forgot one.
        for required in spec.required_headings:
            if required.lower() not in (h.lower() for h in headings):
                outline.append(OutlineSection(heading=required, intent=""))
        pinned.append(
            entry.model_copy(
                update={
                    "filename": names[key],
                    "title": spec.title,
                    "outline": outline,
                    "links": [link for link in entry.links if link in names.values()],
                }
            )
        )
    return PhasePlan(phase=phase.number, files=pinned)


def blueprint_plan(brief: Brief, blueprint: Blueprint, phase: Phase) -> PhasePlan:
    """The plan the blueprint alone implies: each file's required headings and intent.

    The fallback when a model gives no usable plan (recorded as ``plan_source: blueprint``), and
    the stand-in plan ``docsgen estimate`` renders prompts with.  The canonical-schemas file gets a
    section per entity so schema links have anchors.
    """
    entities = [e.name for e in brief.entities]
    schema_file = blueprint.schema_file()
    files = []
    for f in phase.files:
        headings = list(f.required_headings)
        if schema_file is not None and f.key == schema_file.key:
            headings += [name for name in entities if name not in headings]
        files.append(
            FilePlan(
                key=f.key,
                filename="",
                title=f.title,
                intent=f.intent,
                outline=[OutlineSection(heading=h) for h in headings] or [OutlineSection(heading="Overview")],
                terms=[t.term for t in brief.glossary] if f.depends.terms else [],
                schemas=entities if f.depends.schemas and f.kind != "schemas" else [],
            )
        )
    return enforce_blueprint(PhasePlan(phase=phase.number, files=files), blueprint, phase, brief.slug)
