"""Recorded facts of a docs run, read from the Dagster instance and the artifact store.

This is the one module that touches Dagster internals (latest check execution per partition);
everything it returns is a plain :mod:`docsgen_pipeline.lifecycle` dataclass.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import dagster as dg
from dagster._core.event_api import PartitionKeyFilter
from dagster._core.storage.asset_check_execution_record import (
    AssetCheckExecutionRecord,
    AssetCheckExecutionRecordStatus,
)
from dagster._core.storage.tags import PARTITION_NAME_TAG

from docsgen_pipeline.dagster_layer.jobs import phase_job_name
from docsgen_pipeline.dagster_layer.keys import (
    BUNDLE_KEY,
    CROSS_VALIDATION_KEY,
    approval_key,
    file_key,
    validation_key,
)
from docsgen_pipeline.dagster_layer.locking import is_locked
from docsgen_pipeline.dagster_layer.partitions import RUN_TAG
from docsgen_pipeline.docs_run import APPROVALS, FINAL_REPORT, PLANS, REPORTS, DocsRun, approval_name, plan_name
from docsgen_pipeline.gate import CROSS_CHECKS
from docsgen_pipeline.lifecycle import (
    ApprovalFact,
    CancelFact,
    DagsterRunFact,
    FileVersion,
    GateFact,
    PhaseFacts,
    RunFacts,
    phase_approved,
)
from docsgen_pipeline.process_owner import describe_owner, owner_alive
from docsgen_pipeline.store import ArtifactStore
from docsgen_pipeline.validators.api import FILE_CHECKS, GATE_CHECKS

LIFECYCLE_LOG = "lifecycle"
FEEDBACK_LOG = "feedback"
# Runs the CLI executes in its own process carry this tag: if the process died, the run is not in flight.
IN_PROCESS_TAG = "docsgen/in_process"

_UNFINISHED = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]
_FINISHED = {
    dg.DagsterRunStatus.SUCCESS: "success",
    dg.DagsterRunStatus.FAILURE: "failure",
    dg.DagsterRunStatus.CANCELED: "canceled",
}


def epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def _latest_materialization(instance: dg.DagsterInstance, key: dg.AssetKey, run_id: str) -> dg.EventLogEntry | None:
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=key, asset_partitions=[run_id]), limit=1
    ).records
    return records[0].event_log_entry if records else None


def _check_verdict(
    instance: dg.DagsterInstance, keys: Iterable[dg.AssetCheckKey], run_id: str
) -> tuple[bool | None, float]:
    """(all latest executions passed? None if none finished, latest time) for the partition."""
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(
        list(keys), partition_filter=PartitionKeyFilter(key=run_id)
    )
    finished = [r for r in latest.values() if r.status is not AssetCheckExecutionRecordStatus.PLANNED]
    if not finished:
        return None, 0.0
    passed = all(_passed(r) for r in finished)
    return passed, max(r.create_timestamp for r in finished)


def _passed(record: AssetCheckExecutionRecord) -> bool:
    """Succeeded, or failed with WARN severity only (warnings never stop a docs run)."""
    if record.status is AssetCheckExecutionRecordStatus.SUCCEEDED:
        return True
    evaluation = record.evaluation
    return evaluation is not None and evaluation.severity is dg.AssetCheckSeverity.WARN


def _metadata(entry: dg.EventLogEntry, name: str) -> Any:
    materialization = entry.asset_materialization
    value = materialization.metadata.get(name) if materialization is not None else None
    return getattr(value, "value", None)


def _gate(instance: dg.DagsterInstance, run: DocsRun, number: int) -> GateFact | None:
    phase = run.phase(number)
    key = validation_key(number)
    file_checks = [dg.AssetCheckKey(file_key(phase, f), name) for f in phase.files for name in FILE_CHECKS]
    files_passed, files_at = _check_verdict(instance, file_checks, run.run_id)
    entry = _latest_materialization(instance, key, run.run_id)
    if files_passed is False and (entry is None or files_at >= entry.timestamp):
        # Per-file checks failed: the gate did not get to run on these files.
        return GateFact(passed=False, at=files_at, files=None)
    if entry is None:
        return None
    gate_passed, _ = _check_verdict(instance, [dg.AssetCheckKey(key, name) for name in GATE_CHECKS], run.run_id)
    seen = _metadata(entry, "file_versions")
    passed = bool(_metadata(entry, "passed")) and gate_passed is not False
    versions = {str(k): int(v) for k, v in seen.items()} if isinstance(seen, dict) else None
    return GateFact(passed=passed, at=entry.timestamp, files=versions)


def _approval(store: ArtifactStore, run_id: str, number: int) -> ApprovalFact | None:
    record = store.latest(run_id, APPROVALS, approval_name(number))
    if record is None:
        return None
    payload = json.loads(store.read_text(run_id, record))
    return ApprovalFact(
        approver=str(payload.get("approver", "")),
        at=epoch(record.created_at),
        files={name: str(entry["sha256"]) for name, entry in payload.get("files", {}).items()},
        sha256=record.sha256,
        note=str(payload.get("note", "")),
    )


def _phase(instance: dg.DagsterInstance, run: DocsRun, number: int) -> PhaseFacts:
    phase = run.phase(number)
    current = {
        name: FileVersion(record.version, record.sha256)
        for name, record in run.file_versions([f.key for f in phase.files]).items()
    }
    rounds = sum(1 for e in run.store.events(run.run_id, FEEDBACK_LOG) if e.get("phase") == number)
    return PhaseFacts(
        number=number,
        expected_files=len(phase.files),
        planned=run.store.latest(run.run_id, PLANS, plan_name(number)) is not None,
        current_files=current,
        gate=_gate(instance, run, number),
        approval=_approval(run.store, run.run_id, number),
        revision_rounds=rounds,
    )


def cancel_fact(store: ArtifactStore, run_id: str) -> CancelFact | None:
    for event in store.events(run_id, LIFECYCLE_LOG):
        if event.get("event") == "canceled":
            return CancelFact(
                by=str(event.get("by", "")), at=epoch(str(event["at"])), reason=str(event.get("reason", ""))
            )
    return None


def _approval_only(run: dg.DagsterRun, approval_keys: set[dg.AssetKey]) -> bool:
    selection = run.asset_selection
    return selection is not None and bool(selection) and set(selection) <= approval_keys


def _failure(instance: dg.DagsterInstance, dagster_run_id: str) -> str:
    messages = []
    for entry in instance.all_logs(dagster_run_id, of_type=dg.DagsterEventType.STEP_FAILURE):
        event = entry.dagster_event
        data = event.step_failure_data if event is not None else None
        if data is None:
            continue
        description = data.user_failure_data.description if data.user_failure_data is not None else None
        error = data.error
        while error is not None and error.cause is not None:  # the user code's error, not Dagster's wrapper
            error = error.cause
        if not description and error is not None:
            description = error.message.strip().splitlines()[-1]
        messages.append(f"{entry.step_key}: {description}")
    return "; ".join(messages)


def mark_dead_run(instance: dg.DagsterInstance, run: dg.DagsterRun) -> None:
    """Record a run whose owning process is gone as failed, saying so (Dagster never will)."""
    message = (
        f"the process that executed this run ({describe_owner(run.tags)}) is gone (killed, out of memory "
        "or rebooted); DocsGen marked the run failed so the docs run can continue"
    )
    instance.report_run_failed(run, message)


def dagster_runs(
    instance: dg.DagsterInstance,
    store: ArtifactStore,
    run_id: str,
    exclude: str | None = None,
    caller_holds_lock: bool = False,
) -> tuple[list[dg.DagsterRun], list[dg.RunRecord]]:
    """(Dagster runs in flight, finished run records newest first) of one docs run.

    A run executed in-process by a CLI whose process is gone (``kill -9``, OOM, reboot) is
    marked failed in the instance here and not counted.  ``caller_holds_lock``: the caller holds
    the execution lock itself, so the lock says nothing about other processes' runs.
    """
    unfinished = _runs_of(instance, run_id, _UNFINISHED)
    locked = None
    in_flight = []
    for run in unfinished:
        if run.run_id == exclude:
            continue
        if run.tags.get(IN_PROCESS_TAG) and run.status is not dg.DagsterRunStatus.QUEUED:
            alive = owner_alive(run.tags)
            if alive is False:
                mark_dead_run(instance, run)
                continue
            if alive is None:
                # No owner recorded (or another host): alive only while a CLI holds the lock.
                if caller_holds_lock:
                    continue
                locked = is_locked(instance, store, run_id) if locked is None else locked
                if not locked:
                    continue
        in_flight.append(run)
    finished: dict[str, dg.RunRecord] = {}
    for tag in (RUN_TAG, PARTITION_NAME_TAG):
        for record in instance.get_run_records(dg.RunsFilter(tags={tag: run_id}, statuses=list(_FINISHED)), limit=25):
            finished[record.dagster_run.run_id] = record
    newest_first = sorted(finished.values(), key=lambda r: r.create_timestamp, reverse=True)
    return in_flight, newest_first


def _runs_of(instance: dg.DagsterInstance, run_id: str, statuses: list[dg.DagsterRunStatus]) -> list[dg.DagsterRun]:
    """Runs tagged with the docs run, or materializing its partition (e.g. launched from the UI)."""
    runs: dict[str, dg.DagsterRun] = {}
    for tag in (RUN_TAG, PARTITION_NAME_TAG):
        for run in instance.get_runs(dg.RunsFilter(tags={tag: run_id}, statuses=statuses)):
            runs[run.run_id] = run
    return list(runs.values())


def collect(
    instance: dg.DagsterInstance,
    store: ArtifactStore,
    run_id: str,
    exclude_dagster_run: str | None = None,
    count_lock: bool = True,
) -> RunFacts:
    """Every recorded fact the lifecycle needs about one docs run.

    ``exclude_dagster_run``: the caller's own Dagster run (an asset asking about its docs run);
    ``count_lock=False``: the caller holds the execution lock itself (the CLI driving the run).
    """
    with store.one_listing(run_id):
        run = DocsRun.load(store, run_id)
        phases = tuple(_phase(instance, run, p.number) for p in run.blueprint.phases)
    approval_keys = {approval_key(p.number) for p in run.blueprint.phases}
    unfinished, finished = dagster_runs(instance, store, run_id, exclude_dagster_run, caller_holds_lock=not count_lock)
    in_flight = tuple(
        DagsterRunFact(r.run_id, r.job_name, "in_progress", at=_run_time(instance, r.run_id)) for r in unfinished
    )
    last: DagsterRunFact | None = None
    for record in finished:
        if record.dagster_run.run_id == exclude_dagster_run or _approval_only(record.dagster_run, approval_keys):
            continue
        status = _FINISHED[record.dagster_run.status]
        last = DagsterRunFact(
            record.dagster_run.run_id,
            record.dagster_run.job_name,
            status,
            at=record.update_timestamp.timestamp(),
            failure=_failure(instance, record.dagster_run.run_id) if status != "success" else "",
        )
        break
    final_entry = _latest_materialization(instance, CROSS_VALIDATION_KEY, run_id)
    final_gate = None
    if final_entry is not None:
        checks_passed, _ = _check_verdict(
            instance, [dg.AssetCheckKey(CROSS_VALIDATION_KEY, name) for name in CROSS_CHECKS], run_id
        )
        passed = bool(_metadata(final_entry, "passed")) and checks_passed is not False
        final_gate = GateFact(passed=passed, at=final_entry.timestamp)
    bundle = _latest_materialization(instance, BUNDLE_KEY, run_id)
    return RunFacts(
        run_id=run_id,
        review_mode=run.registration.review_mode,
        registered_at=epoch(run.registration.created_at),
        phases=phases,
        canceled=cancel_fact(store, run_id),
        in_flight=in_flight,
        last_finished=last,
        final_gate=final_gate,
        bundled_at=bundle.timestamp if bundle is not None else None,
        executing=count_lock and is_locked(instance, store, run_id),
        instance_lost=exclude_dagster_run is None and not (unfinished or finished) and any(p.planned for p in phases),
    )


def _run_time(instance: dg.DagsterInstance, dagster_run_id: str) -> float:
    record = instance.get_run_record_by_id(dagster_run_id)
    return record.update_timestamp.timestamp() if record is not None else 0.0


def phase_of_job(job_name: str, phases: int) -> int | None:
    for number in range(phases):
        if job_name == phase_job_name(number):
            return number
    return None


def docs_run_ids(instance: dg.DagsterInstance, store: ArtifactStore) -> list[str]:
    """Registered docs runs (store) — the Dagster partitions are a subset."""
    return store.run_ids()


def approval_is_current(store: ArtifactStore, run_id: str, phase: int) -> bool:
    """Whether phase ``phase`` is approved for its current files (store only; no Dagster instance).

    False once any of its files has a newer version than the approval covers: a regenerated phase
    needs approval again.
    """
    run = DocsRun.load(store, run_id)
    planned = run.phase(phase).files
    current = {
        name: FileVersion(record.version, record.sha256)
        for name, record in run.file_versions([f.key for f in planned]).items()
    }
    facts = PhaseFacts(
        number=phase, expected_files=len(planned), current_files=current, approval=_approval(store, run_id, phase)
    )
    return phase_approved(facts)


def may_advance(store: ArtifactStore, run_id: str) -> bool:
    """Cheap store-only pre-check for the advance sensor: False only when no step can be waiting.

    Mirrors :func:`docsgen_pipeline.lifecycle.next_step`: some phase N is approved while phase N+1
    has no plan, or, with every phase approved, the newest approval is newer than the final report.
    Reading a few version indexes costs far less than :func:`collect`, which the sensor then runs for candidates.
    """
    if cancel_fact(store, run_id) is not None:
        return False
    phases = len(DocsRun.load(store, run_id).blueprint.phases)
    newest_approval = 0.0
    for number in range(phases):
        approval = store.latest(run_id, APPROVALS, approval_name(number))
        if approval is None:
            if number + 1 == phases:
                return False
            continue
        newest_approval = max(newest_approval, epoch(approval.created_at))
        if number + 1 < phases and store.latest(run_id, PLANS, plan_name(number + 1)) is None:
            return True
    # Every phase approved: the final step is due when no report is newer than the newest approval
    # (a regenerated earlier phase approved again after the last one counts too, as in next_step).
    report = store.latest(run_id, REPORTS, FINAL_REPORT)
    return report is None or epoch(report.created_at) < newest_approval
