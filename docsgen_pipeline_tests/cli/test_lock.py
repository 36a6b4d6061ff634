"""One execution per docs run: the in-process lock, and Dagster runs launched through the queue."""

from __future__ import annotations

import dagster as dg
import pytest

from docsgen_pipeline.blueprint import default_blueprint
from docsgen_pipeline.cli.driver import Session, continue_run
from docsgen_pipeline.dagster_layer.definitions import build_definitions
from docsgen_pipeline.dagster_layer.facts import IN_PROCESS_TAG, collect
from docsgen_pipeline.dagster_layer.partitions import RUN_TAG
from docsgen_pipeline.errors import RunLockedError
from docsgen_pipeline.lifecycle import Status, derive
from docsgen_pipeline.locks import execution_lock, is_locked
from docsgen_pipeline_tests.conftest import Home


def test_lock_is_exclusive_and_names_its_holder(docsgen_home: Home) -> None:
    store = docsgen_home.store
    docsgen_home.register("l-1")
    assert not is_locked(store, "l-1")
    with execution_lock(store, "l-1", "docsgen approve"):
        assert is_locked(store, "l-1")
        with (
            pytest.raises(RunLockedError, match=r"already executing in `docsgen approve` \(pid \d+"),
            execution_lock(store, "l-1", "docsgen run"),
        ):
            pass
    assert not is_locked(store, "l-1")
    with execution_lock(store, "l-1", "docsgen run"):  # released: the next execution may start
        pass


def _add_run(instance: dg.DagsterInstance, status: dg.DagsterRunStatus, tags: dict[str, str]) -> None:
    instance.add_run(dg.DagsterRun(job_name="phase0_generate", status=status, tags={RUN_TAG: "l-2", **tags}))


def test_launched_dagster_run_blocks_in_process_execution(docsgen_home: Home) -> None:
    store = docsgen_home.store
    instance = docsgen_home.instance()
    docsgen_home.register("l-2")
    # An in-process run whose CLI process died (no lock held) is not in flight.
    _add_run(instance, dg.DagsterRunStatus.STARTED, {IN_PROCESS_TAG: "docsgen-cli"})
    assert collect(instance, store, "l-2").in_flight == ()
    with execution_lock(store, "l-2", "docsgen run"):
        assert len(collect(instance, store, "l-2").in_flight) == 1  # ... but is while its process lives

    # A run launched through the queue (UI, sensor, daemon) takes no file lock: in-process execution checks it.
    _add_run(instance, dg.DagsterRunStatus.STARTED, {})
    state = derive(collect(instance, store, "l-2"))
    assert state.status is Status.RUNNING and state.active
    session = Session(store=store, instance=instance, defs=build_definitions(default_blueprint(), store.root))
    with execution_lock(store, "l-2", "docsgen run"), pytest.raises(RunLockedError, match="Dagster runs in flight"):
        continue_run(session, "l-2")
