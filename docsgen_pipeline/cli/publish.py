"""``docsgen publish RUN --to DEST``: publish a Complete docs run's bundle, exactly once per destination."""

from __future__ import annotations

import json

import click

from docsgen_pipeline.errors import PublishError
from docsgen_pipeline.settings import store_root
from docsgen_pipeline.store import ArtifactStore, validate_run_id


@click.command("publish")
@click.argument("run_id", metavar="RUN")
@click.option("--to", "to", metavar="DEST", help="git+file:///repo.git#branch:path, git+ssh://…, or a folder")
@click.option("--bundle", "bundle", metavar="vK", help="bundle version (default: the latest)")
@click.option("--force", is_flag=True, help="publish a bundle older than the one last published there")
@click.option("--auto", is_flag=True, help="also publish every later bundle of RUN to DEST (auto_publish_sensor)")
@click.option("--reconcile", is_flag=True, help="only ask destinations what happened to unfinished publishes")
@click.option("--by", default="cli", show_default=True, help="who publishes (recorded in the ledger)")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def publish(
    run_id: str,
    to: str | None,
    bundle: str | None,
    force: bool,
    auto: bool,
    reconcile: bool,
    by: str,
    as_json: bool,
) -> int:
    """Publish RUN's bundle to DEST (a git branch folder or a directory), or --reconcile its ledger.

    Only a Complete run whose bundle verifies against its manifest is published. The same bundle
    again is a no-op that prints where it is; an older bundle than the last one published to DEST
    is refused unless --force.
    """
    from docsgen_pipeline.publish import publisher

    validate_run_id(run_id)
    store = ArtifactStore(store_root())
    store.registration(run_id)  # unknown run: one line, exit 2
    if reconcile:
        if to or bundle or force or auto:
            raise PublishError("--reconcile takes only RUN: it records what destinations hold, it publishes nothing")
        done = publisher.reconcile(store, run_id)
        if as_json:
            click.echo(json.dumps([r.line() for r in done], indent=2))
        for item in done:
            click.echo(item.line(), err=as_json)
        if not done:
            click.echo(f"nothing to reconcile: every publish of docs run {run_id} has an outcome", err=True)
        return 0
    if not to:
        raise PublishError("name a destination with --to DEST (or use --reconcile)")
    version = publisher.parse_bundle_version(bundle) if bundle else None
    from docsgen_pipeline.publish.registry import destination_for

    destination = destination_for(to)  # bad URL: one line, before any Dagster work
    from docsgen_pipeline.cli.instance import get_instance
    from docsgen_pipeline.dagster_layer.publishing import ensure_complete
    from docsgen_pipeline.publish.ledger import Ledger

    if auto:
        Ledger(store, run_id).set_auto(destination.url, by=by)
        click.echo(f"auto_publish: each new bundle of {run_id} goes to {destination.url}", err=True)
    try:
        ensure_complete(get_instance(), store, run_id)
    except PublishError:
        if not auto:
            raise
        click.echo(f"{run_id} is not Complete yet: it is published when it is (under the daemon)", err=True)
        return 0
    result = publisher.publish(store, run_id, destination.url, version=version, force=force, by=by)
    for item in result.reconciled:
        click.echo(item.line(), err=True)
    click.echo(json.dumps(result.as_dict(), indent=2) if as_json else result.line())
    return 0
