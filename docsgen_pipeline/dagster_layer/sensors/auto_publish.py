"""The auto_publish sensor: publish each new bundle of a Complete docs run to its auto destination.

The destination is the docs run's own (``docsgen publish RUN --to DEST --auto``) or else the
deployment's (``DOCSGEN_AUTO_PUBLISH``, the ``publishing`` resource). The run key names the docs
run, destination and manifest sha256, so one bundle is requested once; the launched
``publish_docs_run`` goes through the ledger anyway, so even a duplicate request adds nothing.
"""

# No `from __future__ import annotations` here: Dagster reads the sensor function's parameter
# annotations at definition time to find its resources, and needs real types.

import dagster as dg

from docsgen_pipeline.dagster_layer.automation import Jobs, job_by_name
from docsgen_pipeline.dagster_layer.facts import collect
from docsgen_pipeline.dagster_layer.jobs import PUBLISH_JOB
from docsgen_pipeline.dagster_layer.keys import PUBLISHED_KEY
from docsgen_pipeline.dagster_layer.partitions import DOCS_RUNS, REQUESTED_BY_TAG, RUN_TAG
from docsgen_pipeline.dagster_layer.resources import ArtifactStoreResource, PublishResource
from docsgen_pipeline.errors import DocsGenError
from docsgen_pipeline.lifecycle import Status, derive
from docsgen_pipeline.publish.ledger import Ledger
from docsgen_pipeline.publish.publisher import load_bundle
from docsgen_pipeline.publish.registry import destination_for

AUTO_PUBLISH_SENSOR = "auto_publish_sensor"
MINIMUM_INTERVAL_SECONDS = 30


def auto_publish_requests(
    instance: dg.DagsterInstance, store: ArtifactStoreResource, publishing: PublishResource
) -> list[dg.RunRequest]:
    artifacts = store.get()
    deployment = publishing.auto_publish.strip()
    requests = []
    for run_id in instance.get_dynamic_partitions(DOCS_RUNS):
        if not artifacts.has_run(run_id):
            continue
        ledger = Ledger(artifacts, run_id)
        target = ledger.auto_destination() or deployment
        if not target or ledger.busy():
            continue
        try:
            url = destination_for(target).url
            if derive(collect(instance, artifacts, run_id)).status is not Status.COMPLETE:
                continue
            bundle = load_bundle(artifacts, run_id)
        except DocsGenError:
            continue  # a bad URL or a bundle that does not verify: `docsgen publish` says why
        last = ledger.last_published(url)
        if last is not None and last.manifest_sha256 == bundle.manifest_sha256:
            continue
        op = "__".join(PUBLISHED_KEY.path)
        requests.append(
            dg.RunRequest(
                run_key=f"{run_id}:{url}:{bundle.manifest_sha256}",
                job_name=PUBLISH_JOB,
                partition_key=run_id,
                run_config={"ops": {op: {"config": {"destination": url}}}},
                tags={RUN_TAG: run_id, REQUESTED_BY_TAG: AUTO_PUBLISH_SENSOR},
            )
        )
    return requests


def build_auto_publish_sensor(jobs: Jobs) -> dg.SensorDefinition:
    @dg.sensor(
        name=AUTO_PUBLISH_SENSOR,
        jobs=[job_by_name(jobs, PUBLISH_JOB)],
        default_status=dg.DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=MINIMUM_INTERVAL_SECONDS,
        description="Publishes each new bundle of a Complete docs run to its auto_publish destination, once.",
    )
    def auto_publish_sensor(
        context: dg.SensorEvaluationContext, store: ArtifactStoreResource, publishing: PublishResource
    ) -> dg.SensorResult:
        requests = auto_publish_requests(context.instance, store, publishing)
        for request in requests:
            context.log.info(f"publishing {request.partition_key}: {request.run_key}")
        if not requests:
            return dg.SensorResult(skip_reason="no Complete docs run has a new bundle for its auto_publish destination")
        return dg.SensorResult(run_requests=requests)

    return auto_publish_sensor
