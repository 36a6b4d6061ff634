"""``docsgen list``: one line per docs run, filtered by status."""

from __future__ import annotations

import json

import click

from docsgen_pipeline.cli.records import status_rows
from docsgen_pipeline.lifecycle import DEFAULT_STALE_AFTER_DAYS, Status
from docsgen_pipeline.status_record import BROKEN, UNRECONCILED


@click.command("list")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice([*(s.value for s in Status), BROKEN, UNRECONCILED], case_sensitive=False),
    help="only runs in this status (repeatable)",
)
@click.option("--stale", is_flag=True, help="only runs waiting on a person longer than --stale-after days")
@click.option("--stale-after", type=click.FloatRange(min=0), default=DEFAULT_STALE_AFTER_DAYS, show_default=True)
@click.option("--archived", "include_archived", is_flag=True, help="include archived docs runs")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def list_runs(statuses: tuple[str, ...], stale: bool, stale_after: float, include_archived: bool, as_json: bool) -> int:
    """List docs runs with their status and phase."""
    wanted = {s.lower() for s in statuses}
    rows = [
        r
        for r in status_rows([], stale_after, include_archived)[0]
        if (not wanted or r["status"].lower() in wanted) and (not stale or r["stale"])
    ]
    if as_json:
        click.echo(json.dumps([{k: v for k, v in r.items() if k != "phases"} for r in rows], indent=2))
        return 0
    lines = []
    for r in rows:
        flag = ("  STALE" if r["stale"] else "") + ("  archived" if r["archived"] else "")
        lines.append(f"{r['run_id']}\t{r['status']}\tphase {r['phase']}\t{r['last_event_at']}{flag}")
    if lines:
        click.echo("\n".join(lines))  # one write for the table, not one per docs run
    return 0
