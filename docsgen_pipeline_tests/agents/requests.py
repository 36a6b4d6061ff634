"""Build real PlanRequest / WriteRequest objects from the example brief and default blueprint."""

from __future__ import annotations

from pathlib import Path

import pytest

from docsgen_pipeline.agents.base import LinkTarget, PlanRequest, WriteRequest
from docsgen_pipeline.blueprint import Blueprint, default_blueprint
from docsgen_pipeline.brief import Brief, load_brief
from docsgen_pipeline.markdown.slugs import github_slug
from docsgen_pipeline.planning import PhasePlan

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "acme-orders.yaml"


@pytest.fixture
def example_brief() -> Brief:
    return load_brief(EXAMPLE)


def plan_request(brief: Brief, phase: int, blueprint: Blueprint | None = None) -> PlanRequest:
    bp = blueprint or default_blueprint()
    return PlanRequest(brief=brief, blueprint=bp, phase=bp.phases[phase], filenames=bp.filenames(brief.slug))


def link_targets(brief: Brief, blueprint: Blueprint, upto_phase: int) -> list[LinkTarget]:
    names = blueprint.filenames(brief.slug)
    return [
        LinkTarget(
            key=f.key,
            filename=names[f.key],
            title=f.title,
            phase=p.number,
            anchors=tuple(github_slug(h) for h in f.required_headings),
            headings=f.required_headings,
        )
        for p in blueprint.phases
        if p.number <= upto_phase
        for f in p.files
    ]


def write_requests(brief: Brief, plan: PhasePlan, blueprint: Blueprint | None = None) -> list[WriteRequest]:
    bp = blueprint or default_blueprint()
    phase = bp.phases[plan.phase]
    targets = link_targets(brief, bp, plan.phase)
    return [
        WriteRequest(
            brief=brief,
            blueprint=bp,
            phase=phase,
            file=f,
            plan=plan.for_key(f.key),
            link_targets=targets,
        )
        for f in phase.files
    ]
