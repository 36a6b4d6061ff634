"""``docsgen reject RUN --phase N --note TEXT``: record feedback and regenerate with it."""

from __future__ import annotations

import json
import os

import click

from docsgen_pipeline.cli.driver import IN_PROCESS_TAGS, Session, continue_run
from docsgen_pipeline.dagster_layer.locking import execution_lock
from docsgen_pipeline.dagster_layer.revisions import MAX_ROUNDS_ENV, reject_phase
from docsgen_pipeline.docs_run import DocsRun
from docsgen_pipeline.errors import LifecycleError
from docsgen_pipeline.lifecycle import derive, next_action


@click.command("reject")
@click.argument("run_id", metavar="RUN")
@click.option("--phase", type=int, required=True, help="phase whose files need work")
@click.option("--note", required=True, help="feedback for the writer (kept, and passed to the agent)")
@click.option("--file", "files", multiple=True, help="file to regenerate (name or key; repeatable; default: all)")
@click.option("--by", "reviewer", default=lambda: os.environ.get("USER", "reviewer"), help="your name")
@click.option(
    "--max-rounds", type=click.IntRange(min=1), help=f"revision rounds allowed per phase (default 3, ${MAX_ROUNDS_ENV})"
)
@click.option("--json", "as_json", is_flag=True, help="print the recorded round as JSON")
def reject(
    run_id: str, phase: int, note: str, files: tuple[str, ...], reviewer: str, max_rounds: int | None, as_json: bool
) -> int:
    """Reject a phase with feedback: its files (or the named ones) are regenerated and gated again."""
    if not note.strip():
        raise LifecycleError("say what to change: --note TEXT")
    session = Session.open(run_id=run_id)
    run = DocsRun.load(session.store, run_id)
    with execution_lock(session.instance, session.store, run_id, "docsgen reject"):
        rejection = reject_phase(
            session.instance,
            session.defs,
            run,
            phase,
            note,
            files,
            reviewer,
            max_rounds=max_rounds,
            tags=IN_PROCESS_TAGS,
        )
        event = rejection.event
        click.echo(
            f"phase {phase} of {run_id}: revision round {rejection.round} of {rejection.limit} recorded", err=True
        )
        if not rejection.outcome.success:
            click.echo(f"phase {phase} regeneration: FAILED ({rejection.outcome.failure})", err=True)
        code = continue_run(session, run_id, results=not as_json) if rejection.outcome.success else 1
        state = derive(session.facts(run_id))
    if as_json:
        click.echo(
            json.dumps(
                {**event, "run_id": run_id, "status": state.status.value, "next_action": next_action(state, run_id)},
                indent=2,
            )
        )
    return code
