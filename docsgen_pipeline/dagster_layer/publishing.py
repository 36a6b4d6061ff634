"""The one lifecycle question publishing asks Dagster: is this docs run Complete?"""

from __future__ import annotations

import dagster as dg

from docsgen_pipeline.dagster_layer.facts import collect
from docsgen_pipeline.errors import PublishError
from docsgen_pipeline.lifecycle import Status, derive, next_action
from docsgen_pipeline.store import ArtifactStore


def ensure_complete(
    instance: dg.DagsterInstance, store: ArtifactStore, run_id: str, exclude_dagster_run: str | None = None
) -> None:
    """Refuse, with the status and the next command, unless the docs run is Complete."""
    state = derive(collect(instance, store, run_id, exclude_dagster_run=exclude_dagster_run))
    if state.status is not Status.COMPLETE:
        raise PublishError(
            f"docs run '{run_id}' is {state.status.value} (phase {state.phase_label()}), not Complete; only a "
            f"Complete run is published. next: {next_action(state, run_id)}"
        )
