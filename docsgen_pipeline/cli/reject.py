"""``docsgen reject RUN --phase N --note TEXT``: record feedback and regenerate with it."""

from __future__ import annotations

import json
import os

import click

from docsgen_pipeline.blueprint import Blueprint
from docsgen_pipeline.cli.driver import IN_PROCESS_TAGS, Session, continue_run
from docsgen_pipeline.dagster_layer.execute import ensure_partition, execute
from docsgen_pipeline.dagster_layer.facts import FEEDBACK_LOG
from docsgen_pipeline.dagster_layer.jobs import phase_job_name
from docsgen_pipeline.dagster_layer.keys import file_key, validation_key
from docsgen_pipeline.dagster_layer.partitions import FEEDBACK_TAG, REASON_TAG, REQUESTED_BY_TAG
from docsgen_pipeline.docs_run import DocsRun
from docsgen_pipeline.errors import ConfigError, LifecycleError
from docsgen_pipeline.lifecycle import DEFAULT_MAX_REVISION_ROUNDS, derive, next_action, revision_refusal
from docsgen_pipeline.locks import execution_lock
from docsgen_pipeline.versions import resolve_file_key

MAX_ROUNDS_ENV = "DOCSGEN_MAX_REVISION_ROUNDS"


def max_rounds_default() -> int:
    raw = os.environ.get(MAX_ROUNDS_ENV, "")
    if not raw:
        return DEFAULT_MAX_REVISION_ROUNDS
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"{MAX_ROUNDS_ENV}={raw!r}: give a whole number of revision rounds, at least 1")
    return int(raw)


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
    limit = max_rounds or max_rounds_default()
    with execution_lock(session.store, run_id, "docsgen reject"):
        facts = session.facts(run_id)
        refusal = revision_refusal(facts, phase, limit)
        if refusal is not None:
            raise LifecycleError(f"rejection refused: {refusal}")
        keys = [resolve_file_key(run, f) for f in files]
        outside = [k for k in keys if run.blueprint.phase_of[k] != phase]
        if outside:
            raise LifecycleError(f"{', '.join(run.filenames[k] for k in outside)} is not a file of phase {phase}")
        round_number = facts.phases[phase].revision_rounds + 1
        event = session.store.append_event(
            run_id,
            FEEDBACK_LOG,
            {"phase": phase, "files": keys, "note": note.strip(), "by": reviewer, "round": round_number},
        )
        click.echo(f"phase {phase} of {run_id}: revision round {round_number} of {limit} recorded", err=True)
        ok = _regenerate(session, run.blueprint, run_id, phase, keys, reviewer, note.strip())
        code = continue_run(session, run_id, results=not as_json) if ok else 1
        state = derive(session.facts(run_id))
    if as_json:
        click.echo(
            json.dumps(
                {**event, "run_id": run_id, "status": state.status.value, "next_action": next_action(state, run_id)},
                indent=2,
            )
        )
    return code


def _regenerate(
    session: Session, blueprint: Blueprint, run_id: str, phase: int, keys: list[str], by: str, note: str
) -> bool:
    """Rewrite the files with the recorded feedback, then run the phase gate on the new versions.

    The note travels as the run's feedback tag, so the version and regeneration records keep it."""
    planned = blueprint.phases[phase].files
    chosen = [f for f in planned if not keys or f.key in keys]
    selection = [file_key(blueprint.phases[phase], f) for f in chosen] + [validation_key(phase)]
    ensure_partition(session.instance, run_id)
    outcome = execute(
        session.defs,
        session.instance,
        phase_job_name(phase),
        run_id,
        tags={**IN_PROCESS_TAGS, REASON_TAG: "reject", REQUESTED_BY_TAG: by, FEEDBACK_TAG: note},
        asset_selection=selection,
    )
    if not outcome.success:
        click.echo(f"phase {phase} regeneration: FAILED ({outcome.failure})", err=True)
    return outcome.success
