"""A phase's files: one subsettable multi-asset; selecting one file asset regenerates just it.

Per-file checks are partitioned and blocking. When one fails, the step writes the phase report
itself, because the downstream gate asset will not run in this Dagster run.

Generation, regeneration and resume (see :mod:`docsgen_pipeline.regeneration`): the run's tags say
whether existing files are rewritten (an explicit selection or ``docsgen regenerate``) or reused
(``docsgen/reason=resume`` or a Dagster re-execution).  Each reply is stored the moment it arrives,
so an interrupted step keeps every finished file for the resume.
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
from docsgen_pipeline.dagster_layer.runtime import load_run, user_errors, version_metadata
from docsgen_pipeline.docs_run import FILES, PLANS, DocsRun, plan_name
from docsgen_pipeline.gate import file_check_result, write_phase_report
from docsgen_pipeline.generation import iter_generate_files
from docsgen_pipeline.markdown.document import parse_document
from docsgen_pipeline.planning import PhasePlan
from docsgen_pipeline.regeneration import (
    RegenerationRecord,
    WriteContext,
    decide_writes,
    record_regeneration,
    regenerations,
)
from docsgen_pipeline.reports import CheckOutcome
from docsgen_pipeline.store import VersionRecord
from docsgen_pipeline.validators.api import FILE_CHECKS, check_file
from docsgen_pipeline.validators.model import Issue, ValidationContext
from docsgen_pipeline.versions import diff_to_previous, file_history, history_markdown, truncate_diff


def _feedback(run: DocsRun, write: WriteContext, key: str, phase: int) -> list[str]:
    """Reviewer feedback for a file, oldest first: its phase's rejections, earlier regenerations' notes
    (so a later regeneration does not silently drop what an earlier one asked for), and this request's."""
    notes = [
        str(event["note"])
        for event in run.store.events(run.run_id, "feedback")
        if event.get("phase") == phase and (not event.get("files") or key in event["files"])
    ]
    for record in regenerations(run.store, run.run_id, key):
        if record.feedback and record.feedback not in notes:
            notes.append(record.feedback)
    if write.feedback and write.feedback not in notes:
        notes.append(write.feedback)
    return notes


class _Written:
    """One selected file after the step: its version, whether it is new, and its per-file issues."""

    def __init__(
        self, record: VersionRecord, created: bool, reused: bool, usage: Usage, issues: list[Issue], duration: float
    ) -> None:
        self.record, self.created, self.reused = record, created, reused
        self.usage, self.issues, self.duration = usage, issues, duration


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
            plan_record = run.store.latest(run.run_id, PLANS, plan_name(number))
            if current is None or plan_record is None:
                raise dg.Failure(
                    description=f"phase {number} has no plan yet: materialize {plan_key(number).to_user_string()} first"
                )
            chosen = {key_to_file[k] for k in context.selected_asset_keys if k in key_to_file}
            selected = [k for k in order if k in chosen]
            write = WriteContext.from_tags(
                context.run.tags, context.run.run_id, REQUESTED_BY_TAG, REASON_TAG, FEEDBACK_TAG
            )
            decision = decide_writes(selected, {k: run.latest_file(k) for k in selected}, write, plan_record.version)
            if decision.reuse:
                context.log.info(
                    f"resume: reusing {len(decision.reuse)} file(s) already generated for plan "
                    f"v{plan_record.version}; writing {len(decision.write)}"
                )
            ctx = validation_context(run, number)
            writer = agent.for_run(run) if decision.write else None
            concurrency = agent.settings_for(run.registration.agent).max_concurrency
        failed: list[Issue] = []
        selected_checks = context.selected_asset_check_keys
        produced = _reused(run, decision.reuse, ctx)
        if writer is not None:
            produced = _chain(
                produced,
                _write_files(
                    run,
                    writer,
                    concurrency,
                    phase,
                    current,
                    write,
                    plan_record.version,
                    list(decision.write),
                    ctx,
                ),
            )
        with user_errors():  # agent errors surface while the replies stream in
            for key, written in _in_order(produced, selected):
                asset = file_keys[key]
                yield dg.MaterializeResult(
                    asset_key=asset,
                    metadata=_metadata(run, key, written),
                    data_version=dg.DataVersion(written.record.sha256),
                )
                for check_name, rules in FILE_CHECKS.items():
                    if dg.AssetCheckKey(asset, check_name) not in selected_checks:
                        continue
                    issues = tuple(i for i in written.issues if i.rule in rules)
                    check = CheckOutcome(name=check_name, rules=rules, issues=issues)
                    failed += check.errors
                    yield check_result(asset, check)
        if failed:
            # The gate asset downstream will not run; leave the phase's report behind here.
            write_phase_report(run, number, file_check_result(run, phase, failed))

    return files


