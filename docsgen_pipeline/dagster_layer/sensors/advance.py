"""The advance sensor: after an approval, start the next phase (or the final step) — and only then.

Each tick also refreshes the status records of the docs runs whose Dagster runs changed and returns
what changed of them for the web UI (``docs_run/status`` and the approval checks, see
``dagster_layer/ui_status.py``); an idle tick has nothing to refresh.

Running by default, so ``dagster dev`` / the daemon continue an interactive docs run as soon as a
reviewer approves in the UI or with ``docsgen approve --no-continue``.  What may start is decided by
the pure lifecycle (:func:`docsgen_pipeline.lifecycle.next_step`) from recorded facts; the run key
names the approval it follows, so one approval starts its next step at most once.

A batch docs run that stopped (a failed gate, then a rejection or regeneration that passed and was
re-approved as ``batch``) goes on as a batch: the sensor starts the rest of ``docs_run_batch`` from
the next phase, not that phase's job alone, which would then wait for an approval nobody gives.
"""

# No `from __future__ import annotations` here: Dagster reads the sensor function's parameter
# annotations at definition time to find its resources, and needs real types.

import logging
from collections.abc import Iterable
from functools import partial

import dagster as dg

from docsgen_pipeline.blueprint import Blueprint
from docsgen_pipeline.dagster_layer.automation import Jobs, job_by_name
from docsgen_pipeline.dagster_layer.facts import collect, may_advance
from docsgen_pipeline.dagster_layer.jobs import BATCH_JOB, FINAL_JOB, phase_job_name, rest_of_batch
from docsgen_pipeline.dagster_layer.partitions import REQUESTED_BY_TAG, RUN_TAG
from docsgen_pipeline.dagster_layer.resources import ArtifactStoreResource
from docsgen_pipeline.dagster_layer.sensors.guard import Log, docs_run_partitions, isolated
from docsgen_pipeline.dagster_layer.sensors.work import docs_runs_to_visit
from docsgen_pipeline.dagster_layer.status_records import refresh
from docsgen_pipeline.dagster_layer.ui_status import check_events, report_checks, status_event
from docsgen_pipeline.lifecycle import NextStep, next_step

ADVANCE_SENSOR = "advance_sensor"
MINIMUM_INTERVAL_SECONDS = 15


def advance_run_key(run_id: str, step: NextStep) -> str:
    target = "final" if step.final else f"phase{step.phase}"
    return f"{run_id}:{target}:{step.after_approval_sha256}"


def advance_requests(
    instance: dg.DagsterInstance,
    store: ArtifactStoreResource,
    blueprint: Blueprint,
    log: Log | None = None,
    run_ids: Iterable[str] | None = None,
) -> list[dg.RunRequest]:
    """Requests for the docs runs ``run_ids`` (default: every registered one) that may advance."""
    artifacts = store.get()
    log = log or logging.getLogger(ADVANCE_SENSOR)
    requests = []
    for run_id in docs_run_partitions(instance, artifacts, log, ADVANCE_SENSOR, only=run_ids):

        def evaluate(run_id: str = run_id) -> tuple[NextStep, str] | None:
            if not may_advance(artifacts, run_id):
                return None
            facts = collect(instance, artifacts, run_id)
            step = next_step(facts)
            return (step, facts.review_mode) if step is not None else None

        found = isolated(log, ADVANCE_SENSOR, run_id, evaluate)
        if found is None:
            continue
        step, review_mode = found
        tags = {RUN_TAG: run_id, REQUESTED_BY_TAG: ADVANCE_SENSOR}
        key = advance_run_key(run_id, step)
        if step.final:
            request = dg.RunRequest(run_key=key, job_name=FINAL_JOB, partition_key=run_id, tags=tags)
        elif review_mode == "batch":
            selection = rest_of_batch(blueprint, step.phase)
            request = dg.RunRequest(
                run_key=key, job_name=BATCH_JOB, partition_key=run_id, tags=tags, asset_selection=selection
            )
        else:
            request = dg.RunRequest(run_key=key, job_name=phase_job_name(step.phase), partition_key=run_id, tags=tags)
        requests.append(request)
    return requests


def status_events(
    context: dg.SensorEvaluationContext, store: ArtifactStoreResource, run_ids: Iterable[str]
) -> list[dg.AssetMaterialization]:
    """Refresh the status records of ``run_ids`` (docs runs whose Dagster runs changed: the daemon
    executed them and recorded facts); returns the ``docs_run/status`` events the UI lacks.

    The approval checks are reported here directly (``report_checks``: the daemon's own reporting
    of a tick's check evaluations cannot record a second one of the same partition).
    """
    artifacts = store.get()
    events: list[dg.AssetMaterialization] = []

    def evaluate(run_id: str) -> dg.AssetMaterialization | None:
        # The loaded repository's asset graph: files a run materialized may have left phases stale.
        record = refresh(context.instance, artifacts, run_id, defs=context.repository_def, report=False)
        report_checks(context.instance, check_events(context.instance, record))
        return status_event(context.instance, record)

    for run_id in run_ids:
        event = isolated(context.log, ADVANCE_SENSOR, run_id, partial(evaluate, run_id))
        if event is not None:
            events.append(event)
    return events


def build_advance_sensor(blueprint: Blueprint, jobs: Jobs) -> dg.SensorDefinition:
    targets = [job_by_name(jobs, phase_job_name(p.number)) for p in blueprint.phases[1:]]
    targets += [job_by_name(jobs, FINAL_JOB), job_by_name(jobs, BATCH_JOB)]

    @dg.sensor(
        name=ADVANCE_SENSOR,
        jobs=targets,
        default_status=dg.DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=MINIMUM_INTERVAL_SECONDS,
        description="Starts a docs run's next phase (or final step) once the previous phase is approved.",
    )
    def advance_sensor(context: dg.SensorEvaluationContext, store: ArtifactStoreResource) -> dg.SensorResult:
        visit, changed, cursor = docs_runs_to_visit(context.instance, store.get(), context.cursor)
        events = status_events(context, store, sorted(changed))
        requests = advance_requests(context.instance, store, blueprint, context.log, visit)
        for request in requests:
            context.log.info(f"advancing {request.partition_key}: {request.job_name}")
        if not requests:
            skip = "no docs run has an approval waiting to advance"
            return dg.SensorResult(skip_reason=skip, cursor=cursor, asset_events=events)
        return dg.SensorResult(run_requests=requests, cursor=cursor, asset_events=events)

    return advance_sensor
