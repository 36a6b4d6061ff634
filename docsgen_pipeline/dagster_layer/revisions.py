"""Rejecting a phase and regenerating files: shared by ``docsgen reject/regenerate`` and the UI jobs.

Both rewrite planned files in a Dagster run of the phase's own job (only the targeted files call
the agent), with the phase gate in the same run; what differs is who drives the rest:

* the CLI (``finish=True``) runs the final cross-validation (and in batch mode the bundle) in its
  own process when the docs run had reached it;
* the UI jobs (``finish=False``) leave that to the sensors: ``advance_sensor`` starts
  ``docs_run_final`` once every phase is approved again, so a regenerated Complete run is bundled
  again (a new bundle version) without anybody at a terminal.

The caller holds the docs run's execution lock.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import dagster as dg

from docsgen_pipeline.dagster_layer.execute import (
    StepOutcome,
    approve_phase,
    ensure_partition,
    execute,
    execute_final,
)
from docsgen_pipeline.dagster_layer.facts import FEEDBACK_LOG, approval_is_current, cancel_fact, collect
from docsgen_pipeline.dagster_layer.jobs import FINAL_JOB, phase_job_name
from docsgen_pipeline.dagster_layer.keys import CROSS_VALIDATION_KEY, file_key, plan_key, validation_key
from docsgen_pipeline.dagster_layer.partitions import FEEDBACK_TAG, REASON_TAG, REQUESTED_BY_TAG
from docsgen_pipeline.dagster_layer.staleness import stale_phases
from docsgen_pipeline.docs_run import FINAL_REPORT, REPORTS, DocsRun, report_name
from docsgen_pipeline.errors import ConfigError, LifecycleError, RunLockedError
from docsgen_pipeline.lifecycle import DEFAULT_MAX_REVISION_ROUNDS, revision_refusal
from docsgen_pipeline.regeneration import Target, regenerations
from docsgen_pipeline.versions import resolve_file_key

MAX_ROUNDS_ENV = "DOCSGEN_MAX_REVISION_ROUNDS"


def max_rounds_default() -> int:
    raw = os.environ.get(MAX_ROUNDS_ENV, "")
    if not raw:
        return DEFAULT_MAX_REVISION_ROUNDS
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"{MAX_ROUNDS_ENV}={raw!r}: give a whole number of revision rounds, at least 1")
    return int(raw)


def refuse_if_canceled(run: DocsRun) -> None:
    """A canceled docs run never runs again: refuse before any Dagster run starts."""
    canceled = cancel_fact(run.store, run.run_id)
    if canceled is not None:
        why = f" ({canceled.reason})" if canceled.reason else ""
        raise LifecycleError(
            f"docs run '{run.run_id}' was canceled by {canceled.by}{why}; nothing more runs in it. "
            "Its artifacts are kept; to generate again, register a new docs run: docsgen run BRIEF --run-id NEW"
        )


def _report_path(run: DocsRun, name: str) -> str:
    record = run.store.latest(run.run_id, REPORTS, name)
    return run.store.where(run.run_id, record) if record else ""


def reapprove_if_batch(
    run: DocsRun,
    phase: int,
    note: str,
    *,
    instance: dg.DagsterInstance,
    defs: dg.Definitions,
    tags: Mapping[str, str],
) -> StepOutcome | None:
    """Batch runs approve themselves once a rewritten phase passes its gate; None for interactive runs
    (a person approves) and when the phase's approval still covers every file."""
    if run.registration.review_mode != "batch" or approval_is_current(run.store, run.run_id, phase):
        return None
    return approve_phase(defs, instance, run.run_id, phase, approver="batch", note=note, tags=tags)


