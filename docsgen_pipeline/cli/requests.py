"""``docsgen requests``: the inbox's requests, their status and those waiting too long."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import click

from docsgen_pipeline.inbox import Inbox, Request, inbox_dir, pending_threshold


def _age(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds >= 86400:
        return f"{seconds // 86400}d"
    if seconds >= 3600:
        return f"{seconds // 3600}h"
    return f"{seconds // 60}m"


def _line(request: Request, now: datetime) -> str:
    status = request.status
    if status == "consumed":
        detail = f"docs run {request.run_id}"
    elif status in ("rejected", "skipped"):
        detail = request.reason
    else:
        detail = "scheduled batch" if request.spec.scheduled else "next sensor tick"
    mode = request.spec.review_mode or "brief's"
    return f"{request.id}  {status:<9} {_age(request.waiting(now)):>4}  {mode:<11} {request.spec.source}  {detail}"


@click.command("requests")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(["pending", "consumed", "skipped", "rejected"]),
    help="only these statuses (repeatable)",
)
@click.option("--older-than", type=float, help="flag pending requests older than this many days (default 7)")
@click.option("--json", "as_json", is_flag=True, help="print the requests as JSON")
def requests(statuses: tuple[str, ...], older_than: float | None, as_json: bool) -> int:
    """List the inbox's requests, oldest first; flag pending ones that wait too long."""
    threshold = timedelta(days=older_than) if older_than is not None else pending_threshold()
    now = datetime.now(UTC)
    inbox = Inbox(inbox_dir())
    # Briefs dropped since the last sensor tick show up here too (as pending).
    inbox.scan()
    listed = [r for r in inbox.requests() if not statuses or r.status in statuses]
    overdue = [r for r in listed if r.overdue(now, threshold)]
    if as_json:
        payload = {
            "inbox": str(inbox.root),
            "pending_threshold_days": threshold.total_seconds() / 86400,
            "requests": [r.as_json(now, threshold) for r in listed],
        }
        click.echo(json.dumps(payload, indent=2))
        return 0
    if not listed:
        click.echo(f"no requests in {inbox.root} (drop a brief there or run: docsgen submit BRIEF)", err=True)
        return 0
    click.echo(f"{'ID':<12}  {'STATUS':<9} {'AGE':>4}  {'REVIEW':<11} SOURCE  DETAIL")
    for request in listed:
        click.echo(_line(request, now))
    for request in overdue:
        click.echo(
            f"WAITING TOO LONG: request {request.id} pending for {_age(request.waiting(now))} "
            f"— {request.unblock_hint()}",
            err=True,
        )
    return 0
