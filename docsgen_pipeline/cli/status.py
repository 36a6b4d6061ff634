"""``docsgen status [RUN]``: each docs run's status, phase, last event and the next command to type."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import click

from docsgen_pipeline.cli.instance import get_instance
from docsgen_pipeline.dagster_layer.facts import collect
from docsgen_pipeline.lifecycle import (
    DEFAULT_STALE_AFTER_DAYS,
    RunFacts,
    approval_covers,
    derive,
    gate_state,
    is_stale,
    next_action,
)
from docsgen_pipeline.progress import latest_progress
from docsgen_pipeline.settings import store_root
from docsgen_pipeline.store import ArtifactStore


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


def describe(facts: RunFacts, stale_after_days: float, now: float | None = None) -> dict[str, Any]:
    """One docs run's status as plain data (what --json prints)."""
    state = derive(facts)
    last = facts.last_event_at()
    stale = is_stale(state, last, time.time() if now is None else now, stale_after_days)
    phases = []
    for phase in facts.phases:
        approval = phase.approval
        phases.append(
            {
                "phase": phase.number,
                "files": f"{len(phase.current_files)}/{phase.expected_files}",
                "gate": gate_state(phase),
                "approved_by": approval.approver if approval else None,
                "approval_current": bool(approval and approval_covers(approval.files, phase.current_files)),
                "revision_rounds": phase.revision_rounds,
            }
        )
    return {
        "run_id": facts.run_id,
        "status": state.status.value,
        "phase": state.phase_label(),
        "detail": state.detail,
        "review_mode": facts.review_mode,
        "last_event_at": _iso(last),
        "stale": stale,
        "next_action": next_action(state, facts.run_id),
        "phases": phases,
    }


def gather(run_ids: list[str], stale_after_days: float) -> list[dict[str, Any]]:
    store = ArtifactStore(store_root())
    instance = get_instance()
    ids = run_ids or store.run_ids()
    rows = [describe(collect(instance, store, run_id), stale_after_days) for run_id in ids]
    for row in rows:
        latest = latest_progress(store, row["run_id"])
        # The last file written and the run's calls, tokens and cost so far (also once it stopped).
        row["progress"] = latest.model_dump() if latest else None
        row["progress_line"] = latest.line() if latest else ""
    return rows


def add_staleness(row: dict[str, Any]) -> None:
    """Mark phases whose inputs changed after they were built (Dagster's stale status), with the
    command that refreshes them; later phases are never rewritten on their own."""
    from docsgen_pipeline.cli.instance import get_definitions
    from docsgen_pipeline.dagster_layer.staleness import stale_phases
    from docsgen_pipeline.docs_run import DocsRun

    run = DocsRun.load(ArtifactStore(store_root()), row["run_id"])
    stale = {
        p.phase: p for p in stale_phases(get_instance(), get_definitions(run.blueprint), run.blueprint, run.run_id)
    }
    for phase in row["phases"]:
        found = stale.get(phase["phase"])
        phase["upstream_changed"] = bool(found and found.is_stale)
        phase["refresh"] = found.command if found and found.is_stale else None


def line(row: dict[str, Any]) -> str:
    stale = "  STALE" if row["stale"] else ""
    return (
        f"{row['run_id']}  {row['status']}  phase {row['phase']}  last event {row['last_event_at']}{stale}\n"
        f"    {row['detail']}\n    next: {row['next_action']}"
        + (f"\n    progress: {row['progress_line']}" if row.get("progress_line") else "")
    )


@click.command("status")
@click.argument("run_id", metavar="[RUN]", required=False)
@click.option(
    "--stale-after",
    type=click.FloatRange(min=0),
    default=DEFAULT_STALE_AFTER_DAYS,
    show_default=True,
    help="flag runs AwaitingApproval or Failed for longer than DAYS",
)
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def status(run_id: str | None, stale_after: float, as_json: bool) -> int:
    """Show each docs run's status, current phase, last event time and the next command."""
    rows = gather([run_id] if run_id else [], stale_after)
    if run_id:
        add_staleness(rows[0])
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
                if phase["upstream_changed"]:
                    click.echo(f"      stale (an earlier file changed): refresh with {phase['refresh']}")
    stale = [r["run_id"] for r in rows if r["stale"]]
    if stale:
        click.echo(f"{len(stale)} run(s) waiting longer than {stale_after:g} days: {', '.join(stale)}", err=True)
    return 0
