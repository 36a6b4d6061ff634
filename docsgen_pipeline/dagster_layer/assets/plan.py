"""A phase's plan asset: the agent outlines each planned file; the blueprint has the last word."""
# No `from __future__ import annotations` in asset modules: Dagster reads the asset functions'
# parameter annotations at definition time to find config and resources, and needs real types.

import time

import dagster as dg

from docsgen_pipeline.agents.base import PlanReply, PlanRequest, Usage
from docsgen_pipeline.blueprint import Blueprint, Phase
from docsgen_pipeline.dagster_layer.assets.common import CODE_VERSION, usage_metadata
from docsgen_pipeline.dagster_layer.keys import BRIEF_KEY, approval_key, phase_group, plan_key
from docsgen_pipeline.dagster_layer.partitions import REASON_TAG, docs_runs
from docsgen_pipeline.dagster_layer.resources import AgentResource, ArtifactStoreResource
from docsgen_pipeline.dagster_layer.runtime import load_run, user_errors, version_metadata
from docsgen_pipeline.docs_run import PLANS, plan_name
from docsgen_pipeline.planning import PhasePlan, enforce_blueprint
from docsgen_pipeline.regeneration import is_resume


def build_plan_asset(blueprint: Blueprint, phase: Phase) -> dg.AssetsDefinition:
    number = phase.number
    upstream = BRIEF_KEY if number == 0 else approval_key(number - 1)

    @dg.asset(
        key=plan_key(number),
        deps=[upstream],
        partitions_def=docs_runs,
        group_name=phase_group(phase),
        code_version=CODE_VERSION,
        kinds={"json"},
        description=(
            f"{plan_name(number)} — phase {number} ({phase.title}) plan: the agent's outline, intent and "
            "dependencies of each planned file (the blueprint decides which files exist)."
        ),
        pool="docsgen_llm",
    )
    def plan(
        context: dg.AssetExecutionContext, store: ArtifactStoreResource, agent: AgentResource
    ) -> dg.MaterializeResult:
        started = time.monotonic()
        with user_errors():
            run = load_run(context, store.get(), blueprint)
            existing = run.store.latest(run.run_id, PLANS, plan_name(number))
            if existing is not None and is_resume(context.run.tags, REASON_TAG):
                # Resuming: the plan the phase's files were written for stays (no agent call).
                record, checked = existing, PhasePlan.model_validate_json(run.store.read_text(run.run_id, existing))
                reply = PlanReply(
                    plan=checked,
                    usage=Usage(calls=0, cached=True),
                    source=existing.meta.get("plan_source", "agent"),
                    mode=existing.meta.get("plan_mode", ""),
                )
            else:
                writer = agent.for_run(run)
                reply = writer.plan_phase(
                    PlanRequest(brief=run.brief, blueprint=run.blueprint, phase=phase, filenames=run.filenames)
                )
                checked = enforce_blueprint(reply.plan, run.blueprint, phase, run.registration.slug)
                record, _ = run.store.put(
                    run.run_id,
                    PLANS,
                    plan_name(number),
                    checked.model_dump_json(indent=2),
                    {"agent": writer.identity(), **reply.metadata()},
                )
                if reply.source == "blueprint":
                    context.log.warning(f"{reply.problem}; the phase uses the blueprint's own outline instead")
        outline = "\n".join(f"- **{f.filename}**: " + ", ".join(s.heading for s in f.outline) for f in checked.files)
        return dg.MaterializeResult(
            metadata={
                **version_metadata(record, run.store, run.run_id),
                "files": len(checked.files),
                **{k: (dg.MetadataValue.json(v) if isinstance(v, list) else v) for k, v in reply.metadata().items()},
                "outline": dg.MetadataValue.md(outline),
                "duration_s": round(time.monotonic() - started, 3),
                **usage_metadata(reply.usage),
            },
            data_version=dg.DataVersion(record.sha256),
        )

    return plan
