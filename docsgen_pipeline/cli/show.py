"""``docsgen show RUN FILE [--version K]``: print one version of a planned file (default: the latest)."""

from __future__ import annotations

import json

import click

from docsgen_pipeline.docs_run import DocsRun
from docsgen_pipeline.settings import store_root
from docsgen_pipeline.store import ArtifactStore
from docsgen_pipeline.versions import file_version, resolve_file_key, unified_diff


@click.command("show")
@click.argument("run_id")
@click.argument("file")
@click.option("--version", "version", type=click.IntRange(min=1), help="version K (default: the latest)")
@click.option("--diff", "diff", is_flag=True, help="print the unified diff against the previous version instead")
@click.option("--json", "as_json", is_flag=True, help="print the version's record and text as JSON")
def show(run_id: str, file: str, version: int | None, diff: bool, as_json: bool) -> int:
    """Print FILE (name, key or asset key) of docs run RUN_ID as stored; nothing is ever overwritten."""
    run = DocsRun.load(ArtifactStore(store_root()), run_id)
    key = resolve_file_key(run, file)
    chosen, text = file_version(run, key, version)
    current = chosen.record.version
    output = text
    if diff:
        if current == 1:
            output = ""
        else:
            _, previous = file_version(run, key, current - 1)
            output = unified_diff(previous, text, chosen.record.name, f"v{current - 1}", f"v{current}")
    if as_json:
        click.echo(json.dumps({**chosen.summary(), "diff" if diff else "text": output}, indent=2))
        return 0
    if not chosen.is_latest:
        click.echo(
            f"{chosen.record.name} v{current}: a newer version exists (v{chosen.latest_version}); "
            f"see docsgen history {run_id} {chosen.record.name}",
            err=True,
        )
    if diff and current == 1:
        click.echo(f"{chosen.record.name} v1 is the first version: nothing to diff", err=True)
    click.echo(output, nl=False)
    return 0
