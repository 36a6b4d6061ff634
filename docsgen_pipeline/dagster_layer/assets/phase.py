"""One phase of a docs run as Dagster assets: plan -> files (+ per-file checks) -> gate -> approval.

The file multi-asset is subsettable: selecting one file asset regenerates just that file.
Per-file checks and gate checks are partitioned and blocking, so a failure stops the run before
the next phase; when per-file checks fail the step writes the phase report itself, because the
downstream validation asset will not run.
"""

# No `from __future__ import annotations` here: Dagster reads the asset functions' parameter
# annotations at definition time to find config and resources, and needs real types.

import time
from collections.abc import Iterator
from typing import Any

import dagster as dg
from pydantic import Field

from docsgen_pipeline.agents.base import Agent, Usage, WriteRequest
from docsgen_pipeline.blueprint import Blueprint, Phase
from docsgen_pipeline.compose import finalize, link_targets, nav_block, validation_context
from docsgen_pipeline.dagster_layer.keys import BRIEF_KEY, approval_key, file_key, plan_key, validation_key
from docsgen_pipeline.dagster_layer.partitions import FEEDBACK_TAG, REASON_TAG, REQUESTED_BY_TAG, docs_runs
from docsgen_pipeline.dagster_layer.resources import AgentResource, ArtifactStoreResource
from docsgen_pipeline.dagster_layer.runtime import load_run, tag, user_errors, version_metadata
from docsgen_pipeline.docs_run import (
    APPROVALS,
    FILES,
    PLANS,
    REPORTS,
    DocsRun,
    approval_name,
    issues_name,
    issues_report_name,
    plan_name,
    report_name,
)
from docsgen_pipeline.generation import generate_files
from docsgen_pipeline.planning import PhasePlan, enforce_blueprint
from docsgen_pipeline.reports import GateResult, issue_table_markdown, outcomes
from docsgen_pipeline.agents.base import PlanRequest
from docsgen_pipeline.validators.api import FILE_CHECKS, GATE_CHECKS, check_file, run_gate
from docsgen_pipeline.validators.model import Issue

CODE_VERSION = "1"


def _usage_metadata(usage: Usage) -> dict[str, Any]:
    return {
        "model": usage.model,
        "tokens_in": usage.tokens_in,
        "tokens_out": usage.tokens_out,
        "agent_duration_s": round(usage.duration_s, 3),
        "retries": usage.retries,
        "cost_usd": round(usage.cost_usd, 6),
        "cached": usage.cached,
    }


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


def write_phase_report(run: DocsRun, phase: int, result: GateResult) -> dict[str, Any]:
    """Store the human report, the structured issue list and, on failure, the issues report."""
    store, run_id = run.store, run.run_id
    report, _ = store.put(run_id, REPORTS, report_name(phase), result.render(run_id), {"passed": result.passed})
    store.put(run_id, REPORTS, issues_name(phase), result.issues_json(), {"passed": result.passed})
    if not result.passed:
        store.put(run_id, REPORTS, issues_report_name(phase), result.render(run_id), {"passed": False})
    return {"report": report}


def build_phase_assets(blueprint: Blueprint, phase: Phase) -> list[dg.AssetsDefinition]:
    number = phase.number
    upstream = BRIEF_KEY if number == 0 else approval_key(number - 1)
    file_keys = {f.key: file_key(phase, f) for f in phase.files}
    key_to_file = {v: k for k, v in file_keys.items()}
    all_file_keys = {f.key: file_key(p, f) for p in blueprint.phases for f in p.files}

    @dg.asset(
        key=plan_key(number),
        deps=[upstream],
        partitions_def=docs_runs,
        group_name=phase.key,
        code_version=CODE_VERSION,
        description=f"Phase {number} ({phase.title}) plan: outline, intent and dependencies of each planned file.",
        pool="docsgen_llm",
    )
    def plan(
        context: dg.AssetExecutionContext, store: ArtifactStoreResource, agent: AgentResource
    ) -> dg.MaterializeResult:
        with user_errors():
            run = load_run(context, store.get(), blueprint)
            writer = agent.build(run.registration.agent)
            started = time.monotonic()
            reply = writer.plan_phase(
                PlanRequest(brief=run.brief, blueprint=run.blueprint, phase=phase, filenames=run.filenames)
            )
            checked = enforce_blueprint(reply.plan, run.blueprint, phase, run.registration.slug)
            record, _ = run.store.put(
                run.run_id, PLANS, plan_name(number), checked.model_dump_json(indent=2), {"agent": writer.identity()}
            )
        outline = "\n".join(
            f"- **{f.filename}**: " + ", ".join(s.heading for s in f.outline) for f in checked.files
        )
        return dg.MaterializeResult(
            metadata={
                **version_metadata(record, run.store, run.run_id),
                "files": len(checked.files),
                "outline": dg.MetadataValue.md(outline),
                "duration_s": round(time.monotonic() - started, 3),
                **_usage_metadata(reply.usage),
            },
            data_version=dg.DataVersion(record.sha256),
        )

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
                raise dg.Failure(description=f"phase {number} has no plan yet: materialize {plan_key(number).to_user_string()} first")
            selected = [key_to_file[k] for k in sorted(context.selected_asset_keys, key=str) if k in key_to_file]
            selected.sort(key=lambda k: [f.key for f in phase.files].index(k))
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
                    **_usage_metadata(usage),
                    "preview": dg.MetadataValue.md(text),
                },
                data_version=dg.DataVersion(record.sha256),
            )
            for check_name, rules in FILE_CHECKS.items():
                if dg.AssetCheckKey(asset, check_name) not in selected_checks:
                    continue
                found = [i for i in issues if i.rule in rules]
                failed += found
                yield dg.AssetCheckResult(
                    asset_key=asset,
                    check_name=check_name,
                    passed=not found,
                    severity=dg.AssetCheckSeverity.ERROR,
                    metadata={"issues": dg.MetadataValue.md(issue_table_markdown(found)), "count": len(found)},
                )
        if failed:
            # The gate asset downstream will not run; leave the phase's report behind here.
            file_records = tuple(run.file_versions([f.key for f in phase.files]).values())
            checks = tuple(outcomes(failed, FILE_CHECKS))
            write_phase_report(
                run, number, GateResult(title=f"Phase {number} validation: {phase.title}", scope="per-file checks", checks=checks, files=file_records)
            )

    return [plan, files, build_gate_asset(blueprint, phase, list(file_keys.values())), build_approval_asset(blueprint, phase)]


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


