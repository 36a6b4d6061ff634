"""Sensor ticks look only at docs runs with news since their cursor, never at archived ones."""

from __future__ import annotations

import time

import dagster as dg

from docsgen_pipeline.archive import set_archived
from docsgen_pipeline.dagster_layer.execute import ensure_partition
from docsgen_pipeline.dagster_layer.partitions import RUN_TAG
from docsgen_pipeline.dagster_layer.sensors.work import docs_runs_to_visit
from docsgen_pipeline_tests.conftest import Home


def _finished_run(instance: dg.DagsterInstance, run_id: str) -> None:
    """A Dagster run of the docs run changed (as a launched phase that finished would)."""
    instance.add_run(
        dg.DagsterRun(job_name="phase0_generate", status=dg.DagsterRunStatus.SUCCESS, tags={RUN_TAG: run_id})
    )


def test_cursor_limits_a_tick_to_runs_with_news(docsgen_home: Home) -> None:
    instance = docsgen_home.instance()
    for run_id in ("w-1", "w-2", "w-3"):
        docsgen_home.register(run_id, review_mode="interactive")
        ensure_partition(instance, run_id)
    _finished_run(instance, "w-1")

    visit, changed, cursor = docs_runs_to_visit(instance, docsgen_home.store, None)
    assert (visit, changed) == (["w-1", "w-2", "w-3"], {"w-1"})  # first tick: everything, once

    # Nothing new: the run already seen is not counted again.
    assert docs_runs_to_visit(instance, docsgen_home.store, cursor)[:2] == ([], set())

    _finished_run(instance, "w-2")
    visit, changed, cursor = docs_runs_to_visit(instance, docsgen_home.store, cursor)
    assert (visit, changed) == (["w-2"], {"w-2"})
    time.sleep(2.1)  # beyond the cursor's overlap
    assert docs_runs_to_visit(instance, docsgen_home.store, cursor)[:2] == ([], set())

    # A run seen in flight that then finishes within the same second is news again.
    started = dg.DagsterRun(job_name="phase1_generate", status=dg.DagsterRunStatus.STARTED, tags={RUN_TAG: "w-1"})
    instance.add_run(started)
    visit, _, cursor = docs_runs_to_visit(instance, docsgen_home.store, cursor)
    assert visit == ["w-1"]
    instance.report_run_failed(started)
    visit, _, cursor = docs_runs_to_visit(instance, docsgen_home.store, cursor)
    assert visit == ["w-1"]

    set_archived(docsgen_home.store, "w-3", True, by="ana")
    _finished_run(instance, "w-3")
    assert "w-3" not in docs_runs_to_visit(instance, docsgen_home.store, cursor)[0]
    assert "w-3" not in docs_runs_to_visit(instance, docsgen_home.store, None)[0]
    set_archived(docsgen_home.store, "w-3", False, by="ana")
    assert "w-3" in docs_runs_to_visit(instance, docsgen_home.store, cursor)[0]
