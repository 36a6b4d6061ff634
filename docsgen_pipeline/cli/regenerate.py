"""``docsgen regenerate RUN --file NAME | --phase N``: rewrite chosen files, revalidate, pay for nothing else.

Only the targeted files call the agent. Each rewrite becomes the file's next version (identical
text stays the same version) and is recorded in the docs run's ``regenerations`` log. The phase
gate runs again; the phase's approval no longer covers its files, so in batch mode it is
re-approved when the gate passes and in interactive mode the phase awaits approval. The final
cross-validation runs again when the run had reached it. Later phases are never rewritten: they
are reported stale, with the command that refreshes each.
"""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Any

import click
import dagster as dg

from docsgen_pipeline.blueprint import load_blueprint
from docsgen_pipeline.cli.instance import get_definitions, get_instance
from docsgen_pipeline.dagster_layer.execute import approve_phase, ensure_partition, execute, execute_final
from docsgen_pipeline.dagster_layer.facts import IN_PROCESS_TAG, approval_is_current, cancel_fact, collect
from docsgen_pipeline.dagster_layer.jobs import FINAL_JOB, phase_job_name
from docsgen_pipeline.dagster_layer.keys import CROSS_VALIDATION_KEY, file_key, plan_key, validation_key
from docsgen_pipeline.dagster_layer.partitions import FEEDBACK_TAG, REASON_TAG, REQUESTED_BY_TAG
from docsgen_pipeline.dagster_layer.staleness import stale_phases
from docsgen_pipeline.docs_run import FINAL_REPORT, REPORTS, DocsRun, report_name
from docsgen_pipeline.errors import LifecycleError, RunLockedError
from docsgen_pipeline.locks import execution_lock
from docsgen_pipeline.regeneration import (
    FEEDBACK,
    REGENERATE,
    RESUME,
    Target,
    check_blueprint_pin,
    regenerations,
    resolve_targets,
)
from docsgen_pipeline.settings import store_root
from docsgen_pipeline.store import ArtifactStore


def _report_path(run: DocsRun, name: str) -> str:
    record = run.store.latest(run.run_id, REPORTS, name)
    return str(run.store.run_dir(run.run_id) / record.path) if record else ""


def refuse_if_canceled(run: DocsRun) -> None:
    """A canceled docs run never runs again: refuse before any Dagster run starts."""
    canceled = cancel_fact(run.store, run.run_id)
    if canceled is not None:
        why = f" ({canceled.reason})" if canceled.reason else ""
        raise LifecycleError(
            f"docs run '{run.run_id}' was canceled by {canceled.by}{why}; nothing more runs in it. "
            "Its artifacts are kept; to generate again, register a new docs run: docsgen run BRIEF --run-id NEW"
        )


def regenerate_run(
    run: DocsRun,
    targets: list[Target],
    *,
    requested_by: str,
    reason: str,
    feedback: str,
    defs: dg.Definitions | None = None,
) -> dict[str, Any]:
    """Execute the targets in phase order; returns the summary ``--json`` prints.

    ``defs`` defaults to the Definitions of the run's pinned blueprint (tests pass their own agent).
    """
    refuse_if_canceled(run)
    instance = get_instance()
    defs = defs or get_definitions(run.blueprint)
    ensure_partition(instance, run.run_id)
    in_flight = collect(instance, run.store, run.run_id, count_lock=False).in_flight
    if in_flight:
        runs = ", ".join(f"{r.job_name} ({r.dagster_run_id[:8]})" for r in in_flight)
        raise RunLockedError(
            f"docs run '{run.run_id}' has Dagster runs in flight: {runs}; regenerate once they finish "
            f"(docsgen status {run.run_id}) or stop them with `docsgen cancel {run.run_id}`"
        )
    batch = run.registration.review_mode == "batch"
    reached_final = run.store.latest(run.run_id, REPORTS, FINAL_REPORT) is not None
    tags = {IN_PROCESS_TAG: "docsgen-cli", REQUESTED_BY_TAG: requested_by, REASON_TAG: reason}
    if feedback:
        tags[FEEDBACK_TAG] = feedback
    summary: dict[str, Any] = {"run": run.run_id, "phases": [], "ok": True}
    for target in targets:
        phase = run.phase(target.phase)
        selection = [file_key(phase, run.planned(k)) for k in target.keys]
        if target.whole_phase:
            selection.insert(0, plan_key(target.phase))
        selection.append(validation_key(target.phase))
        # The phase's own job: Dagster snapshots the job per run, and the phase job is a fifth of the graph.
        job = phase_job_name(target.phase)
        outcome = execute(defs, instance, job, run.run_id, tags, asset_selection=selection)
        records = [r for r in regenerations(run.store, run.run_id) if r.dagster_run_id == outcome.dagster_run_id]
        entry: dict[str, Any] = {
            "phase": target.phase,
            "dagster_run_id": outcome.dagster_run_id,
            "files": [r.model_dump() for r in records],
            "gate_passed": outcome.success,
            "failure": outcome.failure,
            "report": _report_path(run, report_name(target.phase)),
        }
        summary["phases"].append(entry)
        if not outcome.success:
            summary["ok"] = False
            entry["approval"] = "invalidated"
            break
        if approval_is_current(run.store, run.run_id, target.phase):
            # Identical texts are the same versions: the phase's approval still covers them.
            entry["approval"] = "unchanged (still covers every file)"
        elif batch:
            approval = approve_phase(
                defs,
                instance,
                run.run_id,
                target.phase,
                approver="batch",
                note=f"re-approved after regeneration (Dagster run {outcome.dagster_run_id})",
                tags={IN_PROCESS_TAG: "docsgen-cli"},
            )
            entry["approval"] = "re-approved (batch)" if approval.success else f"failed: {approval.failure}"
            summary["ok"] = summary["ok"] and approval.success
        else:
            entry["approval"] = f"awaiting: docsgen approve {run.run_id} --phase {target.phase} --by NAME"
    summary["cross_validation"] = None
    if reached_final:
        final_tags = {IN_PROCESS_TAG: "docsgen-cli"}
        if batch and summary["ok"]:
            final = execute_final(defs, instance, run.run_id, tags=final_tags)
        else:
            final = execute(defs, instance, FINAL_JOB, run.run_id, final_tags, asset_selection=[CROSS_VALIDATION_KEY])
        summary["cross_validation"] = {
            "passed": final.success,
            "failure": final.failure,
            "report": _report_path(run, FINAL_REPORT),
        }
        summary["ok"] = summary["ok"] and final.success
    first = min(t.phase for t in targets)
    later = range(first + 1, len(run.blueprint.phases))
    summary["stale"] = [
        s.as_dict() for s in stale_phases(instance, defs, run.blueprint, run.run_id, later, False) if s.is_stale
    ]
    return summary


