"""Schedules: the nightly batch for requests queued with ``--scheduled``, and the drift check."""

# No `from __future__ import annotations` here: Dagster reads the op's and schedule's parameter
# annotations at definition time to find resources, and needs real types.

import os
from typing import TYPE_CHECKING

import dagster as dg

from docsgen_pipeline.blueprint import Blueprint
from docsgen_pipeline.dagster_layer.automation import Jobs, job_by_name
from docsgen_pipeline.dagster_layer.jobs import BATCH_JOB
from docsgen_pipeline.dagster_layer.partitions import DOCS_RUNS
from docsgen_pipeline.dagster_layer.resources import ArtifactStoreResource
from docsgen_pipeline.dagster_layer.sensors.inbox import launch_requests
from docsgen_pipeline.drift import check_store
from docsgen_pipeline.inbox import Inbox, inbox_dir
from docsgen_pipeline.store import ArtifactStore

if TYPE_CHECKING:
    from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

SCHEDULED_BATCH = "scheduled_batch"
DRIFT_CHECK = "drift_check"
DRIFT_JOB = "drift_check_job"
DEFAULT_BATCH_CRON = "0 2 * * *"
DEFAULT_DRIFT_CRON = "30 3 * * *"


def batch_cron() -> str:
    """``$DOCSGEN_BATCH_CRON``: when queued ``--scheduled`` requests run (default nightly at 02:00)."""
    return os.environ.get("DOCSGEN_BATCH_CRON") or DEFAULT_BATCH_CRON


def drift_cron() -> str:
    """``$DOCSGEN_DRIFT_CRON``: when finished bundles are re-validated (default nightly at 03:30)."""
    return os.environ.get("DOCSGEN_DRIFT_CRON") or DEFAULT_DRIFT_CRON


def schedule_timezone() -> str:
    return os.environ.get("DOCSGEN_SCHEDULE_TIMEZONE") or "UTC"


def build_scheduled_batch(blueprint: Blueprint, batch_job: "UnresolvedAssetJobDefinition") -> dg.ScheduleDefinition:
    @dg.schedule(
        name=SCHEDULED_BATCH,
        cron_schedule=batch_cron(),
        execution_timezone=schedule_timezone(),
        job=batch_job,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=(
            "Launches a batch docs run for every pending request queued with `docsgen submit --scheduled` "
            "(cron: $DOCSGEN_BATCH_CRON, default nightly at 02:00)."
        ),
    )
    def scheduled_batch(context: dg.ScheduleEvaluationContext, store: ArtifactStoreResource) -> list[dg.RunRequest]:
        inbox = Inbox(inbox_dir())
        pending = [r for r in inbox.requests() if r.status == "pending" and r.spec.scheduled]
        run_requests, run_ids = launch_requests(
            inbox, store.get(), blueprint, pending, by="schedule", log=context.log, force_batch=True
        )
        # Schedules cannot return partition requests (sensors can): add the docs runs' partitions here.
        new = [run_id for run_id in run_ids if not context.instance.has_dynamic_partition(DOCS_RUNS, run_id)]
        if new:
            context.instance.add_dynamic_partitions(DOCS_RUNS, new)
        if not run_requests:
            context.log.info(f"no scheduled requests pending in {inbox.root}")
        return run_requests

    return scheduled_batch


@dg.op(
    description="Re-validate every Complete bundle against today's rules and glossary; rewrites nothing.",
    out=dg.Out(dagster_type=dg.Nothing),
)
def check_drift(context: dg.OpExecutionContext, store: ArtifactStoreResource) -> dg.Output[None]:
    return drift_output(context, store.get())


def drift_output(context: dg.OpExecutionContext, store: ArtifactStore) -> dg.Output[None]:
    results, failures = check_store(store)
    drifted = [r for r in results if r.drifted]
    for result in results:
        (context.log.warning if result.drifted else context.log.info)(result.summary())
    for failure in failures:
        context.log.error(f"{failure.run_id}: bundle could not be re-validated: {failure.reason}")
    rows = ["| Docs run | Bundle | Drifted | Passes now | New findings |", "| --- | --- | --- | --- | --- |"]
    rows += [
        f"| {r.run_id} | v{r.bundle_version} | {'yes' if r.drifted else 'no'} | {'yes' if r.passes_now else 'NO'} "
        f"| {len(r.new_issues)} |"
        for r in results
    ]
    return dg.Output(
        None,
        metadata={
            "bundles_checked": len(results),
            "drifted": len(drifted),
            "failing_now": sum(1 for r in results if not r.passes_now),
            "unreadable": len(failures),
            "drift": dg.MetadataValue.json([r.as_json() for r in drifted]),
            "summary": dg.MetadataValue.md("\n".join(rows)),
        },
    )


@dg.job(name=DRIFT_JOB, description="Report drift of Complete bundles (read-only).")
def drift_job() -> None:
    check_drift()


def build_drift_schedule() -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name=DRIFT_CHECK,
        cron_schedule=drift_cron(),
        execution_timezone=schedule_timezone(),
        job=drift_job,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Re-validates every Complete bundle and reports drift ($DOCSGEN_DRIFT_CRON, default 03:30).",
    )


def build_schedules(blueprint: Blueprint, jobs: Jobs) -> list[dg.ScheduleDefinition]:
    batch = job_by_name(jobs, BATCH_JOB)
    return [build_scheduled_batch(blueprint, batch), build_drift_schedule()]
