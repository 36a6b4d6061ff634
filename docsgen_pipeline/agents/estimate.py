"""Before a docs run: how many agent calls, how many tokens, what it may cost.

Prompts are rendered exactly as the agent will render them (same templates, same brief and
blueprint), with the blueprint's required headings standing in for the not-yet-made plan.  The
range runs from "every answer is usable first time and of typical length" to "every plan needs
all its re-asks, every prompt carries the full upstream budget and every answer hits max_tokens".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from docsgen_pipeline.agents.base import LinkTarget, PlanRequest, WriteRequest
from docsgen_pipeline.agents.context import TokenCounter, fit_prompt
from docsgen_pipeline.agents.metering import PriceTable, estimate_tokens
from docsgen_pipeline.agents.prompted import REASK_ANSWER_CHARS, plan_topic
from docsgen_pipeline.agents.prompts import Prompt, plan_prompt, reask_prompt, write_prompt
from docsgen_pipeline.agents.settings import AgentSettings
from docsgen_pipeline.blueprint import Blueprint, Phase
from docsgen_pipeline.brief import Brief
from docsgen_pipeline.markdown.slugs import github_slug
from docsgen_pipeline.planning import blueprint_plan

# Typical answer sizes (tokens), from the shape of the default blueprint's documents.
TOKENS_PER_SECTION = 180
TOKENS_PER_FILE_BASE = 120
TOKENS_PER_PLANNED_FILE = 90


@dataclass(frozen=True)
class PhaseEstimate:
    phase: int
    title: str
    files: int
    calls_min: int
    calls_max: int
    tokens_in_low: int
    tokens_in_high: int
    tokens_out_low: int
    tokens_out_high: int
    cost_low_usd: float
    cost_high_usd: float


def _targets(brief: Brief, blueprint: Blueprint, upto: int) -> list[LinkTarget]:
    names = blueprint.filenames(brief.slug)
    return [
        LinkTarget(key=f.key, filename=names[f.key], title=f.title, phase=p.number,
                   anchors=tuple(github_slug(h) for h in f.required_headings), headings=f.required_headings)
        for p in blueprint.phases
        if p.number <= upto
        for f in p.files
    ]


def _tokens(prompt: Prompt) -> int:
    return sum(estimate_tokens(m["content"]) for m in prompt.messages())


def _fitted(
    render: Callable[[Brief, int], Prompt], brief: Brief, upstream: int, topic: str, settings: AgentSettings, what: str
) -> tuple[int, int]:
    """(prompt tokens, output cap) of a prompt fitted as a run fits it (unchanged without a window)."""
    fitted = fit_prompt(render, brief, upstream_chars=upstream, topic=topic, window=settings.context_window,
                        max_tokens=settings.max_tokens, counter=TokenCounter(), what=what)
    return _tokens(fitted.prompt), fitted.max_tokens


def estimate_phase(brief: Brief, blueprint: Blueprint, phase: Phase, settings: AgentSettings) -> PhaseEstimate:
    """One phase's range.  With ``settings.context_window`` every prompt is fitted to it exactly as the
    agent fits it (raising ContextWindowError for a brief that cannot fit) and outputs are capped
    to what the window leaves."""
    prices = PriceTable(settings.prices)
    request = PlanRequest(brief=brief, blueprint=blueprint, phase=phase, filenames=blueprint.filenames(brief.slug))
    topic = " ".join([phase.title, *(plan_topic(f) for f in phase.files)])
    plan_in, plan_cap = _fitted(lambda b, _u: plan_prompt(request.model_copy(update={"brief": b})), brief, 0, topic,
                                settings, f"plan phase {phase.number}")
    plan_out_low = min(plan_cap, TOKENS_PER_PLANNED_FILE * len(phase.files))
    reask_in = estimate_tokens(reask_prompt("x" * 200, [f.key for f in phase.files]))
    # A re-ask sends the prompt again with the last answer (cut) and the problem.
    attempts = settings.plan_attempts
    reask_answer = min(plan_cap, REASK_ANSWER_CHARS // 4)
    plan_in_high = plan_in + (attempts - 1) * (plan_in + reask_answer + reask_in)
    plan = blueprint_plan(brief, blueprint, phase)
    targets = _targets(brief, blueprint, phase.number)
    write_in_low = write_in_high = write_out_low = write_out_high = 0
    has_upstream = phase.number > 0
    for f in phase.files:
        write = WriteRequest(brief=brief, blueprint=blueprint, phase=phase, file=f, plan=plan.for_key(f.key),
                             link_targets=targets,
                             upstream={"upstream.md": "x" * settings.upstream_budget_chars} if has_upstream else {})
        file_topic = plan_topic(f) + " " + " ".join(s.heading for s in plan.for_key(f.key).outline)

        def render(b: Brief, upstream: int, write: WriteRequest = write) -> Prompt:
            return write_prompt(write.model_copy(update={"brief": b}), upstream)

        base, _ = _fitted(render, brief, 0, file_topic, settings, f"write {f.key}")
        high, cap = _fitted(render, brief, settings.upstream_budget_chars, file_topic, settings, f"write {f.key}")
        write_in_low += base
        write_in_high += high
        sections = len(plan.for_key(f.key).outline)
        write_out_low += min(cap, TOKENS_PER_FILE_BASE + TOKENS_PER_SECTION * sections)
        write_out_high += cap
    n = len(phase.files)
    tokens_in_low, tokens_in_high = plan_in + write_in_low, plan_in_high + write_in_high
    tokens_out_low, tokens_out_high = plan_out_low + write_out_low, attempts * plan_cap + write_out_high
    return PhaseEstimate(
        phase=phase.number,
        title=phase.title,
        files=n,
        calls_min=1 + n,
        calls_max=attempts + n,
        tokens_in_low=tokens_in_low,
        tokens_in_high=tokens_in_high,
        tokens_out_low=tokens_out_low,
        tokens_out_high=tokens_out_high,
        cost_low_usd=prices.cost(settings.model, tokens_in_low, tokens_out_low),
        cost_high_usd=prices.cost(settings.model, tokens_in_high, tokens_out_high),
    )


def estimate_run(brief: Brief, blueprint: Blueprint, settings: AgentSettings) -> list[PhaseEstimate]:
    """Per-phase estimates for one docs run; retries and reviewer rejections come on top."""
    return [estimate_phase(brief, blueprint, phase, settings) for phase in blueprint.phases]


def total(rows: list[PhaseEstimate]) -> PhaseEstimate:
    return PhaseEstimate(
        phase=-1,
        title="total",
        files=sum(r.files for r in rows),
        calls_min=sum(r.calls_min for r in rows),
        calls_max=sum(r.calls_max for r in rows),
        tokens_in_low=sum(r.tokens_in_low for r in rows),
        tokens_in_high=sum(r.tokens_in_high for r in rows),
        tokens_out_low=sum(r.tokens_out_low for r in rows),
        tokens_out_high=sum(r.tokens_out_high for r in rows),
        cost_low_usd=sum(r.cost_low_usd for r in rows),
        cost_high_usd=sum(r.cost_high_usd for r in rows),
    )
