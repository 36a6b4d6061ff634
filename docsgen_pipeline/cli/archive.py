"""``docsgen archive RUN`` / ``docsgen unarchive RUN``: hide a docs run from the default listing
and from sensor work, or bring it back.  Nothing is deleted; the status is unchanged."""

from __future__ import annotations

import os

import click

from docsgen_pipeline.archive import set_archived
from docsgen_pipeline.settings import store_root
from docsgen_pipeline.store import ArtifactStore


def _set(run_id: str, archived: bool, by: str) -> int:
    from docsgen_pipeline.cli.instance import get_instance
    from docsgen_pipeline.dagster_layer.status_records import refresh

    store = ArtifactStore(store_root())
    set_archived(store, run_id, archived, by)
    record = refresh(get_instance(), store, run_id)
    if archived:
        click.echo(f"archived {run_id} ({record['status']}); see it with: docsgen list --archived")
    else:
        click.echo(f"unarchived {run_id} ({record['status']})")
    return 0


_BY = click.option("--by", default=lambda: os.environ.get("USER", "cli"), help="your name")


@click.command("archive")
@click.argument("run_id", metavar="RUN")
@_BY
def archive(run_id: str, by: str) -> int:
    """Archive a docs run: out of `docsgen list` and of the sensors' work (reversible)."""
    return _set(run_id, True, by)


@click.command("unarchive")
@click.argument("run_id", metavar="RUN")
@_BY
def unarchive(run_id: str, by: str) -> int:
    """Bring an archived docs run back into the listing and the sensors' work."""
    return _set(run_id, False, by)