def build_gate_asset(blueprint: Blueprint, phase: Phase, file_asset_keys: list[dg.AssetKey]) -> dg.AssetsDefinition:
    number = phase.number
    key = validation_key(number)

    @dg.asset(
        key=key,
        deps=file_asset_keys,
        partitions_def=docs_runs,
        group_name=phase.key,
        code_version=CODE_VERSION,
        description=f"Phase {number} gate: validates every file of the phase and writes {report_name(number)}.",
        check_specs=[
            dg.AssetCheckSpec(name, asset=key, blocking=True, partitions_def=docs_runs, description=f"rules: {', '.join(rules)}")
            for name, rules in GATE_CHECKS.items()
        ],
    )
    def validation(context: dg.AssetExecutionContext, store: ArtifactStoreResource) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        with user_errors():
            run = load_run(context, store.get(), blueprint)
            result = run_phase_gate(run, phase)
            written = write_phase_report(run, number, result)
        report = written["report"]
        yield dg.MaterializeResult(
            metadata={
                "passed": result.passed,
                "errors": sum(len(c.errors) for c in result.checks),
                **version_metadata(report, run.store, run.run_id),
                "report": dg.MetadataValue.md(run.store.read_text(run.run_id, report)),
                "file_versions": dg.MetadataValue.json({f.name: f.version for f in result.files}),
            },
            data_version=dg.DataVersion(report.sha256),
        )
        for check in result.checks:
            if check.name not in GATE_CHECKS:
                continue
            yield dg.AssetCheckResult(
                asset_key=key,
                check_name=check.name,
                passed=check.passed,
                severity=dg.AssetCheckSeverity.ERROR,
                metadata={"issues": dg.MetadataValue.md(issue_table_markdown(check.issues)), "count": len(check.issues)},
            )

    return validation


def run_phase_gate(run: DocsRun, phase: Phase) -> GateResult:
    ctx = validation_context(run, phase.number)
    targets = run.phase_files(phase.number)
    corpus = run.corpus(phase.number)
    issues: list[Issue] = []
    for name, text in targets.items():
        issues += check_file(name, text, ctx)
    issues += run_gate(targets, corpus, ctx)
    checks = tuple(outcomes(issues, {**FILE_CHECKS, **GATE_CHECKS}))
    return GateResult(
        title=f"Phase {phase.number} validation: {phase.title}",
        scope=f"phase {phase.number} ({len(targets)} files)",
        checks=checks,
        files=tuple(run.file_versions([f.key for f in phase.files]).values()),
    )


class ApprovalConfig(dg.Config):  # type: ignore[misc]
    """Who approves this phase (interactive review) and why."""

    approver: str = Field(default="", description="your name; required in interactive review mode")
    note: str = Field(default="", description="optional note kept with the approval")


def build_approval_asset(blueprint: Blueprint, phase: Phase) -> dg.AssetsDefinition:
    number = phase.number

    @dg.asset(
        key=approval_key(number),
        deps=[validation_key(number)],
        partitions_def=docs_runs,
        group_name=phase.key,
        code_version=CODE_VERSION,
        description=f"Approval of phase {number} ({phase.title}): who, when, and which file versions it covers.",
    )
    def approval(context: dg.AssetExecutionContext, config: ApprovalConfig, store: ArtifactStoreResource) -> dg.MaterializeResult:
        with user_errors():
            run = load_run(context, store.get(), blueprint)
            approver = config.approver.strip()
            if not approver:
                if run.registration.review_mode == "interactive":
                    raise dg.Failure(
                        description=(
                            f"phase {number} of '{run.run_id}' awaits a human approval: "
                            f"docsgen approve {run.run_id} --phase {number} --by NAME"
                        )
                    )
                approver = "batch"
            covered = {r.name: {"version": r.version, "sha256": r.sha256} for r in run.file_versions([f.key for f in phase.files]).values()}
            payload = {"phase": number, "approver": approver, "note": config.note, "files": covered, "dagster_run_id": context.run.run_id}
            import json

            record, _ = run.store.put(run.run_id, APPROVALS, approval_name(number), json.dumps(payload, indent=2, sort_keys=True))
        return dg.MaterializeResult(
            metadata={"approver": approver, "note": config.note, "files": dg.MetadataValue.json(covered), **version_metadata(record, run.store, run.run_id)},
            data_version=dg.DataVersion(record.sha256),
        )

    return approval
