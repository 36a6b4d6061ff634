"""Drive a docs run forward in-process, one lifecycle step at a time.

Shared by ``docsgen run``, ``docsgen approve`` and ``docsgen reject``.  Every decision comes from
the state the lifecycle derives from recorded facts, so continuing a run that stopped anywhere
(awaiting approval, interrupted, approved with ``--no-continue``) does the right next thing.  The
caller holds the docs run's execution lock (:func:`docsgen_pipeline.locks.execution_lock`).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import click
import dagster as dg

from docsgen_pipeline.blueprint import Blueprint
from docsgen_pipeline.cli.instance import get_definitions, get_instance
from docsgen_pipeline.dagster_layer.execute import (
    approve_phase,
    ensure_partition,
    execute,
    execute_final,
    execute_phase,
)
from docsgen_pipeline.dagster_layer.facts import IN_PROCESS_TAG, collect
from docsgen_pipeline.dagster_layer.jobs import BATCH_JOB
from docsgen_pipeline.dagster_layer.keys import (
    BRIEF_KEY,
    BUNDLE_KEY,
    CROSS_VALIDATION_KEY,
    approval_key,
    file_key,
    plan_key,
    validation_key,
)
from docsgen_pipeline.dagster_layer.locking import execution_lock
from docsgen_pipeline.dagster_layer.partitions import REASON_TAG
from docsgen_pipeline.deployment import check_distributed
from docsgen_pipeline.docs_run import APPROVALS, BUNDLES, FINAL_REPORT, REPORTS, DocsRun, approval_name, report_name
from docsgen_pipeline.errors import LifecycleError, RunLockedError
from docsgen_pipeline.lifecycle import RunFacts, RunState, Status, derive, next_action
from docsgen_pipeline.regeneration import RESUME
from docsgen_pipeline.settings import configured_blueprint, store_root
from docsgen_pipeline.store import ArtifactStore

IN_PROCESS_TAGS = {IN_PROCESS_TAG: "docsgen-cli"}
Marker = tuple[Status, int, str]


@dataclass
class Session:
    """What one CLI command works with: the store, the instance and the Definitions."""

    store: ArtifactStore
    instance: dg.DagsterInstance
    defs: dg.Definitions

    @classmethod
    def open(cls, blueprint: Blueprint | None = None, run_id: str | None = None) -> Session:
        """``run_id``: serve the blueprint that docs run was registered with (not the configured one)."""
        store = ArtifactStore(store_root())
        store.check()  # an unreachable object store is one line naming its URL, before anything runs
        if blueprint is None and run_id is not None:
            blueprint = DocsRun.load(store, run_id).blueprint
        check_distributed(blueprint or configured_blueprint())  # broker and workers' blueprint, when scaled out
        return cls(store=store, instance=get_instance(), defs=get_definitions(blueprint))

    def facts(self, run_id: str) -> RunFacts:
        """Facts as seen by the process that holds the execution lock."""
        return collect(self.instance, self.store, run_id, count_lock=False)


def refuse_if_in_flight(session: Session, run_id: str) -> None:
    """Runs launched through the queue (UI, sensors) do not take our lock: check them too."""
    facts = session.facts(run_id)
    if facts.in_flight:
        runs = ", ".join(f"{r.job_name} ({r.dagster_run_id[:8]})" for r in facts.in_flight)
        raise RunLockedError(
            f"docs run '{run_id}' has Dagster runs in flight: {runs}; wait for them "
            f"(docsgen status {run_id}) or stop them with `docsgen cancel {run_id}`"
        )


def _report(session: Session, run_id: str, name: str) -> str:
    record = session.store.latest(run_id, REPORTS, name)
    return f" — report: {session.store.where(run_id, record)}" if record else ""


def continue_run(session: Session, run_id: str, retry: bool = False, results: bool = True) -> int:
    """:func:`_continue_run`, with the run's progress (per file, per repair round) drawn on stderr."""
    from docsgen_pipeline.cli.progress_view import ProgressView

    with ProgressView(session.store, run_id):
        return _continue_run(session, run_id, retry, results)


