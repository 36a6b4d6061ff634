"""A phase's files: one subsettable multi-asset; selecting one file asset regenerates just it.

Per-file checks are partitioned and blocking. When one fails, the step writes the phase report
itself, because the downstream gate asset will not run in this Dagster run.
"""
# No `from __future__ import annotations` in asset modules (Dagster reads real annotations).

import time
from collections.abc import Iterator
from typing import Any

import dagster as dg

from docsgen_pipeline.agents.base import Agent, Usage, WriteRequest
from docsgen_pipeline.blueprint import Blueprint, Phase
from docsgen_pipeline.compose import finalize, link_targets, nav_block, validation_context
from docsgen_pipeline.dagster_layer.assets.common import CODE_VERSION, check_result, usage_metadata
from docsgen_pipeline.dagster_layer.keys import file_key, plan_key
from docsgen_pipeline.dagster_layer.partitions import FEEDBACK_TAG, REASON_TAG, REQUESTED_BY_TAG, docs_runs
from docsgen_pipeline.dagster_layer.resources import AgentResource, ArtifactStoreResource
from docsgen_pipeline.dagster_layer.runtime import load_run, tag, user_errors, version_metadata
from docsgen_pipeline.docs_run import FILES, DocsRun
from docsgen_pipeline.gate import file_check_result, write_phase_report
from docsgen_pipeline.generation import generate_files
from docsgen_pipeline.planning import PhasePlan
from docsgen_pipeline.reports import CheckOutcome
from docsgen_pipeline.validators.api import FILE_CHECKS, check_file
from docsgen_pipeline.validators.model import Issue


def _feedback(run: DocsRun, context: dg.AssetExecutionContext, key: str, phase: int) -> list[str]:
    """Reviewer feedback for a file: recorded rejections of its phase plus this run's request."""
    notes = [
        str(event["note"])
        for event in run.store.events(run.run_id, "feedback")
        if event.get("phase") == phase and (not event.get("files") or key in event["files"])
    ]
    extra = tag(context, FEEDBACK_TAG)
    if extra and extra not in notes:
        notes.append(extra)
    return notes


def build_files_asset(blueprint: Blueprint, phase: Phase) -> dg.AssetsDefinition:
    number = phase.number
    file_keys = {f.key: file_key(phase, f) for f in phase.files}
    key_to_file = {v: k for k, v in file_keys.items()}
    all_file_keys = {f.key: file_key(p, f) for p in blueprint.phases for f in p.files}
    order = [f.key for f in phase.files]

    specs = [
        dg.AssetSpec(
            key=file_keys[f.key],
            deps=[plan_key(number), *(all_file_keys[d] for d in f.depends.files if d in all_file_keys)],
            description=f"{f.title}: {f.intent}",
            group_name=phase.key,
            code_version=CODE_VERSION,
            kinds={"markdown"},
            metadata={"blueprint_file": f.key, "required_headings": ", ".join(f.required_headings)},
        )
        for f in phase.files
    ]
    file_check_specs = [
        dg.AssetCheckSpec(name, asset=file_keys[f.key], blocking=True, partitions_def=docs_runs)
        for f in phase.files
        for name in FILE_CHECKS
    ]

    @dg.multi_asset(
        name=f"{phase.key}_files",
        specs=specs,
        check_specs=file_check_specs,
        can_subset=True,
        partitions_def=docs_runs,
        pool="docsgen_llm",
    )
    def files(
        context: dg.AssetExecutionContext, store: ArtifactStoreResource, agent: AgentResource
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        with user_errors():
            run = load_run(context, store.get(), blueprint)
            current = run.plan(number)
            if current is None:
                raise dg.Failure(
                    description=f"phase {number} has no plan yet: materialize {plan_key(number).to_user_string()} first"
                )
            chosen = {key_to_file[k] for k in context.selected_asset_keys if k in key_to_file}
            selected = [k for k in order if k in chosen]
            writer = agent.build(run.registration.agent)
            results = _write_files(context, run, writer, agent.max_concurrency, phase, current, selected)
        failed: list[Issue] = []
        selected_checks = context.selected_asset_check_keys
        for key, (record, created, usage, issues, duration) in results.items():
            asset = file_keys[key]
            text = run.store.read_text(run.run_id, record)
            yield dg.MaterializeResult(
                asset_key=asset,
                metadata={
                    "file": record.name,
                    **version_metadata(record, run.store, run.run_id),
                    "new_version": created,
                    "duration_s": round(duration, 3),
                    **usage_metadata(usage),
                    "preview": dg.MetadataValue.md(text),
                },
                data_version=dg.DataVersion(record.sha256),
            )
            for check_name, rules in FILE_CHECKS.items():
                if dg.AssetCheckKey(asset, check_name) not in selected_checks:
                    continue
                check = CheckOutcome(name=check_name, rules=rules, issues=tuple(i for i in issues if i.rule in rules))
                failed += check.errors
                yield check_result(asset, check)
        if failed:
            # The gate asset downstream will not run; leave the phase's report behind here.
            write_phase_report(run, number, file_check_result(run, phase, failed))

    return files


def _write_files(
    context: dg.AssetExecutionContext,
    run: DocsRun,
    writer: Agent,
    max_concurrency: int,
    phase: Phase,
    current: PhasePlan,
    selected: list[str],
) -> dict[str, tuple[Any, bool, Usage, list[Issue], float]]:
    targets = link_targets(run, current)
    upstream = run.corpus(phase.number - 1) if phase.number > 0 else {}
    requests = [
        WriteRequest(
            brief=run.brief,
            blueprint=run.blueprint,
            phase=phase,
            file=run.planned(key),
            plan=current.for_key(key),
            link_targets=targets,
            upstream=upstream,
            feedback=_feedback(run, context, key, phase.number),
        )
        for key in selected
    ]
    started = time.monotonic()
    replies = generate_files(writer, requests, max_concurrency)
    elapsed = time.monotonic() - started
    nav = nav_block(run.blueprint, run.brief)
    ctx = validation_context(run, phase.number)
    out: dict[str, tuple[Any, bool, Usage, list[Issue], float]] = {}
    for key, reply in zip(selected, replies, strict=True):
        text = finalize(reply.markdown, nav)
        previous = run.latest_file(key)
        record, created = run.store.put(
            run.run_id,
            FILES,
            run.filenames[key],
            text,
            {
                "phase": phase.number,
                "key": key,
                "agent": writer.identity(),
                "requested_by": tag(context, REQUESTED_BY_TAG, "dagster"),
                "reason": tag(context, REASON_TAG, "generate" if previous is None else "regenerate"),
                "previous_version": previous.version if previous else None,
                "dagster_run_id": context.run.run_id,
            },
        )
        out[key] = (record, created, reply.usage, check_file(record.name, text, ctx), reply.usage.duration_s or elapsed)
    return out
