"""The inbox sensor: every pending request in the inbox becomes a registered, launched docs run."""

# No `from __future__ import annotations` here: Dagster reads the sensor function's parameter
# annotations at definition time to find its resources, and needs real types.

import logging
import os
from collections.abc import Sequence
from datetime import UTC, datetime

import dagster as dg

from docsgen_pipeline.blueprint import Blueprint
from docsgen_pipeline.dagster_layer.automation import Jobs
from docsgen_pipeline.dagster_layer.jobs import BATCH_JOB, phase_job_name
from docsgen_pipeline.dagster_layer.partitions import DOCS_RUNS, REQUESTED_BY_TAG, RUN_TAG, docs_runs
from docsgen_pipeline.dagster_layer.resources import ArtifactStoreResource
from docsgen_pipeline.errors import ConfigError
from docsgen_pipeline.inbox import Inbox, Request, inbox_dir, pending_threshold, register_request
from docsgen_pipeline.store import ArtifactStore

INBOX_SENSOR = "inbox_sensor"
REQUEST_TAG = "docsgen/request"
MINIMUM_INTERVAL_SECONDS = 5


def run_config() -> dict[str, object]:
    """Executor of launched runs: ``$DOCSGEN_RUN_EXECUTOR`` = ``in_process`` (default) or ``multiprocess``.

    In process, a batch docs run takes one run worker instead of a process per step (~30 steps,
    each importing Dagster), which makes an unattended batch run several times faster.
    """
    executor = os.environ.get("DOCSGEN_RUN_EXECUTOR") or "in_process"
    if executor not in ("in_process", "multiprocess"):
        raise ConfigError(f"DOCSGEN_RUN_EXECUTOR={executor!r}: use in_process or multiprocess")
    return {"execution": {"config": {executor: {}}}}


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
        run_id = settled.run_id
        job_name = BATCH_JOB if modes[run_id] == "batch" else phase_job_name(0)
        log.info(f"request {settled.id} ({settled.spec.source}) -> docs run {run_id}: {job_name}")
        run_ids.append(run_id)
        run_requests.append(
            dg.RunRequest(
                run_key=run_key(settled),
                job_name=job_name,
                partition_key=run_id,
                run_config=config,
                tags={RUN_TAG: run_id, REQUEST_TAG: settled.sha, REQUESTED_BY_TAG: by},
            )
        )
    return run_requests, run_ids


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
        pending = [r for r in inbox.requests() if r.status == "pending" and not r.spec.scheduled]
        run_requests, run_ids = launch_requests(inbox, store.get(), blueprint, pending, by="sensor", log=context.log)
        overdue = flag_overdue(inbox, context.log)
        new_partitions = [run_id for run_id in run_ids if not context.instance.has_dynamic_partition(DOCS_RUNS, run_id)]
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
