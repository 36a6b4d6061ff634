"""Builds whole doc sets with the template agent the way the orchestrator does: phase by phase,
plans pinned by ``enforce_blueprint``, link targets carrying the anchors of planned outlines."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from docsgen_pipeline.agents.base import LinkTarget, PlanRequest, WriteRequest
from docsgen_pipeline.agents.template import TemplateAgent
from docsgen_pipeline.blueprint import Blueprint, default_blueprint
from docsgen_pipeline.brief import Brief
from docsgen_pipeline.markdown.slugs import slugs_for
from docsgen_pipeline.planning import FilePlan, enforce_blueprint

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
BRIEFS = ("acme-orders.yaml", "field-notes.md")


@dataclass
class DocSet:
    brief: Brief
    blueprint: Blueprint
    plans: dict[str, FilePlan] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict, repr=False)  # file name -> markdown
    targets: dict[str, list[LinkTarget]] = field(default_factory=dict)  # file key -> link targets used

    def filename(self, key: str) -> str:
        return self.blueprint.filenames(self.brief.slug)[key]


def link_targets(blueprint: Blueprint, slug: str, plans: dict[str, FilePlan]) -> list[LinkTarget]:
    """Every planned file; anchors only for files whose phase is already planned."""
    names = blueprint.filenames(slug)
    out = []
    for phase in blueprint.phases:
        for spec in phase.files:
            plan = plans.get(spec.key)
            headings = [s.heading for s in plan.outline] if plan else []
            out.append(
                LinkTarget(
                    key=spec.key,
                    filename=names[spec.key],
                    title=spec.title,
                    phase=phase.number,
                    anchors=tuple(slugs_for(headings)),
                    headings=tuple(headings),
                )
            )
    return out


@cache
def _default_blueprint() -> Blueprint:
    return default_blueprint()


def build_docset(
    brief: Brief,
    blueprint: Blueprint | None = None,
    feedback: dict[str, list[str]] | None = None,
    agent: TemplateAgent | None = None,
) -> DocSet:
    blueprint = blueprint or _default_blueprint()
    agent = agent or TemplateAgent()
    docs = DocSet(brief=brief, blueprint=blueprint)
    names = blueprint.filenames(brief.slug)
    for phase in blueprint.phases:
        reply = agent.plan_phase(PlanRequest(brief=brief, blueprint=blueprint, phase=phase, filenames=names))
        plan = enforce_blueprint(reply.plan, blueprint, phase, brief.slug)
        docs.plans.update({p.key: p for p in plan.files})
        targets = link_targets(blueprint, brief.slug, docs.plans)
        for spec in phase.files:
            request = WriteRequest(
                brief=brief,
                blueprint=blueprint,
                phase=phase,
                file=spec,
                plan=plan.for_key(spec.key),
                link_targets=targets,
                feedback=(feedback or {}).get(spec.key, []),
            )
            docs.files[names[spec.key]] = agent.write_file(request).markdown
            docs.targets[spec.key] = targets
    return docs


