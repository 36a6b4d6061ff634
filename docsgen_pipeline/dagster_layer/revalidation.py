"""The revalidation sensor: after files are regenerated outside a phase job, gate them again.

Selecting file assets in the UI and materializing them rewrites just those files; nothing else of
the phase runs in that Dagster run. Under the daemon, this sensor then requests the phase gate again
(in batch mode with the phase approval, which the approval asset grants only if the gate's blocking
checks pass) and the final cross-validation when the docs run had reached it. It never requests a
plan or a file: later phases stay as they are, flagged stale. ``docsgen regenerate`` does the same
in-process. The run key names the file versions, so each change is revalidated once.
"""

# No `from __future__ import annotations` here: Dagster reads the sensor function's parameter
# annotations at definition time to find its resources, and needs real types.

import hashlib
import logging
from collections.abc import Iterable

import dagster as dg

from docsgen_pipeline.blueprint import Blueprint
from docsgen_pipeline.dagster_layer.automation import Jobs, job_by_name
from docsgen_pipeline.dagster_layer.facts import collect
from docsgen_pipeline.dagster_layer.jobs import BATCH_JOB
from docsgen_pipeline.dagster_layer.keys import CROSS_VALIDATION_KEY, approval_key, validation_key
from docsgen_pipeline.dagster_layer.partitions import REASON_TAG, REQUESTED_BY_TAG, RUN_TAG
from docsgen_pipeline.dagster_layer.resources import ArtifactStoreResource
from docsgen_pipeline.dagster_layer.sensors.guard import Log, docs_run_partitions, isolated
from docsgen_pipeline.dagster_layer.sensors.work import docs_runs_to_visit
from docsgen_pipeline.lifecycle import RunFacts, gate_state

REVALIDATION_SENSOR = "revalidation_sensor"
REVALIDATE = "revalidate"
MINIMUM_INTERVAL_SECONDS = 15


def revalidation_request(facts: RunFacts) -> dg.RunRequest | None:
    """The earliest phase whose files changed after its gate ran, as one run request (or None)."""
    if facts.in_flight or facts.canceled is not None or facts.executing:
        return None
    for phase in facts.phases:
        complete = len(phase.current_files) >= phase.expected_files
        if not complete or gate_state(phase) != "stale":
            continue
        selection = [validation_key(phase.number)]
        if facts.review_mode == "batch":
            selection.append(approval_key(phase.number))
        if facts.final_gate is not None:
            selection.append(CROSS_VALIDATION_KEY)
        versions = ",".join(f"{name}@{f.version}" for name, f in sorted(phase.current_files.items()))
        digest = hashlib.sha256(versions.encode()).hexdigest()[:16]
        return dg.RunRequest(
            run_key=f"{facts.run_id}:revalidate:phase{phase.number}:{digest}",
            job_name=BATCH_JOB,
            partition_key=facts.run_id,
            asset_selection=selection,
            tags={RUN_TAG: facts.run_id, REQUESTED_BY_TAG: REVALIDATION_SENSOR, REASON_TAG: REVALIDATE},
        )
    return None


def revalidation_requests(
    instance: dg.DagsterInstance,
    store: ArtifactStoreResource,
    log: Log | None = None,
    run_ids: Iterable[str] | None = None,
) -> list[dg.RunRequest]:
    """Requests for the docs runs ``run_ids`` (default: every registered one) that need a gate again."""
    artifacts = store.get()
    log = log or logging.getLogger(REVALIDATION_SENSOR)
    requests = []
    for run_id in docs_run_partitions(instance, artifacts, log, REVALIDATION_SENSOR, only=run_ids):

        def evaluate(run_id: str = run_id) -> dg.RunRequest | None:
            return revalidation_request(collect(instance, artifacts, run_id))

        request = isolated(log, REVALIDATION_SENSOR, run_id, evaluate)
        if request is not None:
            requests.append(request)
    return requests


def build_revalidation_sensor(blueprint: Blueprint, jobs: Jobs) -> dg.SensorDefinition:
    @dg.sensor(
        name=REVALIDATION_SENSOR,
        jobs=[job_by_name(jobs, BATCH_JOB)],
        default_status=dg.DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=MINIMUM_INTERVAL_SECONDS,
        description="Re-runs a phase's gate (and the final cross-validation) after some of its files were regenerated.",
    )
    def revalidation_sensor(context: dg.SensorEvaluationContext, store: ArtifactStoreResource) -> dg.SensorResult:
        visit, _, cursor = docs_runs_to_visit(context.instance, store.get(), context.cursor)
        requests = revalidation_requests(context.instance, store, context.log, visit)
        for request in requests:
            context.log.info(f"revalidating {request.partition_key}: {request.asset_selection}")
        if not requests:
            return dg.SensorResult(skip_reason="no phase has files newer than its gate", cursor=cursor)
        return dg.SensorResult(run_requests=requests, cursor=cursor)

    return revalidation_sensor
