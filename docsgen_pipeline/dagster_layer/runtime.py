"""Glue shared by the asset factories: load the docs run, turn our errors into Failures."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from docsgen_pipeline.blueprint import Blueprint
from docsgen_pipeline.dagster_layer.facts import cancel_fact
from docsgen_pipeline.docs_run import DocsRun
from docsgen_pipeline.errors import DocsGenError
from docsgen_pipeline.store import ArtifactStore, VersionRecord
from docsgen_pipeline.ui_hints import with_ui_fix


@contextmanager
def user_errors() -> Iterator[None]:
    """Our errors are written for users: show them as the step's failure description."""
    try:
        yield
    except DocsGenError as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from exc


@contextmanager
def ui_errors(cli: str) -> Iterator[None]:
    """Refusals of the UI jobs: one line naming the CLI command (``cli`` unless the message names
    one) and the Launchpad fix, shown as the step's failure without our traceback chained to it."""
    try:
        yield
    except DocsGenError as exc:
        message = " ".join(str(exc).split())
        if "docsgen " not in message:
            message = f"{message} (CLI: {cli})"
        raise dg.Failure(description=with_ui_fix(message), allow_retries=False) from None


def load_run(
    context: dg.AssetExecutionContext | dg.OpExecutionContext, store: ArtifactStore, blueprint: Blueprint
) -> DocsRun:
    run = DocsRun.load(store, context.partition_key)
    canceled = cancel_fact(store, run.run_id)
    if canceled is not None:  # a canceled docs run never advances (lifecycle; see docsgen cancel)
        raise dg.Failure(description=f"docs run '{run.run_id}' was canceled by {canceled.by}", allow_retries=False)
    if run.registration.blueprint_sha256 != blueprint.content_hash():
        raise dg.Failure(
            description=(
                f"docs run '{run.run_id}' was planned with blueprint '{run.registration.blueprint_name}' "
                f"v{run.registration.blueprint_version}, but this code location serves '{blueprint.name}' "
                f"v{blueprint.version}; load the code location with DOCSGEN_BLUEPRINT pointing at that "
                "blueprint (or use `docsgen run --blueprint`)"
            )
        )
    return run


def tag(context: dg.AssetExecutionContext, name: str, default: str = "") -> str:
    value = context.run.tags.get(name)
    return value if value is not None else default


def version_metadata(record: VersionRecord, store: ArtifactStore, run_id: str) -> dict[str, dg.MetadataValue]:
    return {
        "version": dg.MetadataValue.int(record.version),
        "sha256": dg.MetadataValue.text(record.sha256),
        "path": dg.MetadataValue.path(store.where(run_id, record)),
    }