def _echo_summary(summary: dict[str, Any]) -> None:
    for entry in summary["phases"]:
        for rec in entry["files"]:
            if rec["changed"]:
                change = f"v{rec['previous_version']} -> v{rec['new_version']}"
            else:
                change = f"unchanged (identical text, still v{rec['new_version']})"
            click.echo(f"{rec['file']}: {change}", err=True)
        if entry["gate_passed"]:
            click.echo(f"phase {entry['phase']} gate: passed; approval: {entry['approval']}", err=True)
        else:
            click.echo(
                f"phase {entry['phase']} gate: FAILED ({entry['failure']}) — report: {entry['report']}", err=True
            )
    final = summary["cross_validation"]
    if final is not None:
        verdict = "passed" if final["passed"] else f"FAILED ({final['failure']})"
        click.echo(f"final cross-validation: {verdict} — report: {final['report']}", err=True)
    for stale in summary["stale"]:
        why = (
            "its inputs changed"
            if stale["behind_phase"] is None
            else f"it builds on stale phase {stale['behind_phase']}"
        )
        click.echo(f"phase {stale['phase']} is stale ({why}; left untouched); refresh: {stale['command']}", err=True)


@click.command("regenerate")
@click.argument("run_id")
@click.option("--file", "files", multiple=True, help="a planned file (name, key or asset key); repeatable")
@click.option("--phase", type=int, help="every file of one phase (re-plans the phase too)")
@click.option("--feedback", default="", help="what the writer should change (kept for later regenerations)")
@click.option("--reason", default="", help="why, recorded with each new version (default: regenerate/feedback)")
@click.option("--by", "requested_by", default=None, help="who asks (default: cli:<user>)")
@click.option(
    "--blueprint",
    "blueprint_path",
    type=click.Path(path_type=Path),
    help="refuse unless this is the blueprint the run was registered with",
)
@click.option("--json", "as_json", is_flag=True, help="print the outcome as JSON on stdout")
def regenerate(
    run_id: str,
    files: tuple[str, ...],
    phase: int | None,
    feedback: str,
    reason: str,
    requested_by: str | None,
    blueprint_path: Path | None,
    as_json: bool,
) -> int:
    """Regenerate planned files of docs run RUN_ID (only they call the agent), then revalidate."""
    store = ArtifactStore(store_root())
    run = DocsRun.load(store, run_id)
    refuse_if_canceled(run)
    if blueprint_path is not None:
        check_blueprint_pin(run, load_blueprint(blueprint_path))
    targets = resolve_targets(run, list(files), phase)
    why = reason.strip() or (FEEDBACK if feedback.strip() else REGENERATE)
    if why == RESUME:
        raise click.UsageError("--reason resume is reserved for resuming a docs run; give another reason")
    with execution_lock(store, run_id, "docsgen regenerate"):
        summary = regenerate_run(
            run,
            targets,
            requested_by=requested_by or f"cli:{getpass.getuser()}",
            reason=why,
            feedback=feedback.strip(),
        )
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    else:
        _echo_summary(summary)
    return 0 if summary["ok"] else 1
