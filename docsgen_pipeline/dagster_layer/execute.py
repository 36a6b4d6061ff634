"""Executing docs-run jobs from the CLI (and tests) on a Dagster instance.

In-process by default; with ``$DOCSGEN_RUN_EXECUTOR=celery`` this process only coordinates and
the steps run on the dagster-celery workers (which rebuild the job from the code location module).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import dagster as dg
from dagster._core.definitions.reconstruct import ReconstructableJob, ReconstructableRepository
from dagster._core.execution.context.compute import current_execution_context
from dagster._core.storage.tags import PARTITION_NAME_TAG

from docsgen_pipeline.dagster_layer.jobs import BATCH_JOB, FINAL_JOB, phase_job_name
from docsgen_pipeline.dagster_layer.keys import approval_key
from docsgen_pipeline.dagster_layer.partitions import DOCS_RUNS, RUN_TAG
from docsgen_pipeline.dagster_layer.resources import ArtifactStoreResource
from docsgen_pipeline.dagster_layer.status_records import refresh
from docsgen_pipeline.process_owner import owner_tags
from docsgen_pipeline.settings import run_executor_name

# What `dagster dev -m`, the daemon and every worker load: steps sent to workers name this job.
CODE_LOCATION_MODULE = "docsgen_pipeline.definitions"


def uses_workers() -> bool:
    """Whether the deployment's executor runs steps in other processes the CLI has to hand them to."""
    return run_executor_name() == "celery"


def reconstructable_job(job_name: str) -> ReconstructableJob:
    repository = ReconstructableRepository.for_module(CODE_LOCATION_MODULE, "defs", working_directory=os.getcwd())
    return repository.get_reconstructable_job(job_name)


@dataclass(frozen=True)
class StepOutcome:
    success: bool
    dagster_run_id: str
    failure: str = ""


def ensure_partition(instance: dg.DagsterInstance, run_id: str) -> None:
    try:
        present = instance.has_dynamic_partition(DOCS_RUNS, run_id)
    except dg.DagsterInvalidInvocationError:
        # A process killed while it created the instance's SQLite storage left tables missing:
        # finish the schema (what `dagster instance migrate` does) and carry on.
        instance.upgrade()
        present = instance.has_dynamic_partition(DOCS_RUNS, run_id)
    if not present:
        instance.add_dynamic_partitions(DOCS_RUNS, [run_id])


def _failure_message(result: dg.ExecuteInProcessResult | dg.JobExecutionResult) -> str:
    messages = []
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.STEP_FAILURE and event.step_failure_data is not None:
            error = event.step_failure_data.user_failure_data
            description = error.description if error is not None else None
            cause = event.step_failure_data.error
            while cause is not None and cause.cause is not None:  # the user code's error, not Dagster's wrapper
                cause = cause.cause
            if not description and cause is not None:
                description = cause.message.strip().splitlines()[-1]
            messages.append(f"{event.step_key}: {description}")
    return "; ".join(messages) or "the run failed"


def execute(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    job_name: str,
    run_id: str,
    tags: Mapping[str, str] | None = None,
    run_config: Mapping[str, object] | None = None,
    asset_selection: list[dg.AssetKey] | None = None,
) -> StepOutcome:
    """Execute ``job_name`` for one docs run: on the deployment's workers, or in this process.

    A step that executes a job itself (the UI's approve_phase, reject_phase, regenerate_files)
    always does it in its own process: handing that job to the workers could wait forever for
    the very worker the step occupies.
    """
    # The CLI reports progress itself; Dagster's console logger would bury it in DEBUG lines
    # (the full event log is still stored in the instance and shown in the UI).
    config: dict[str, object] = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}, **(run_config or {})}
    # Who executes it: if this process dies, the next command sees the run's owner is gone.
    run_tags = {RUN_TAG: run_id, **owner_tags(), **(tags or {})}
    result: dg.ExecuteInProcessResult | dg.JobExecutionResult
    if uses_workers() and current_execution_context.get() is None:
        # The job's own executor (Celery) hands every step to a worker; this process coordinates.
        result = dg.execute_job(
            reconstructable_job(job_name),
            instance,
            run_config=config,
            tags={**run_tags, PARTITION_NAME_TAG: run_id},
            raise_on_error=False,
            asset_selection=asset_selection,
        )
    else:
        result = defs.resolve_job_def(job_name).execute_in_process(
            instance=instance,
            partition_key=run_id,
            tags=run_tags,
            run_config=config,
            raise_on_error=False,
            asset_selection=asset_selection,
        )
    store = (defs.resources or {}).get("store")
    if isinstance(store, ArtifactStoreResource) and store.get().has_run(run_id):  # a refused brief registers nothing
        # A fact was recorded: keep the docs run's status record current (this process holds the
        # execution lock, if any, and has finished its step).
        refresh(instance, store.get(), run_id, count_lock=False, defs=defs)
    return StepOutcome(
        success=result.success, dagster_run_id=result.run_id, failure="" if result.success else _failure_message(result)
    )


def execute_phase(
    defs: dg.Definitions, instance: dg.DagsterInstance, run_id: str, number: int, tags: Mapping[str, str] | None = None
) -> StepOutcome:
    return execute(defs, instance, phase_job_name(number), run_id, tags)


def approve_phase(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    run_id: str,
    number: int,
    approver: str,
    note: str = "",
    tags: Mapping[str, str] | None = None,
) -> StepOutcome:
    key = approval_key(number)
    config = {"ops": {"__".join(key.path): {"config": {"approver": approver, "note": note}}}}
    return execute(defs, instance, BATCH_JOB, run_id, tags, run_config=config, asset_selection=[key])


def execute_final(
    defs: dg.Definitions, instance: dg.DagsterInstance, run_id: str, tags: Mapping[str, str] | None = None
) -> StepOutcome:
    return execute(defs, instance, FINAL_JOB, run_id, tags)
