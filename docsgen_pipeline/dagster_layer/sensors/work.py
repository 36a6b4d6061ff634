"""Which docs runs a sensor tick looks at: only those with news since the tick's cursor.

The cursor is the latest Dagster run-update time the sensor has seen (see
:func:`~docsgen_pipeline.dagster_layer.status_records.changed_docs_runs`).  A tick asks the instance for
runs created or changed since then (an approval, a regeneration, a phase that finished: every fact
the sensors act on is recorded by a Dagster run) and looks only at their docs runs, so an idle tick
costs one indexed query however many docs runs exist.  Without a cursor (first tick, or a test's
fresh context) every registered docs run is looked at once.  Archived docs runs are never looked at.
"""

from __future__ import annotations

import dagster as dg

from docsgen_pipeline.archive import is_archived
from docsgen_pipeline.dagster_layer.partitions import DOCS_RUNS
from docsgen_pipeline.dagster_layer.status_records import changed_docs_runs
from docsgen_pipeline.store import RUN_ID_RE, ArtifactStore


def docs_runs_to_visit(
    instance: dg.DagsterInstance, store: ArtifactStore, cursor: str | None
) -> tuple[list[str], set[str], str]:
    """(docs runs to look at, those among them whose Dagster runs changed, the next cursor)."""
    changed, next_cursor = changed_docs_runs(instance, cursor)
    candidates = changed if cursor else set(instance.get_dynamic_partitions(DOCS_RUNS))
    # Invalid partition keys are left to the guard (it skips and reports them); never raise here.
    valid = [r for r in candidates if RUN_ID_RE.match(r)]
    visit = sorted(r for r in valid if not store.has_run(r) or not is_archived(store, r))
    return visit, changed & set(visit), next_cursor