def _in_order(arrivals: Iterator[tuple[str, _Written]], order: list[str]) -> Iterator[tuple[str, _Written]]:
    """Files are stored as they arrive; Dagster needs the materializations in dependency (blueprint) order."""
    ready: dict[str, _Written] = {}
    position = 0
    for key, written in arrivals:
        ready[key] = written
        while position < len(order) and order[position] in ready:
            yield order[position], ready.pop(order[position])
            position += 1


def _chain(*parts: Iterator[tuple[str, _Written]]) -> Iterator[tuple[str, _Written]]:
    for part in parts:
        yield from part


def _metadata(run: DocsRun, key: str, written: _Written) -> dict[str, Any]:
    record = written.record
    text = run.store.read_text(run.run_id, record)
    history = file_history(run, key)
    metadata: dict[str, Any] = {
        "file": record.name,
        **version_metadata(record, run.store, run.run_id),
        "new_version": written.created,
        "reused": written.reused,
        "versions": len(history),
        "history": dg.MetadataValue.md(history_markdown(history, record.version)),
    }
    previous = record.meta.get("previous_version")
    if previous is not None:
        metadata["previous_version"] = int(previous)
    if written.created and (diff := diff_to_previous(run, record, text)) is not None:
        metadata["diff"] = dg.MetadataValue.md(f"```diff\n{truncate_diff(diff)}```")
    metadata["duration_s"] = round(written.duration, 3)
    metadata.update(usage_metadata(written.usage))
    metadata["preview"] = dg.MetadataValue.md(text)
    return metadata


def _reused(run: DocsRun, reuse: dict[str, VersionRecord], ctx: ValidationContext) -> Iterator[tuple[str, _Written]]:
    """Files a resume keeps as they are: no agent call, same version, checks run again (cheap)."""
    for key, record in reuse.items():
        text = run.store.read_text(run.run_id, record)
        usage = Usage(model=str(record.meta.get("agent", {}).get("agent", "")), calls=0, cached=True)
        yield key, _Written(record, False, True, usage, check_file(record.name, text, ctx), 0.0)


def _write_files(
    run: DocsRun,
    writer: Agent,
    max_concurrency: int,
    phase: Phase,
    current: PhasePlan,
    write: WriteContext,
    plan_version: int,
    keys: list[str],
    ctx: ValidationContext,
) -> Iterator[tuple[str, _Written]]:
    """Ask the agent for each file and store each reply as soon as it arrives."""
    targets = link_targets(run, current)
    upstream = run.corpus(phase.number - 1) if phase.number > 0 else {}
    previous = {key: run.latest_file(key) for key in keys}
    requests = [
        WriteRequest(
            brief=run.brief,
            blueprint=run.blueprint,
            phase=phase,
            file=run.planned(key),
            plan=current.for_key(key),
            link_targets=targets,
            upstream=upstream,
            feedback=_feedback(run, write, key, phase.number),
        )
        for key in keys
    ]
    nav = nav_block(run.blueprint, run.brief)
    started = time.monotonic()
    for index, reply in iter_generate_files(writer, requests, max_concurrency):
        key = keys[index]
        before = previous[key]
        text = finalize(reply.markdown, nav)
        reason = write.reason_for(before)
        record, created = run.store.put(
            run.run_id,
            FILES,
            run.filenames[key],
            text,
            {
                "phase": phase.number,
                "key": key,
                "agent": writer.identity(),
                "requested_by": write.requested_by,
                "reason": reason,
                "feedback": write.feedback,
                "previous_version": before.version if before else None,
                "plan_version": plan_version,
                "dagster_run_id": write.dagster_run_id,
                "root_run_id": write.root_run_id,
                "headings": [h.text for h in parse_document(text).headings],
            },
        )
        if before is not None:
            record_regeneration(
                run.store,
                RegenerationRecord(
                    docs_run=run.run_id,
                    phase=phase.number,
                    key=key,
                    file=record.name,
                    requested_by=write.requested_by,
                    reason=reason,
                    feedback=write.feedback,
                    previous_version=before.version,
                    new_version=record.version,
                    changed=created,
                    dagster_run_id=write.dagster_run_id,
                ),
            )
        duration = reply.usage.duration_s or (time.monotonic() - started)
        yield key, _Written(record, created, False, reply.usage, check_file(record.name, text, ctx), duration)
