"""``final/published`` and ``auto_publish_sensor`` on a real Complete docs run and a real git repository."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from docsgen_pipeline.cli.instance import get_definitions
from docsgen_pipeline.dagster_layer.execute import execute
from docsgen_pipeline.dagster_layer.jobs import BATCH_JOB, PUBLISH_JOB
from docsgen_pipeline.dagster_layer.keys import PUBLISHED_KEY
from docsgen_pipeline.dagster_layer.resources import ArtifactStoreResource, PublishResource
from docsgen_pipeline.dagster_layer.sensors.auto_publish import auto_publish_requests
from docsgen_pipeline.publish.ledger import Ledger
from docsgen_pipeline.publish.publisher import load_bundle
from docsgen_pipeline.publish.registry import destination_for
from docsgen_pipeline_tests.support.publishing import RUN, PublishHome, bare_repo, commits

OP = "__".join(PUBLISHED_KEY.path)


def _publish(defs: dg.Definitions, instance: dg.DagsterInstance, destination: str) -> dict[str, object]:
    outcome = execute(
        defs, instance, PUBLISH_JOB, RUN, run_config={"ops": {OP: {"config": {"destination": destination}}}}
    )
    assert outcome.success, outcome.failure
    event = instance.get_latest_materialization_event(PUBLISHED_KEY)
    assert event is not None and event.asset_materialization is not None
    assert event.run_id == outcome.dagster_run_id
    return {k: v.value for k, v in event.asset_materialization.metadata.items()}


def test_the_asset_publishes_once_and_reconciles_a_lost_outcome(home: PublishHome, tmp_path: Path) -> None:
    defs = get_definitions()
    instance = dg.DagsterInstance.get()
    assert PUBLISHED_KEY not in defs.resolve_job_def(BATCH_JOB).asset_layer.selected_asset_keys

    # A crash left an intent without an outcome after the push really happened.
    repo = bare_repo(tmp_path / "docs.git")
    dest = destination_for(f"git+file://{repo}#main:docs")
    bundle = load_bundle(home.store, RUN)
    Ledger(home.store, RUN).intend(dest.url, bundle, by="crashed")
    pushed = dest.publish(bundle)

    first = _publish(defs, instance, dest.url)
    assert (first["action"], first["revision"], first["reconciled"]) == ("already_published", pushed.revision, 1)
    # Re-executing the step (or a retry) goes through the ledger: still one commit.
    again = _publish(defs, instance, dest.url)
    assert again["action"] == "already_published" and len(commits(repo)) == 1

    other = bare_repo(tmp_path / "other.git")
    fresh = _publish(defs, instance, f"git+file://{other}#main")
    assert fresh["action"] == "published" and len(commits(other)) == 1

    # No destination anywhere: the step succeeds and materializes nothing.
    before = instance.get_latest_materialization_event(PUBLISHED_KEY)
    assert execute(defs, instance, PUBLISH_JOB, RUN).success
    assert instance.get_latest_materialization_event(PUBLISHED_KEY) == before


def test_auto_publish_sensor_requests_each_new_bundle_once(home: PublishHome, tmp_path: Path) -> None:
    instance = dg.DagsterInstance.get()
    store = ArtifactStoreResource(root=str(home.store.root))
    repo = bare_repo(tmp_path / "docs.git")
    dest = destination_for(f"git+file://{repo}#main:docs").url

    assert auto_publish_requests(instance, store, PublishResource()) == []
    deployment = auto_publish_requests(instance, store, PublishResource(auto_publish=dest))
    assert [(r.partition_key, r.job_name) for r in deployment] == [(RUN, PUBLISH_JOB)]
    manifest = load_bundle(home.store, RUN).manifest_sha256
    assert deployment[0].run_key == f"{RUN}:{dest}:{manifest}"

    # The docs run's own auto destination wins over the deployment's; once published, nothing more.
    own = destination_for(str(tmp_path / "site")).url
    Ledger(home.store, RUN).set_auto(own, by="ana")
    requests = auto_publish_requests(instance, store, PublishResource(auto_publish=dest))
    assert [r.run_config["ops"][OP]["config"]["destination"] for r in requests] == [own]
    defs = get_definitions()
    assert execute(defs, instance, PUBLISH_JOB, RUN, run_config=requests[0].run_config).success
    assert (tmp_path / "site" / "manifest.json").is_file()
    assert auto_publish_requests(instance, store, PublishResource(auto_publish=dest)) == []
