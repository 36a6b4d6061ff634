"""The UI's typed jobs, and sensors that one bad partition cannot stop."""

from __future__ import annotations

import dagster as dg

from docsgen_pipeline.blueprint import default_blueprint
from docsgen_pipeline.dagster_layer.definitions import build_definitions
from docsgen_pipeline.dagster_layer.execute import ensure_partition, execute_phase
from docsgen_pipeline.dagster_layer.facts import collect
from docsgen_pipeline.dagster_layer.jobs import phase_job_name
from docsgen_pipeline.dagster_layer.partitions import DOCS_RUNS
from docsgen_pipeline.dagster_layer.revalidation import REVALIDATION_SENSOR
from docsgen_pipeline.dagster_layer.sensors.advance import ADVANCE_SENSOR
from docsgen_pipeline.dagster_layer.sensors.inbox import INBOX_SENSOR
from docsgen_pipeline.dagster_layer.ui_jobs import APPROVE_JOB, REMOVE_PARTITION_JOB, START_JOB
from docsgen_pipeline.inbox import Inbox, inbox_dir
from docsgen_pipeline.lifecycle import Status, derive
from docsgen_pipeline_tests.conftest import EXAMPLES, Home


def _tick(defs: dg.Definitions, instance: dg.DagsterInstance, name: str) -> dg.SensorResult:
    context = dg.build_sensor_context(instance=instance, definitions=defs, resources=defs.resources)
    result = defs.get_sensor_def(name)(context)
    assert isinstance(result, dg.SensorResult)
    return result


def _launch(
    defs: dg.Definitions, instance: dg.DagsterInstance, job: str, op: str, config: dict[str, object]
) -> dg.ExecuteInProcessResult:
    return defs.resolve_job_def(job).execute_in_process(
        instance=instance, run_config={"ops": {op: {"config": config}}}, raise_on_error=False
    )


def test_bad_partitions_never_stop_the_sensors_and_can_be_removed(docsgen_home: Home) -> None:
    store = docsgen_home.store
    docsgen_home.register("good-1", review_mode="interactive")
    docsgen_home.register("damaged-1", review_mode="interactive")
    (store.run_dir("damaged-1") / "run.json").write_text("{not json")
    defs = build_definitions(default_blueprint(), store.root)
    instance = docsgen_home.instance()
    for key in ("good-1", "damaged-1"):
        ensure_partition(instance, key)
    instance.add_dynamic_partitions(DOCS_RUNS, ["Bad_Run.1", "ghost"])  # what "Add partition" accepts

    assert execute_phase(defs, instance, "good-1", 0).success
    approve = _launch(defs, instance, APPROVE_JOB, "approve_phase_op", {"docs_run": "good-1", "approver": ""})
    assert not approve.success  # the approver is required
    approve = _launch(defs, instance, APPROVE_JOB, "approve_phase_op", {"docs_run": "good-1", "approver": "ana"})
    assert approve.success
    state = derive(collect(instance, store, "good-1"))
    assert state.status is Status.RUNNING and state.phase == 1

    # The good run still advances; the bad, unknown and damaged partitions are skipped, not raised.
    advance = _tick(defs, instance, ADVANCE_SENSOR)
    assert [(r.partition_key, r.job_name) for r in advance.run_requests or []] == [("good-1", phase_job_name(1))]
    assert _tick(defs, instance, REVALIDATION_SENSOR).run_requests in (None, [])

    removed = _launch(defs, instance, REMOVE_PARTITION_JOB, "remove_docs_run_partition_op", {"partition": "Bad_Run.1"})
    assert removed.success
    kept = _launch(defs, instance, REMOVE_PARTITION_JOB, "remove_docs_run_partition_op", {"partition": "good-1"})
    assert not kept.success
    assert set(instance.get_dynamic_partitions(DOCS_RUNS)) == {"good-1", "damaged-1", "ghost"}


def test_start_job_queues_a_valid_brief_and_refuses_an_invalid_one(docsgen_home: Home) -> None:
    defs = build_definitions(default_blueprint(), docsgen_home.store.root)
    instance = docsgen_home.instance()
    brief = str(EXAMPLES / "acme-orders.yaml")
    started = _launch(
        defs, instance, START_JOB, "start_docs_run_op", {"brief_path": brief, "review_mode": "interactive"}
    )
    assert started.success
    [request] = Inbox(inbox_dir()).requests()
    assert request.status == "pending" and request.spec.review_mode == "interactive"

    bad = _launch(defs, instance, START_JOB, "start_docs_run_op", {"brief_text": "project: [unclosed"})
    assert not bad.success
    assert len(Inbox(inbox_dir()).requests()) == 1


def test_start_job_takes_an_optional_run_id_checked_where_it_enters(docsgen_home: Home) -> None:
    """run_id names the docs run (the partition); a bad or taken id is refused by the launch itself."""
    defs = build_definitions(default_blueprint(), docsgen_home.store.root)
    instance = docsgen_home.instance()
    brief = str(EXAMPLES / "acme-orders.yaml")
    start = {"brief_path": brief, "review_mode": "interactive"}

    bad = _launch(defs, instance, START_JOB, "start_docs_run_op", {**start, "run_id": "Bad_Run.1"})
    assert "invalid run id 'Bad_Run.1': use 1-63 lower-case letters" in _failure(bad)
    assert Inbox(inbox_dir()).requests() == []

    assert _launch(defs, instance, START_JOB, "start_docs_run_op", {**start, "run_id": "orders-q4"}).success
    # The same brief again, under its default id: a second request, not "requested before".
    assert _launch(defs, instance, START_JOB, "start_docs_run_op", start).success
    result = _tick(defs, instance, INBOX_SENSOR)
    launched = sorted(str(r.partition_key) for r in result.run_requests or [])
    assert launched[0] != "orders-q4" and launched[0].startswith("acme-") and launched[1] == "orders-q4"
    assert sorted(docsgen_home.store.run_ids()) == launched
    assert docsgen_home.store.registration("orders-q4").review_mode == "interactive"

    taken = _launch(defs, instance, START_JOB, "start_docs_run_op", {**start, "run_id": "orders-q4"})
    message = _failure(taken)
    assert "docs run 'orders-q4' exists already" in message and "launch job start_docs_run" in message
    assert "\n" not in message


def _failure(result: dg.ExecuteInProcessResult) -> str:
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    assert failure.step_failure_data is not None and failure.step_failure_data.user_failure_data is not None
    return str(failure.step_failure_data.user_failure_data.description)