def _continue_run(session: Session, run_id: str, retry: bool = False, results: bool = True) -> int:
    """Take every step the lifecycle allows without a person; 0 unless the run failed or is canceled.

    ``retry``: run a step that failed before its gate could judge (agent error, crash) once more.
    ``results=False``: the caller prints its own result (``--json``): everything goes to stderr.
    """
    ensure_partition(session.instance, run_id)
    refuse_if_in_flight(session, run_id)
    executed: set[Marker] = set()
    while True:
        facts = session.facts(run_id)
        state = derive(facts)
        if state.status is Status.COMPLETE:
            bundles = session.store.tree_versions(run_id, BUNDLES)
            files = sum(p.expected_files for p in facts.phases)
            click.echo(f"complete: {files} files validated and bundled", err=True)
            click.echo(str(bundles[-1]), err=not results)
            return 0
        if state.status is Status.CANCELED:
            click.echo(f"docs run {run_id} is canceled ({state.detail}); nothing more runs", err=True)
            return 1
        if state.status is Status.FAILED and retry and state.retryable:
            retry = False
            click.echo(f"retrying phase {state.phase_label()} ({state.detail})", err=True)
            _step(session, run_id, state, facts, executed)
            continue
        if state.status is Status.FAILED:
            where = _report(session, run_id, FINAL_REPORT if state.at_final else report_name(state.phase))
            click.echo(f"phase {state.phase_label()}: FAILED ({state.detail}){where}", err=True)
            click.echo(f"next: {next_action(state, run_id)}", err=True)
            return 1
        if state.status is Status.AWAITING_APPROVAL:
            if facts.review_mode == "batch":
                outcome = approve_phase(
                    session.defs, session.instance, run_id, state.phase, approver="batch", tags=IN_PROCESS_TAGS
                )
                if not outcome.success:
                    click.echo(f"phase {state.phase} approval failed: {outcome.failure}", err=True)
                    return 1
                continue
            click.echo(f"phase {state.phase} awaits approval", err=True)
            click.echo(next_action(state, run_id), err=not results)
            return 0
        if facts.review_mode == "batch" and not state.at_final and not facts.phases[state.phase].planned:
            marker = (state.status, state.phase, "batch")
            if marker not in executed:
                executed.add(marker)
                _run_batch(session, run_id, state.phase)
                continue
        _step(session, run_id, state, facts, executed)


def _batch_keys(run: DocsRun, first_phase: int) -> list[dg.AssetKey]:
    """Every asset from ``first_phase`` on (plans, files, gates, approvals) plus the final step."""
    keys = [BRIEF_KEY] if first_phase == 0 else []
    for phase in run.blueprint.phases[first_phase:]:
        keys += [plan_key(phase.number), *(file_key(phase, f) for f in phase.files)]
        keys += [validation_key(phase.number), approval_key(phase.number)]
    return [*keys, CROSS_VALIDATION_KEY, BUNDLE_KEY]


def _watch_approvals(session: Session, run_id: str, phases: dict[int, int], stop: threading.Event) -> None:
    """Print one progress line per phase as its approval lands (the Dagster run is still going)."""
    started = time.monotonic()
    seen = {n: len(session.store.history(run_id, APPROVALS, approval_name(n))) for n in phases}
    pending = list(phases)
    while pending and not stop.wait(0.2):
        number = pending[0]
        if len(session.store.history(run_id, APPROVALS, approval_name(number))) > seen[number]:
            elapsed = time.monotonic() - started
            click.echo(
                f"phase {number}: {phases[number]} files, gate passed, approved (batch) ({elapsed:.1f} s)", err=True
            )
            pending.pop(0)


def _run_batch(session: Session, run_id: str, first_phase: int) -> None:
    """Batch mode from a fresh phase: one Dagster run for the rest of the docs run.

    Every step still runs, checks still block, and approvals are still recorded; doing it in one
    run instead of a run per phase and per approval saves Dagster's per-run cost (about half of
    a whole docs run with the offline agent).
    """
    run = DocsRun.load(session.store, run_id)
    stop = threading.Event()
    watcher = threading.Thread(
        target=_watch_approvals,
        args=(session, run_id, {p.number: len(p.files) for p in run.blueprint.phases[first_phase:]}, stop),
        daemon=True,
    )
    watcher.start()
    try:
        execute(
            session.defs,
            session.instance,
            BATCH_JOB,
            run_id,
            tags=IN_PROCESS_TAGS,
            asset_selection=_batch_keys(run, first_phase),
        )
    finally:
        stop.set()
        watcher.join()


def _step(
    session: Session, run_id: str, state: RunState, facts: RunFacts, executed: set[tuple[Status, int, str]]
) -> None:
    """Run the step an idle Running state is waiting for (a phase, or the final step)."""
    marker = (state.status, state.phase, state.detail)
    if marker in executed:
        raise LifecycleError(f"docs run '{run_id}' made no progress at phase {state.phase_label()}: {state.detail}")
    executed.add(marker)
    started = time.monotonic()
    if state.at_final:
        execute_final(session.defs, session.instance, run_id, tags=IN_PROCESS_TAGS)
        return
    phase = facts.phases[state.phase]
    tags = dict(IN_PROCESS_TAGS)
    if phase.planned:
        # The phase was started before (interrupted, or its files changed after the gate): reuse
        # the plan and the files written for it, write only what is missing, and gate again.
        tags[REASON_TAG] = RESUME
    outcome = execute_phase(session.defs, session.instance, run_id, state.phase, tags=tags)
    if outcome.success:
        click.echo(
            f"phase {state.phase}: {phase.expected_files} files, gate passed ({time.monotonic() - started:.1f} s)",
            err=True,
        )


def drive(run_id: str, blueprint: Blueprint, first_phase: int = 0, *, command: str = "docsgen run") -> int:
    """Continue a docs run in-process under its execution lock.

    ``first_phase`` is kept for callers of the earlier API: phases that are approved are never
    re-run, so where to start follows from the recorded facts.
    """
    session = Session.open(blueprint)
    with execution_lock(session.instance, session.store, run_id, command):
        return continue_run(session, run_id)
