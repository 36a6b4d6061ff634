"""What the web UI shows of a docs run's lifecycle: ``docs_run/status`` and the approval checks.

A real interactive docs run on a temporary instance with the offline template agent; what the UI
shows is read back from the instance as the UI reads it (latest materialization of the partition,
latest check execution of the partition).
"""

from __future__ import annotations

from typing import Any

import dagster as dg
from dagster._core.event_api import PartitionKeyFilter

from docsgen_pipeline.blueprint import default_blueprint
from docsgen_pipeline.dagster_layer.definitions import build_definitions
from docsgen_pipeline.dagster_layer.execute import approve_phase, ensure_partition, execute_phase
from docsgen_pipeline.dagster_layer.keys import STATUS_KEY, approval_key
from docsgen_pipeline.dagster_layer.partitions import RUN_TAG
from docsgen_pipeline.dagster_layer.revisions import regenerate_run
from docsgen_pipeline.dagster_layer.sensors.advance import ADVANCE_SENSOR
from docsgen_pipeline.dagster_layer.ui_status import APPROVAL_COVERS_CHECK, CURRENT_INPUTS_CHECK
from docsgen_pipeline.docs_run import DocsRun
from docsgen_pipeline.regeneration import resolve_targets
from docsgen_pipeline_tests.conftest import Home

RUN = "status-1"


def _status(instance: dg.DagsterInstance) -> dict[str, Any]:
    """The metadata of the partition's latest ``docs_run/status`` materialization (what the
    Partitions tab shows for it)."""
    result = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=STATUS_KEY, asset_partitions=[RUN]), limit=1, ascending=False
    )
    assert result.records, "no status was reported"
    materialization = result.records[0].asset_materialization
    assert materialization is not None and materialization.partition == RUN
    return {k: v.value for k, v in materialization.metadata.items()}


def _check(instance: dg.DagsterInstance, phase: int, name: str) -> dg.AssetCheckEvaluation | None:
    key = dg.AssetCheckKey(approval_key(phase), name)
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(
        [key], partition_filter=PartitionKeyFilter(key=RUN)
    )
    return latest[key].evaluation if key in latest else None


def _tick(defs: dg.Definitions, instance: dg.DagsterInstance, cursor: str | None) -> dg.SensorResult:
    """One advance_sensor tick; its asset events are reported as the daemon reports them."""
    context = dg.build_sensor_context(instance=instance, definitions=defs, resources=defs.resources, cursor=cursor)
    result = defs.get_sensor_def(ADVANCE_SENSOR)(context)
    assert isinstance(result, dg.SensorResult)
    for event in result.asset_events:
        instance.report_runless_asset_event(event)
    return result


def test_status_and_approval_checks_follow_the_docs_run(docsgen_home: Home) -> None:
    docsgen_home.register(RUN, review_mode="interactive")
    blueprint = default_blueprint()
    defs = build_definitions(blueprint, docsgen_home.store.root)
    instance = docsgen_home.instance()
    ensure_partition(instance, RUN)
    graph = defs.resolve_asset_graph()
    assert graph.get(STATUS_KEY).partitions_def is not None and not graph.get(STATUS_KEY).is_executable

    # Phase 0 generated in-process: the status says what to do next, without any sensor.
    assert execute_phase(defs, instance, RUN, 0).success
    status = _status(instance)
    assert (status["status"], status["phase"]) == ("AwaitingApproval", "0")
    assert f"docsgen approve {RUN} --phase 0 --by NAME" in status["next_action"]
    assert "**AwaitingApproval**" in status["summary"]
    assert _check(instance, 0, APPROVAL_COVERS_CHECK) is None  # nothing approved yet: nothing to judge

    # A first tick (no cursor) finds everything already shown: it reports nothing.
    first = _tick(defs, instance, None)
    assert first.asset_events == [] and first.cursor

    assert approve_phase(defs, instance, RUN, 0, approver="ana").success
    covers = _check(instance, 0, APPROVAL_COVERS_CHECK)
    assert covers is not None and covers.passed and "Approved by ana" in (covers.description or "")
    inputs = _check(instance, 0, CURRENT_INPUTS_CHECK)
    assert inputs is not None and inputs.passed

    # The daemon launches phase 1 (no in-process refresh): the sensor's next tick reports the change.
    tick = _tick(defs, instance, first.cursor)
    (request,) = tick.run_requests or []
    launched = defs.resolve_job_def(request.job_name or "").execute_in_process(
        instance=instance, partition_key=RUN, tags={RUN_TAG: RUN}, raise_on_error=False
    )
    assert launched.success
    status = _status(instance)  # not yet: still what the approval reported
    assert (status["status"], status["phase"]) == ("Running", "1") and "not started" in status["detail"]
    after_phase1 = _tick(defs, instance, tick.cursor)
    assert [e.asset_key for e in after_phase1.asset_events] == [STATUS_KEY]
    status = _status(instance)
    assert (status["status"], status["phase"]) == ("AwaitingApproval", "1")
    assert _tick(defs, instance, after_phase1.cursor).asset_events == []  # idle tick: nothing new

    assert approve_phase(defs, instance, RUN, 1, approver="ana").success
    assert execute_phase(defs, instance, RUN, 2).success
    assert _status(instance)["phase"] == "2"
    inputs = _check(instance, 2, CURRENT_INPUTS_CHECK)
    assert inputs is not None and inputs.passed

    # Regenerate one file of approved phase 1 that phase 2 was written from.
    run = DocsRun.load(docsgen_home.store, RUN)
    summary = regenerate_run(
        run,
        resolve_targets(run, [run.filenames["foundations"]], None),
        instance=instance,
        defs=defs,
        requested_by="test:bo",
        reason="feedback",
        feedback="Name the audit trail.",
        tags={},
    )
    assert summary["ok"], summary
    covers = _check(instance, 1, APPROVAL_COVERS_CHECK)
    assert covers is not None and not covers.passed and covers.severity is dg.AssetCheckSeverity.ERROR
    assert f"docsgen approve {RUN} --phase 1" in (covers.description or "")
    own = _check(instance, 1, CURRENT_INPUTS_CHECK)  # phase 1 itself: only its approval is behind
    assert own is not None and own.passed, own
    inputs = _check(instance, 2, CURRENT_INPUTS_CHECK)
    assert inputs is not None and not inputs.passed and inputs.severity is dg.AssetCheckSeverity.WARN
    assert f"docsgen regenerate {RUN} --phase 2" in (inputs.description or "")
    assert "system_context" in (inputs.description or "")
    status = _status(instance)
    assert (status["status"], status["phase"]) == ("AwaitingApproval", "1")
    assert "approve again" in status["detail"]
    rows = {r.data["phase"]: r.data for r in status["phases"].records}
    assert rows[1]["approval_current"] is False and rows[2]["inputs_changed"] is True

    # Approved again: the approval covers the files; phase 2 still builds on the old version.
    assert approve_phase(defs, instance, RUN, 1, approver="ana").success
    covers = _check(instance, 1, APPROVAL_COVERS_CHECK)
    assert covers is not None and covers.passed
    inputs = _check(instance, 2, CURRENT_INPUTS_CHECK)
    assert inputs is not None and not inputs.passed and inputs.severity is dg.AssetCheckSeverity.WARN
    assert _status(instance)["phase"] == "2"
