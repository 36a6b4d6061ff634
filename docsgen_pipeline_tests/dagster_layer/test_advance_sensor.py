"""The advance sensor starts the next phase only after an approval, once per approval."""

from __future__ import annotations

import json

import dagster as dg

from docsgen_pipeline.blueprint import default_blueprint
from docsgen_pipeline.dagster_layer.cancel import cancel_docs_run
from docsgen_pipeline.dagster_layer.definitions import build_definitions
from docsgen_pipeline.dagster_layer.execute import approve_phase, ensure_partition, execute, execute_phase
from docsgen_pipeline.dagster_layer.facts import collect
from docsgen_pipeline.dagster_layer.jobs import BATCH_JOB, FINAL_JOB, phase_job_name, rest_of_batch
from docsgen_pipeline.dagster_layer.partitions import RUN_TAG
from docsgen_pipeline.dagster_layer.sensors.advance import ADVANCE_SENSOR
from docsgen_pipeline.dagster_layer.ui_jobs import REGENERATE_JOB, REJECT_JOB
from docsgen_pipeline.docs_run import APPROVALS, BUNDLES, approval_name
from docsgen_pipeline.lifecycle import Status, derive
from docsgen_pipeline.registration import register_docs_run
from docsgen_pipeline_tests.conftest import EXAMPLES, Home
from docsgen_pipeline_tests.support.appending_agent import AppendingAgentResource

BROKEN_LINK = AppendingAgentResource(file_key="components", extra="\nSee also [the old design](acme-99-legacy.md).\n")


def _requests(defs: dg.Definitions, instance: dg.DagsterInstance) -> list[dg.RunRequest]:
    sensor = defs.get_sensor_def(ADVANCE_SENSOR)
    context = dg.build_sensor_context(instance=instance, definitions=defs, resources=defs.resources)
    result = sensor(context)
    assert isinstance(result, dg.SensorResult)
    return list(result.run_requests or [])


def test_next_phase_starts_only_after_approval(docsgen_home: Home) -> None:
    blueprint = default_blueprint()
    store = docsgen_home.store
    register_docs_run(
        store,
        brief_text=(EXAMPLES / "acme-orders.yaml").read_text(),
        brief_format="yaml",
        brief_source="acme",
        blueprint=blueprint,
        run_id="adv-1",
        review_mode="interactive",
    )
    defs = build_definitions(blueprint, store.root)
    instance = docsgen_home.instance()
    assert defs.get_sensor_def(ADVANCE_SENSOR).default_status is dg.DefaultSensorStatus.RUNNING
    ensure_partition(instance, "adv-1")
    assert _requests(defs, instance) == []  # registered, phase 0 not run: nothing was approved

    assert execute_phase(defs, instance, "adv-1", 0).success
    assert derive(collect(instance, store, "adv-1")).status is Status.AWAITING_APPROVAL
    assert _requests(defs, instance) == []  # gate passed, awaiting a person: nothing starts

    # The UI path without an approver (e.g. "materialize all") does not count as an approval.
    refused = approve_phase(defs, instance, "adv-1", 0, approver="")
    assert not refused.success and "docsgen approve adv-1 --phase 0 --by NAME" in refused.failure
    assert _requests(defs, instance) == []

    assert approve_phase(defs, instance, "adv-1", 0, approver="ana", note="looks right").success
    requests = _requests(defs, instance)
    assert len(requests) == 1
    request = requests[0]
    approval = store.latest("adv-1", APPROVALS, approval_name(0))
    assert approval is not None
    assert request.job_name == phase_job_name(1) and request.partition_key == "adv-1"
    assert request.run_key == f"adv-1:phase1:{approval.sha256}"
    assert request.tags[RUN_TAG] == "adv-1"

    # What the daemon would launch for that request; afterwards nothing more until the next approval.
    outcome = execute(defs, instance, request.job_name or "", "adv-1", tags=request.tags)
    assert outcome.success
    state = derive(collect(instance, store, "adv-1"))
    assert (state.status, state.phase) == (Status.AWAITING_APPROVAL, 1)
    assert _requests(defs, instance) == []

    # Approved but canceled before the sensor ticked: a canceled run never advances.
    assert approve_phase(defs, instance, "adv-1", 1, approver="ana").success
    assert [r.job_name for r in _requests(defs, instance)] == [phase_job_name(2)]
    cancel_docs_run(instance, store, "adv-1", by="bo", reason="brief changed")
    assert _requests(defs, instance) == []
    assert derive(collect(instance, store, "adv-1")).status is Status.CANCELED
    # Launching the phase anyway (a stale request, or by hand) fails fast and writes nothing.
    late = execute_phase(defs, instance, "adv-1", 2)
    assert not late.success and "canceled by bo" in late.failure
    assert store.latest("adv-1", "plans", "phase2-plan.json") is None


