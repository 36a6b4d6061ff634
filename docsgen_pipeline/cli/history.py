"""``docsgen history RUN FILE``: every version of one planned file, oldest first."""

from __future__ import annotations

import json

import click

from docsgen_pipeline.docs_run import DocsRun
from docsgen_pipeline.settings import store_root
from docsgen_pipeline.store import ArtifactStore
from docsgen_pipeline.versions import file_history, history_text, resolve_file_key


@click.command("history")
@click.argument("run_id")
@click.argument("file")
@click.option("--json", "as_json", is_flag=True, help="print the versions as a JSON list")
def history(run_id: str, file: str, as_json: bool) -> int:
    """List the versions of FILE (name, key or asset key) in docs run RUN_ID: when, why, by whom."""
    run = DocsRun.load(ArtifactStore(store_root()), run_id)
    key = resolve_file_key(run, file)
    versions = file_history(run, key)
    if as_json:
        click.echo(json.dumps([v.summary() for v in versions], indent=2))
        return 0
    if not versions:
        click.echo(f"{run.filenames[key]} has not been generated yet in docs run '{run_id}'", err=True)
        return 0
    click.echo(history_text(versions))
    return 0
