"""``docsgen status [RUN]``: each docs run's status, phase, last event and the next command to type."""

from __future__ import annotations

import json
from typing import Any

import click

from docsgen_pipeline.cli.records import status_rows
from docsgen_pipeline.lifecycle import DEFAULT_STALE_AFTER_DAYS
from docsgen_pipeline.progress import latest_progress
from docsgen_pipeline.publish.summary import publication_lines, publication_status
from docsgen_pipeline.settings import store_root
from docsgen_pipeline.store import ArtifactStore


def line(row: dict[str, Any]) -> str:
    stale = "  STALE" if row["stale"] else ""
    published = "".join(f"\n    {text}" for text in publication_lines(row.get("publication") or {}))
    return (
        f"{row['run_id']}  {row['status']}  phase {row['phase']}  last event {row['last_event_at']}{stale}\n"
        f"    {row['detail']}\n    next: {row['next_action']}"
        + (f"\n    progress: {row['progress_line']}" if row.get("progress_line") else "")
        + published
    )


def add_progress(rows: list[dict[str, Any]]) -> None:
    """The last file written and the run's calls, tokens and cost so far (also once it stopped):
    read live from the run's progress log, which changes between recorded facts."""
    store = ArtifactStore(store_root())
    for row in rows:
        try:
            latest = latest_progress(store, row["run_id"])
        except (OSError, ValueError):
            latest = None
        row["progress"] = latest.model_dump() if latest else None
        row["progress_line"] = latest.line() if latest else ""
        # Read live from the publish ledger: the last publication and any intent with an unknown
        # outcome, with the command that resolves it.
        row["publication"] = publication_status(store, row["run_id"])


@click.command("status")
@click.argument("run_id", metavar="[RUN]", required=False)
@click.option(
    "--stale-after",
    type=click.FloatRange(min=0),
    default=DEFAULT_STALE_AFTER_DAYS,
    show_default=True,
    help="flag runs AwaitingApproval or Failed for longer than DAYS",
)
@click.option(
    "--recompute",
    is_flag=True,
    help="rebuild the status records from the recorded facts and report any that disagreed",
)
@click.option("--archived", "include_archived", is_flag=True, help="include archived docs runs")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def status(run_id: str | None, stale_after: float, recompute: bool, include_archived: bool, as_json: bool) -> int:
    """Show each docs run's status, current phase, last event time and the next command."""
    rows, differed = status_rows([run_id] if run_id else [], stale_after, include_archived, recompute)
    add_progress(rows)
    if recompute:
        if differed:
            click.echo(
                f"{len(differed)} status record(s) disagreed with the recorded facts and were rebuilt: "
                + ", ".join(differed),
                err=True,
            )
        else:
            click.echo(f"{len(rows)} status record(s) agree with the recorded facts", err=True)
    if as_json:
        click.echo(json.dumps(rows[0] if run_id else rows, indent=2))
        return 0
    if not rows:
        click.echo("no docs runs yet: docsgen run BRIEF", err=True)
    for row in rows:
        click.echo(line(row))
        if run_id:
            for phase in row["phases"]:
                approved = phase["approved_by"] or "-"
                if phase["approved_by"] and not phase["approval_current"]:
                    approved += " (outdated)"
                click.echo(
                    f"    phase {phase['phase']}: files {phase['files']}, gate {phase['gate']}, "
                    f"approved by {approved}, revision rounds {phase['revision_rounds']}"
                )
                if phase.get("upstream_changed"):
                    click.echo(f"      stale (an earlier file changed): refresh with {phase['refresh']}")
    stale = [r["run_id"] for r in rows if r["stale"]]
    if stale:
        click.echo(f"{len(stale)} run(s) waiting longer than {stale_after:g} days: {', '.join(stale)}", err=True)
    return 0