def test_a_failed_batch_run_rejected_in_the_ui_goes_on_as_a_batch(docsgen_home: Home) -> None:
    """Phase 2's gate fails a batch run; a rejection from the UI rewrites and re-approves phase 2; the
    sensor then starts the rest of the batch (phases 3-5 approved as batch, then the bundle), not
    phase 3 alone, which would wait for an approval nobody gives."""
    blueprint = default_blueprint()
    store = docsgen_home.store
    docsgen_home.register("batch-1", review_mode="batch")
    instance = docsgen_home.instance()
    ensure_partition(instance, "batch-1")
    broken = build_definitions(blueprint, store.root, agent=BROKEN_LINK)
    failed = execute(broken, instance, BATCH_JOB, "batch-1")
    assert not failed.success
    state = derive(collect(instance, store, "batch-1"))
    assert (state.status, state.phase) == (Status.FAILED, 2)

    defs = build_definitions(blueprint, store.root)
    rejected = defs.resolve_job_def(REJECT_JOB).execute_in_process(
        instance=instance,
        run_config={"ops": {f"{REJECT_JOB}_op": {"config": {"docs_run": "batch-1", "note": "Drop the legacy link"}}}},
        raise_on_error=False,
    )
    assert rejected.success
    [request] = _requests(defs, instance)
    assert request.job_name == BATCH_JOB
    assert list(request.asset_selection or []) == rest_of_batch(blueprint, 3)

    outcome = execute(
        defs, instance, BATCH_JOB, "batch-1", tags=request.tags, asset_selection=list(request.asset_selection or [])
    )
    assert outcome.success, outcome.failure
    assert derive(collect(instance, store, "batch-1")).status is Status.COMPLETE
    approvers = {
        n: json.loads(store.read_text("batch-1", store.latest("batch-1", APPROVALS, approval_name(n))))
        for n in (3, 4, 5)
    }  # type: ignore[arg-type]
    assert {n: a["approver"] for n, a in approvers.items()} == {3: "batch", 4: "batch", 5: "batch"}
    assert _requests(defs, instance) == []


def test_a_regenerated_complete_run_is_bundled_again_by_the_sensor(docsgen_home: Home) -> None:
    """A Complete batch run; one file regenerated from the UI (re-approved as batch); the sensor's
    next tick starts the final step, which writes bundle v2 with the new version; Complete again."""
    blueprint = default_blueprint()
    store = docsgen_home.store
    docsgen_home.register("done-1", review_mode="batch")
    instance = docsgen_home.instance()
    ensure_partition(instance, "done-1")
    defs = build_definitions(blueprint, store.root)
    assert execute(defs, instance, BATCH_JOB, "done-1").success
    assert derive(collect(instance, store, "done-1")).status is Status.COMPLETE
    assert _requests(defs, instance) == []
    assert len(store.tree_versions("done-1", BUNDLES)) == 1

    regenerated = defs.resolve_job_def(REGENERATE_JOB).execute_in_process(
        instance=instance,
        run_config={
            "ops": {
                f"{REGENERATE_JOB}_op": {
                    "config": {
                        "docs_run": "done-1",
                        "files": ["acme-14-components.md"],
                        "feedback": "Name the owner of each component",
                    }
                }
            }
        },
        raise_on_error=False,
    )
    assert regenerated.success
    [request] = _requests(defs, instance)
    assert request.job_name == FINAL_JOB
    assert execute(defs, instance, FINAL_JOB, "done-1", tags=request.tags).success
    assert derive(collect(instance, store, "done-1")).status is Status.COMPLETE
    bundles = store.tree_versions("done-1", BUNDLES)
    assert len(bundles) == 2
    manifest = json.loads((bundles[-1] / "manifest.json").read_text())
    versions = {e["file"]: e["version"] for e in manifest["files"]}
    assert versions["acme-14-components.md"] == 2 and versions["acme.md"] == 1
    assert _requests(defs, instance) == []  # bundled once per approval