def regenerate_run(
    run: DocsRun,
    targets: list[Target],
    *,
    instance: dg.DagsterInstance,
    defs: dg.Definitions,
    requested_by: str,
    reason: str,
    feedback: str,
    tags: Mapping[str, str],
    finish: bool = True,
) -> dict[str, Any]:
    """Execute the targets in phase order; returns the summary ``docsgen regenerate --json`` prints.

    ``tags``: the caller's own run tags (who executes in-process); ``finish``: run the final
    cross-validation (and the batch bundle) here rather than leave it to ``advance_sensor``.
    """
    refuse_if_canceled(run)
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
    run_tags = {**tags, REQUESTED_BY_TAG: requested_by, REASON_TAG: reason}
    if feedback:
        run_tags[FEEDBACK_TAG] = feedback
    summary: dict[str, Any] = {"run": run.run_id, "phases": [], "ok": True}
    for target in targets:
        phase = run.phase(target.phase)
        selection = [file_key(phase, run.planned(k)) for k in target.keys]
        if target.whole_phase:
            selection.insert(0, plan_key(target.phase))
        selection.append(validation_key(target.phase))
        # The phase's own job: Dagster snapshots the job per run, and the phase job is a fifth of the graph.
        job = phase_job_name(target.phase)
        outcome = execute(defs, instance, job, run.run_id, run_tags, asset_selection=selection)
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
            continue
        approval = reapprove_if_batch(
            run,
            target.phase,
            f"re-approved after regeneration (Dagster run {outcome.dagster_run_id})",
            instance=instance,
            defs=defs,
            tags=tags,
        )
        if approval is None:
            entry["approval"] = f"awaiting: docsgen approve {run.run_id} --phase {target.phase} --by NAME"
        else:
            entry["approval"] = "re-approved (batch)" if approval.success else f"failed: {approval.failure}"
            summary["ok"] = summary["ok"] and approval.success
    summary["cross_validation"] = None
    if reached_final and finish:
        if batch and summary["ok"]:
            final = execute_final(defs, instance, run.run_id, tags=tags)
        else:
            final = execute(defs, instance, FINAL_JOB, run.run_id, tags, asset_selection=[CROSS_VALIDATION_KEY])
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


@dataclass(frozen=True)
class Rejection:
    """One recorded revision round and the Dagster run that rewrote the files with its feedback."""

    event: dict[str, Any]
    round: int
    limit: int
    outcome: StepOutcome


def reject_phase(
    instance: dg.DagsterInstance,
    defs: dg.Definitions,
    run: DocsRun,
    phase: int,
    note: str,
    files: Sequence[str],
    by: str,
    *,
    max_rounds: int | None,
    tags: Mapping[str, str],
) -> Rejection:
    """Record feedback on ``phase`` (a revision round), then regenerate its files (or ``files``) with it.

    The note travels as the run's feedback tag, so the version and regeneration records keep it;
    the phase gate runs on the new versions in the same Dagster run.
    """
    run_id = run.run_id
    if not note.strip():
        raise LifecycleError(f"say what to change: docsgen reject {run_id} --phase {phase} --note TEXT")
    limit = max_rounds or max_rounds_default()
    facts = collect(instance, run.store, run_id, count_lock=False)
    refusal = revision_refusal(facts, phase, limit)
    if refusal is not None:
        raise LifecycleError(f"rejection refused: {refusal}")
    keys = [resolve_file_key(run, f) for f in files]
    outside = [k for k in keys if run.blueprint.phase_of[k] != phase]
    if outside:
        raise LifecycleError(f"{', '.join(run.filenames[k] for k in outside)} is not a file of phase {phase}")
    round_number = facts.phases[phase].revision_rounds + 1
    event = run.store.append_event(
        run_id,
        FEEDBACK_LOG,
        {"phase": phase, "files": keys, "note": note.strip(), "by": by, "round": round_number},
    )
    planned = run.blueprint.phases[phase].files
    chosen = [f for f in planned if not keys or f.key in keys]
    selection = [file_key(run.blueprint.phases[phase], f) for f in chosen] + [validation_key(phase)]
    ensure_partition(instance, run_id)
    outcome = execute(
        defs,
        instance,
        phase_job_name(phase),
        run_id,
        tags={**tags, REASON_TAG: "reject", REQUESTED_BY_TAG: by, FEEDBACK_TAG: note.strip()},
        asset_selection=selection,
    )
    return Rejection(event=event, round=round_number, limit=limit, outcome=outcome)
