"""``docsgen approve RUN``: record a person's approval of a phase, then continue the run in-process."""

from __future__ import annotations

import json

import click

from docsgen_pipeline.cli.driver import IN_PROCESS_TAGS, Session, continue_run
from docsgen_pipeline.dagster_layer.execute import approve_phase
from docsgen_pipeline.dagster_layer.locking import execution_lock
from docsgen_pipeline.errors import LifecycleError
from docsgen_pipeline.lifecycle import Status, approval_refusal, derive, next_action, phase_approved


@click.command("approve")
@click.argument("run_id", metavar="RUN")
@click.option("--phase", type=int, help="phase to approve (default: the one awaiting approval)")
@click.option("--by", "approver", help="your name (recorded with the approval)")
@click.option("--note", default="", help="note kept with the approval")
@click.option("--no-continue", is_flag=True, help="only record the approval; the advance sensor (daemon) continues")
@click.option("--resume", is_flag=True, help="record nothing: continue (or retry a failed step of) the run in-process")
@click.option("--json", "as_json", is_flag=True, help="print the approval as JSON")
def approve(
    run_id: str, phase: int | None, approver: str | None, note: str, no_continue: bool, resume: bool, as_json: bool
) -> int:
    """Approve a phase whose gate passed; the next phase then starts (in-process unless --no-continue)."""
    session = Session.open(run_id=run_id)
    session.store.registration(run_id)  # unknown runs fail with how to register them
    with execution_lock(session.instance, session.store, run_id, "docsgen approve"):
        result: dict[str, object] = {"run_id": run_id}
        if not resume:
            result.update(_approve(session, run_id, phase, approver, note))
        code = 0
        if not no_continue:
            code = continue_run(session, run_id, retry=resume, results=not as_json)
        state = derive(session.facts(run_id))
        result.update(status=state.status.value, phase=state.phase_label(), next_action=next_action(state, run_id))
        if no_continue and state.status is Status.RUNNING:
            click.echo(f"next: {next_action(state, run_id)} (or let the advance sensor start it)", err=True)
    if as_json:
        click.echo(json.dumps(result, indent=2))
    return code


def _approve(session: Session, run_id: str, phase: int | None, approver: str | None, note: str) -> dict[str, object]:
    if not approver or not approver.strip():
        raise LifecycleError(f"say who approves: docsgen approve {run_id} --by NAME")
    facts = session.facts(run_id)
    state = derive(facts)
    number = state.phase if phase is None else phase
    if phase is None and state.status is not Status.AWAITING_APPROVAL:
        raise LifecycleError(
            f"docs run '{run_id}' has no phase awaiting approval (status {state.status.value}, "
            f"phase {state.phase_label()}: {state.detail}); next: {next_action(state, run_id)}"
        )
    if 0 <= number < facts.final_phase and number < state.phase and phase_approved(facts.phases[number]):
        given = facts.phases[number].approval
        by = given.approver if given else "?"
        click.echo(f"phase {number} of {run_id} is already approved by {by} for its current files", err=True)
        return {"phase": number, "approver": by, "already_approved": True}
    refusal = approval_refusal(facts, number)
    if refusal is not None:
        raise LifecycleError(f"approval refused: {refusal}")
    outcome = approve_phase(
        session.defs, session.instance, run_id, number, approver=approver.strip(), note=note, tags=IN_PROCESS_TAGS
    )
    if not outcome.success:
        raise LifecycleError(outcome.failure)
    approval = session.facts(run_id).phases[number].approval
    files = dict(approval.files) if approval else {}
    click.echo(f"approved phase {number} of {run_id} by {approver.strip()} ({len(files)} files)", err=True)
    return {"phase": number, "approver": approver.strip(), "note": note, "files": files}
