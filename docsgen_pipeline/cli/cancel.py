"""``docsgen cancel RUN``: stop a docs run for good; every artifact is kept."""

from __future__ import annotations

import json
import os

import click

from docsgen_pipeline.cli.instance import get_instance
from docsgen_pipeline.dagster_layer.cancel import cancel_docs_run
from docsgen_pipeline.settings import store_root
from docsgen_pipeline.store import ArtifactStore


@click.command("cancel")
@click.argument("run_id", metavar="RUN")
@click.option("--by", default=lambda: os.environ.get("USER", "cli"), help="your name")
@click.option("--reason", default="", help="why (kept with the cancellation)")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def cancel(run_id: str, by: str, reason: str, as_json: bool) -> int:
    """Cancel a docs run: its in-flight Dagster runs stop and it can no longer be approved or advance."""
    store = ArtifactStore(store_root())
    store.registration(run_id)
    done = cancel_docs_run(get_instance(), store, run_id, by, reason)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "run_id": run_id,
                    "status": "Canceled",
                    "by": by,
                    "reason": reason,
                    "terminated": list(done.terminated),
                    "stopping": list(done.left_to_fail),
                    "artifacts": store.run_location(run_id),
                },
                indent=2,
            )
        )
        return 0
    click.echo(f"canceled {run_id}; artifacts kept in {store.run_location(run_id)}")
    if done.terminated:
        click.echo(f"terminated Dagster runs: {', '.join(done.terminated)}", err=True)
    if done.left_to_fail:
        click.echo(f"stopping at their next step: {', '.join(done.left_to_fail)}", err=True)
    return 0
