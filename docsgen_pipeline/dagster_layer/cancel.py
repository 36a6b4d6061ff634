"""Canceling a docs run: record it, stop its in-flight Dagster runs, keep every artifact.

Used by ``docsgen cancel`` and by the ``cancel_docs_run`` job (the UI path: launch it from the
Launchpad with the docs-run id).  The job carries no ``docsgen/run`` tag, so the per-docs-run
queue limit never holds it behind the very run it has to stop.
"""

# No `from __future__ import annotations`: Dagster reads the op's config/resource annotations.

from dataclasses import dataclass

import dagster as dg
from pydantic import Field

from docsgen_pipeline.dagster_layer.facts import LIFECYCLE_LOG, collect
from docsgen_pipeline.dagster_layer.resources import ArtifactStoreResource
from docsgen_pipeline.dagster_layer.status_records import refresh
from docsgen_pipeline.errors import LifecycleError
from docsgen_pipeline.lifecycle import cancel_refusal
from docsgen_pipeline.store import ArtifactStore

CANCEL_JOB = "cancel_docs_run"


@dataclass(frozen=True)
class Cancellation:
    run_id: str
    by: str
    reason: str
    terminated: tuple[str, ...]  # Dagster runs the launcher stopped
    left_to_fail: tuple[str, ...]  # in-process runs in another process: they fail at their next step


def cancel_docs_run(
    instance: dg.DagsterInstance, store: ArtifactStore, run_id: str, by: str, reason: str = ""
) -> Cancellation:
    facts = collect(instance, store, run_id)
    refusal = cancel_refusal(facts)
    if refusal is not None:
        raise LifecycleError(f"cancel refused: {refusal}")
    # Record first: every asset of this docs run checks it and fails fast from now on.
    store.append_event(run_id, LIFECYCLE_LOG, {"event": "canceled", "by": by, "reason": reason})
    terminated: list[str] = []
    left: list[str] = []
    for run in facts.in_flight:
        stopped = instance.run_coordinator.cancel_run(run.dagster_run_id)
        (terminated if stopped else left).append(run.dagster_run_id)
    refresh(instance, store, run_id)
    return Cancellation(run_id, by, reason, tuple(terminated), tuple(left))


class CancelConfig(dg.Config):
    """Which docs run to cancel, who cancels it and why."""

    docs_run: str = Field(description="the docs-run id (the partition key)")
    by: str = Field(default="dagster-ui", description="your name")
    reason: str = Field(default="", description="why (kept with the cancellation)")


@dg.op(name="cancel_docs_run_op")
def _cancel_op(context: dg.OpExecutionContext, config: CancelConfig, store: ArtifactStoreResource) -> None:
    try:
        done = cancel_docs_run(context.instance, store.get(), config.docs_run, config.by, config.reason)
    except LifecycleError as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from exc
    context.log.info(
        f"docs run {done.run_id} canceled by {done.by}; terminated {list(done.terminated)}; "
        f"stopping at their next step: {list(done.left_to_fail)}; every artifact is kept"
    )


def build_cancel_job() -> dg.JobDefinition:
    @dg.job(name=CANCEL_JOB, description="Cancel a docs run: stop its Dagster runs; it can no longer advance.")
    def cancel_job() -> None:
        _cancel_op()

    return cancel_job
