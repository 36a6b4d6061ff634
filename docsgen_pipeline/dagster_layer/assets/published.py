"""``final/published``: the one external mutation of a docs run, through the publish ledger.

Re-executing the step, a step retry or a run-level retry all go through the ledger, so none of
them publishes a bundle twice: the same bundle again is recorded as already published, and an
intent left without an outcome by a crash is reconciled from the destination first.
"""
# No `from __future__ import annotations` in asset modules (Dagster reads real annotations).

from collections.abc import Iterator

import dagster as dg
from pydantic import Field

from docsgen_pipeline.dagster_layer.keys import BUNDLE_KEY, FINAL_GROUP, PUBLISHED_KEY
from docsgen_pipeline.dagster_layer.partitions import REQUESTED_BY_TAG, docs_runs
from docsgen_pipeline.dagster_layer.publishing import ensure_complete
from docsgen_pipeline.dagster_layer.resources import ArtifactStoreResource, PublishResource
from docsgen_pipeline.dagster_layer.runtime import user_errors
from docsgen_pipeline.errors import DestinationUnavailableError
from docsgen_pipeline.publish.ledger import Ledger
from docsgen_pipeline.publish.publisher import parse_bundle_version, publish


class PublishConfig(dg.Config):
    """Where to publish the docs run's bundle (Launchpad)."""

    destination: str = Field(
        default="",
        description=(
            "git+file:///srv/docs.git#main:docs, git+ssh://host/repo.git#branch:path, git+https://…, or a "
            "folder; empty: the docs run's auto_publish destination, else the deployment's (DOCSGEN_AUTO_PUBLISH)"
        ),
    )
    bundle: str = Field(default="", description="bundle version such as v2; empty: the latest")
    force: bool = Field(default=False, description="publish a bundle older than the one last published there")
    by: str = Field(default="", description="who publishes (recorded in the ledger)")


def build_published_asset() -> dg.AssetsDefinition:
    @dg.asset(
        key=PUBLISHED_KEY,
        deps=[BUNDLE_KEY],
        partitions_def=docs_runs,
        group_name=FINAL_GROUP,
        kinds={"git"},
        code_version="1",
        output_required=False,
        retry_policy=dg.RetryPolicy(max_retries=2, delay=5),
        description=(
            "Publishes the Complete docs run's bundle to a git branch folder or a directory, exactly once per "
            "bundle and destination (publish ledger). Without a destination it does nothing."
        ),
    )
    def published(
        context: dg.AssetExecutionContext,
        config: PublishConfig,
        store: ArtifactStoreResource,
        publishing: PublishResource,
    ) -> Iterator[dg.MaterializeResult]:
        artifacts = store.get()
        run_id = context.partition_key
        destination = config.destination.strip() or Ledger(artifacts, run_id).auto_destination()
        destination = destination or publishing.auto_publish.strip()
        if not destination:
            context.log.info("no destination configured (Launchpad `destination`, or auto_publish): nothing published")
            return
        by = config.by.strip() or context.run.tags.get(REQUESTED_BY_TAG, "dagster")
        try:
            with user_errors():
                ensure_complete(context.instance, artifacts, run_id, exclude_dagster_run=context.run.run_id)
                version = parse_bundle_version(config.bundle) if config.bundle.strip() else None
                result = publish(
                    artifacts,
                    run_id,
                    destination,
                    version=version,
                    force=config.force,
                    by=by,
                    dagster_run=context.run.run_id,
                )
        except dg.Failure as failure:
            if isinstance(failure.__cause__, DestinationUnavailableError):
                raise dg.Failure(description=failure.description, allow_retries=True) from failure.__cause__
            raise
        for item in result.reconciled:
            context.log.warning(item.line())
        context.log.info(result.line())
        yield dg.MaterializeResult(
            metadata={
                "action": result.action,
                "destination": result.placement.destination,
                "location": result.placement.location,
                "revision": result.placement.revision,
                "bundle_version": result.bundle.version,
                "manifest_sha256": result.bundle.manifest_sha256,
                "published_at": result.placement.at,
                "reconciled": len(result.reconciled),
            },
            data_version=dg.DataVersion(f"{result.bundle.manifest_sha256}@{result.placement.destination}"),
        )

    return published
