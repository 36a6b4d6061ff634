"""The inbox sensor: every pending request in the inbox becomes a registered, launched docs run."""

# No `from __future__ import annotations` here: Dagster reads the sensor function's parameter
# annotations at definition time to find its resources, and needs real types.

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import dagster as dg

from docsgen_pipeline.blueprint import Blueprint
from docsgen_pipeline.dagster_layer.automation import Jobs
from docsgen_pipeline.dagster_layer.jobs import BATCH_JOB, phase_job_name
from docsgen_pipeline.dagster_layer.partitions import DOCS_RUNS, REQUESTED_BY_TAG, RUN_TAG, docs_runs
from docsgen_pipeline.dagster_layer.resources import ArtifactStoreResource
from docsgen_pipeline.inbox import Inbox, Request, inbox_dir, pending_threshold, register_request
from docsgen_pipeline.store import ArtifactStore

INBOX_SENSOR = "inbox_sensor"
REQUEST_TAG = "docsgen/request"
MINIMUM_INTERVAL_SECONDS = 5
RELAUNCH_WINDOW = timedelta(hours=1)


def run_config() -> dict[str, object]:
    """Run config of launched runs: none; the executor is the Definitions' own.

    ``dagster_layer.definitions.run_executor`` reads ``$DOCSGEN_RUN_EXECUTOR`` (``in_process`` by
    default) for every job wherever it is launched; an ``execution:`` block here would be refused.
    """
    return {}


def run_key(request: Request) -> str:
    """Run keys come from the brief's content hash: the same brief never launches twice."""
    return f"request:{request.sha}"


def launch_requests(
    inbox: Inbox,
    store: ArtifactStore,
    blueprint: Blueprint,
    requests: Sequence[Request],
    *,
    by: str,
    log: logging.Logger | dg.DagsterLogManager,
    force_batch: bool = False,
) -> tuple[list[dg.RunRequest], list[str]]:
    """Register each pending request's docs run; returns the run requests and the docs-run ids to add.

    A request whose brief (or blueprint) is invalid is rejected with the reason, never raised.
    """
    run_requests: list[dg.RunRequest] = []
    run_ids: list[str] = []
    modes: dict[str, str] = {}
    config = run_config()

    def decide(current: Request) -> str:
        registration = register_request(
            store, current, blueprint, created_by=by, review_mode="batch" if force_batch else None
        )
        modes[registration.run_id] = registration.review_mode
        return registration.run_id

    for request in requests:
        settled = inbox.settle(request.sha, by, decide)
        if settled.status == "rejected":
            log.warning(f"request {settled.id} ({settled.spec.source}) rejected: {settled.reason}")
            continue
        if settled.status != "consumed" or settled.run_id not in modes:
            continue  # settled elsewhere meanwhile (skipped, or consumed by another tick)
        run_request = launch_run_request(settled, settled.run_id, modes[settled.run_id], by, config)
        log.info(f"request {settled.id} ({settled.spec.source}) -> docs run {settled.run_id}: {run_request.job_name}")
        run_ids.append(settled.run_id)
        run_requests.append(run_request)
    return run_requests, run_ids


def launch_run_request(
    request: Request, run_id: str, review_mode: str, by: str, config: dict[str, object]
) -> dg.RunRequest:
    return dg.RunRequest(
        run_key=run_key(request),
        job_name=BATCH_JOB if review_mode == "batch" else phase_job_name(0),
        partition_key=run_id,
        run_config=config,
        tags={RUN_TAG: run_id, REQUEST_TAG: request.sha, REQUESTED_BY_TAG: by},
    )


def lost_launches(
    inbox: Inbox, store: ArtifactStore, instance: dg.DagsterInstance, by: str, now: datetime
) -> list[dg.RunRequest]:
    """Requests this sensor consumed lately whose Dagster run never appeared: request them again.

    Consuming a request and launching its run are two steps (the ledger, then the daemon); if the
    daemon stops in between, the same run key is requested again on a later tick.  Dagster drops a
    run request whose run key already launched, so this never starts a docs run twice.
    """
    config = run_config()
    out = []
    for request in inbox.requests():
        last = request.history[-1] if request.history else {}
        if request.status != "consumed" or last.get("by") != by or request.run_id is None:
            continue
        if now - datetime.fromisoformat(str(last["at"])) > RELAUNCH_WINDOW:
            continue
        if instance.get_run_records(dg.RunsFilter(tags={REQUEST_TAG: request.sha}), limit=1):
            continue
        mode = store.registration(request.run_id).review_mode
        out.append(launch_run_request(request, request.run_id, mode, by, config))
    return out


def flag_overdue(inbox: Inbox, log: logging.Logger | dg.DagsterLogManager) -> int:
    """Warn about requests pending longer than the threshold, each with what unblocks it."""
    now, threshold = datetime.now(UTC), pending_threshold()
    overdue = [r for r in inbox.requests() if r.overdue(now, threshold)]
    for request in overdue:
        days = request.waiting(now).total_seconds() / 86400
        log.warning(f"request {request.id} ({request.spec.source}) pending {days:.1f} days: {request.unblock_hint()}")
    return len(overdue)


def build_inbox_sensor(blueprint: Blueprint, jobs: Jobs) -> dg.SensorDefinition:
    @dg.sensor(
        name=INBOX_SENSOR,
        jobs=[job for job in jobs if job.name in (BATCH_JOB, phase_job_name(0))],
        minimum_interval_seconds=MINIMUM_INTERVAL_SECONDS,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=(
            "Picks up briefs dropped into the DocsGen inbox ($DOCSGEN_INBOX, default $DOCSGEN_HOME/inbox) or "
            "queued with `docsgen submit`, registers a docs run per brief and launches it (batch: "
            "docs_run_batch, interactive: phase0_generate). Invalid briefs are rejected with the reason."
        ),
    )
    def inbox_sensor(context: dg.SensorEvaluationContext, store: ArtifactStoreResource) -> dg.SensorResult:
        inbox = Inbox(inbox_dir())
        for request in inbox.scan():
            context.log.info(f"new request {request.id} from {request.spec.source}")
        artifacts = store.get()
        retried = lost_launches(inbox, artifacts, context.instance, "sensor", datetime.now(UTC))
        for retry in retried:
            context.log.warning(f"docs run {retry.partition_key} has no Dagster run yet: requesting it again")
        pending = [r for r in inbox.requests() if r.status == "pending" and not r.spec.scheduled]
        launched, run_ids = launch_requests(inbox, artifacts, blueprint, pending, by="sensor", log=context.log)
        run_requests = retried + launched
        overdue = flag_overdue(inbox, context.log)
        keys = [str(r.partition_key) for r in retried] + run_ids
        new_partitions = [key for key in keys if not context.instance.has_dynamic_partition(DOCS_RUNS, key)]
        if not run_requests:
            waiting = sum(1 for r in inbox.requests() if r.status == "pending")
            return dg.SensorResult(
                skip_reason=f"no new briefs in {inbox.root} ({waiting} pending for the schedule, {overdue} overdue)"
            )
        return dg.SensorResult(
            run_requests=run_requests,
            dynamic_partitions_requests=[docs_runs.build_add_request(new_partitions)] if new_partitions else [],
        )

    return inbox_sensor
