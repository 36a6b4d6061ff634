"""The docs-run lifecycle as a pure state machine (no Dagster here).

Two halves that must agree:

* :data:`TRANSITIONS` — the table of legal moves: ``(status, event) -> status`` plus a phase rule.
  Every action the CLI or an asset takes on a docs run (approve, reject, cancel, start a step)
  is checked against it with :func:`transition`, which raises :class:`LifecycleError` for an
  illegal move.
* :func:`derive` — the state read back from recorded facts (:class:`RunFacts`, gathered from the
  Dagster instance and the artifact store by ``dagster_layer.facts``).  Nothing else is stored:
  the status of a docs run is always what its facts say.

A phase is *approved* only while its approval covers exactly the phase's current latest file
versions (:func:`approval_covers`); regenerating any file of an approved phase therefore puts the
phase back under review without anybody having to remember to revoke anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from docsgen_pipeline.errors import LifecycleError

DEFAULT_MAX_REVISION_ROUNDS = 3
DEFAULT_STALE_AFTER_DAYS = 7.0


class Status(StrEnum):
    RUNNING = "Running"
    AWAITING_APPROVAL = "AwaitingApproval"
    FAILED = "Failed"
    COMPLETE = "Complete"
    CANCELED = "Canceled"


class Event(StrEnum):
    START = "start"  # a Dagster run of a phase (generate/regenerate) or of the final step starts
    GATE_PASSED = "gate_passed"
    GATE_FAILED = "gate_failed"
    STEP_FAILED = "step_failed"  # a step failed before the gate could judge (agent error, crash)
    APPROVE = "approve"
    REJECT = "reject"
    BUNDLE = "bundle"
    CANCEL = "cancel"


class PhaseRule(StrEnum):
    SAME = "same"  # stays at the current phase
    NEXT = "next"  # the approved phase's successor (or the final step)
    TARGET = "target"  # the phase the event names (at most the current one: an earlier phase reopens)


S, E, R = Status, Event, PhaseRule

# Every legal move. A (status, event) pair that is absent is illegal.
TRANSITIONS: dict[tuple[Status, Event], tuple[Status, PhaseRule]] = {
    (S.RUNNING, E.START): (S.RUNNING, R.TARGET),
    (S.RUNNING, E.GATE_PASSED): (S.AWAITING_APPROVAL, R.SAME),
    (S.RUNNING, E.GATE_FAILED): (S.FAILED, R.SAME),
    (S.RUNNING, E.STEP_FAILED): (S.FAILED, R.SAME),
    (S.RUNNING, E.BUNDLE): (S.COMPLETE, R.SAME),
    (S.RUNNING, E.CANCEL): (S.CANCELED, R.SAME),
    (S.AWAITING_APPROVAL, E.START): (S.RUNNING, R.TARGET),
    (S.AWAITING_APPROVAL, E.APPROVE): (S.RUNNING, R.NEXT),
    (S.AWAITING_APPROVAL, E.REJECT): (S.RUNNING, R.TARGET),
    (S.AWAITING_APPROVAL, E.CANCEL): (S.CANCELED, R.SAME),
    (S.FAILED, E.START): (S.RUNNING, R.TARGET),
    (S.FAILED, E.REJECT): (S.RUNNING, R.TARGET),
    (S.FAILED, E.CANCEL): (S.CANCELED, R.SAME),
    (S.COMPLETE, E.START): (S.RUNNING, R.TARGET),
    (S.COMPLETE, E.REJECT): (S.RUNNING, R.TARGET),
}

_WHY_ILLEGAL: dict[tuple[Status, Event], str] = {
    (S.RUNNING, E.APPROVE): "its phase has not passed its gate yet",
    (S.RUNNING, E.REJECT): "its phase is still being generated; wait for the gate",
    (S.AWAITING_APPROVAL, E.GATE_PASSED): "the gate already passed; nothing is running",
    (S.AWAITING_APPROVAL, E.GATE_FAILED): "the gate already passed; nothing is running",
    (S.AWAITING_APPROVAL, E.STEP_FAILED): "nothing is running",
    (S.AWAITING_APPROVAL, E.BUNDLE): "its phases are not all approved",
    (S.FAILED, E.APPROVE): "its gate failed; fix the files (docsgen reject … --note) and let the gate pass first",
    (S.FAILED, E.GATE_PASSED): "nothing is running",
    (S.FAILED, E.GATE_FAILED): "nothing is running",
    (S.FAILED, E.STEP_FAILED): "nothing is running",
    (S.FAILED, E.BUNDLE): "it failed; nothing is running",
    (S.COMPLETE, E.APPROVE): "it is complete; every phase is approved",
    (S.COMPLETE, E.CANCEL): "it is already complete",
    (S.COMPLETE, E.GATE_PASSED): "it is complete; nothing is running",
    (S.COMPLETE, E.GATE_FAILED): "it is complete; nothing is running",
    (S.COMPLETE, E.STEP_FAILED): "it is complete; nothing is running",
    (S.COMPLETE, E.BUNDLE): "it is already bundled",
}


@dataclass(frozen=True)
class RunState:
    status: Status
    phase: int  # 0..last phase, or ``final_phase`` (= number of phases) for the final step
    final_phase: int
    detail: str = ""
    active: bool = False  # a Dagster run of this docs run is in flight
    retryable: bool = False  # failed before the gate could judge (agent error, crash): running it again may pass

    @property
    def at_final(self) -> bool:
        return self.phase >= self.final_phase

    def phase_label(self) -> str:
        return "final" if self.at_final else str(self.phase)


def transition(state: RunState, event: Event, phase: int | None = None) -> RunState:
    """The state after ``event`` (on ``phase``, default the current one); illegal moves raise."""
    target = state.phase if phase is None else phase
    key = (state.status, event)
    if state.status is Status.CANCELED:
        raise LifecycleError(f"cannot {event.value}: the docs run is canceled; nothing may advance")
    if key not in TRANSITIONS:
        why = _WHY_ILLEGAL.get(key, "this is not a legal move")
        raise LifecycleError(f"cannot {event.value} in status {state.status.value}: {why}")
    status, rule = TRANSITIONS[key]
    if event is Event.APPROVE and target != state.phase:
        raise LifecycleError(f"cannot approve phase {target}: phase {state.phase_label()} is the one awaiting approval")
    if event is Event.BUNDLE and not state.at_final:
        raise LifecycleError(f"cannot bundle: phase {state.phase} is not approved yet")
    if rule is PhaseRule.TARGET and not 0 <= target <= state.phase:
        raise LifecycleError(
            f"cannot {event.value} phase {target}: the docs run has only reached phase {state.phase_label()}"
        )
    if rule is PhaseRule.TARGET and target >= state.final_phase and event is Event.REJECT:
        raise LifecycleError("cannot reject the final step; reject the phase whose files need work")
    new_phase = {PhaseRule.SAME: state.phase, PhaseRule.NEXT: state.phase + 1, PhaseRule.TARGET: target}[rule]
    return RunState(status=status, phase=new_phase, final_phase=state.final_phase)


# -- facts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileVersion:
    version: int
    sha256: str


@dataclass(frozen=True)
class GateFact:
    """The phase gate's latest verdict (gate checks and per-file checks together)."""

    passed: bool
    at: float
    files: Mapping[str, int] | None = None  # file name -> version the gate validated (None: unknown)


@dataclass(frozen=True)
class ApprovalFact:
    approver: str
    at: float
    files: Mapping[str, str]  # file name -> sha256 covered
    sha256: str = ""  # of the approval record itself
    note: str = ""


@dataclass(frozen=True)
class PhaseFacts:
    number: int
    expected_files: int
    planned: bool = False
    current_files: Mapping[str, FileVersion] = field(default_factory=dict)
    gate: GateFact | None = None
    approval: ApprovalFact | None = None
    revision_rounds: int = 0


@dataclass(frozen=True)
class DagsterRunFact:
    dagster_run_id: str
    job_name: str
    status: str  # "in_progress", "success", "failure", "canceled"
    at: float  # last update
    approval_only: bool = False
    failure: str = ""


@dataclass(frozen=True)
class CancelFact:
    by: str
    at: float
    reason: str = ""


@dataclass(frozen=True)
class RunFacts:
    run_id: str
    review_mode: str
    registered_at: float
    phases: tuple[PhaseFacts, ...]
    canceled: CancelFact | None = None
    in_flight: tuple[DagsterRunFact, ...] = ()
    last_finished: DagsterRunFact | None = None  # the latest finished run that was not approval-only
    final_gate: GateFact | None = None
    bundled_at: float | None = None
    executing: bool = False  # a CLI process holds the docs run's execution lock (in-process execution)
    # The store holds work of this run but the Dagster instance has no run of it at all (a reset
    # or restored instance): what the lifecycle derives from the instance cannot be trusted.
    instance_lost: bool = False

    @property
    def final_phase(self) -> int:
        return len(self.phases)

    def last_event_at(self) -> float:
        times = [self.registered_at, *(r.at for r in self.in_flight)]
        if self.last_finished:
            times.append(self.last_finished.at)
        if self.canceled:
            times.append(self.canceled.at)
        if self.final_gate:
            times.append(self.final_gate.at)
        if self.bundled_at is not None:
            times.append(self.bundled_at)
        for phase in self.phases:
            if phase.gate:
                times.append(phase.gate.at)
            if phase.approval:
                times.append(phase.approval.at)
        return max(times)


def approval_covers(approved: Mapping[str, str], current: Mapping[str, FileVersion]) -> bool:
    """True while an approval covers exactly the current latest version (sha256) of every file."""
    return bool(current) and dict(approved) == {name: v.sha256 for name, v in current.items()}


def phase_approved(phase: PhaseFacts) -> bool:
    """Whether a phase counts as approved now: complete, approved, and unchanged since the approval.

    This is what regeneration relies on: a phase whose files were regenerated needs approval again.
    """
    return (
        phase.approval is not None
        and len(phase.current_files) == phase.expected_files
        and approval_covers(phase.approval.files, phase.current_files)
    )


def changed_since_gate(phase: PhaseFacts) -> list[str]:
    """Files whose latest version is not the one the gate validated (``name vX -> vY``)."""
    if phase.gate is None or phase.gate.files is None:
        return []
    seen = phase.gate.files
    changed = []
    for name, current in sorted(phase.current_files.items()):
        if seen.get(name) != current.version:
            before = f"v{seen[name]}" if name in seen else "not validated"
            changed.append(f"{name} ({before} -> v{current.version})")
    return changed


def gate_state(phase: PhaseFacts) -> str:
    """``none`` (never ran), ``passed``, ``failed`` or ``stale`` (files changed after it ran)."""
    if phase.gate is None:
        return "none"
    if changed_since_gate(phase):
        return "stale"
    return "passed" if phase.gate.passed else "failed"


def frontier(facts: RunFacts) -> int:
    """The first phase that is not (validly) approved; ``final_phase`` when all are."""
    for phase in facts.phases:
        if not phase_approved(phase):
            return phase.number
    return facts.final_phase


def _failed_run(facts: RunFacts) -> DagsterRunFact | None:
    last = facts.last_finished
    return last if last is not None and last.status in ("failure", "canceled") else None


def derive(facts: RunFacts) -> RunState:
    """The docs run's state, read from its recorded facts."""
    current = frontier(facts)
    final = facts.final_phase

    def state(status: Status, detail: str, active: bool = False, retryable: bool = False) -> RunState:
        return RunState(
            status=status, phase=current, final_phase=final, detail=detail, active=active, retryable=retryable
        )

    if facts.canceled is not None:
        reason = f": {facts.canceled.reason}" if facts.canceled.reason else ""
        return state(Status.CANCELED, f"canceled by {facts.canceled.by}{reason}")
    if facts.in_flight:
        jobs = ", ".join(sorted({r.job_name for r in facts.in_flight}))
        return state(Status.RUNNING, f"in flight: {jobs}", active=True)
    if facts.executing:
        return state(Status.RUNNING, "executing in a docsgen CLI process", active=True)
    failed = _failed_run(facts)
    if current < final:
        phase = facts.phases[current]
        gate = gate_state(phase)
        if gate == "passed" and len(phase.current_files) == phase.expected_files:
            if phase.approval is not None:
                return state(Status.AWAITING_APPROVAL, "files changed since the last approval; approve again")
            return state(Status.AWAITING_APPROVAL, "gate passed")
        if gate == "failed":
            return state(Status.FAILED, "gate failed")
        if failed is not None:
            return state(
                Status.FAILED, f"{failed.job_name} {failed.status}: {failed.failure}".rstrip(": "), retryable=True
            )
        if gate == "stale":
            return state(Status.RUNNING, "idle: files changed after the gate ran; the gate must run again")
        if current > 0 and not phase.planned:
            return state(Status.RUNNING, f"idle: phase {current - 1} approved, phase {current} not started")
        return state(Status.RUNNING, f"idle: phase {current} not finished")
    if facts.bundled_at is not None and facts.bundled_at >= _last_approval_at(facts):
        return state(Status.COMPLETE, "bundled")
    if facts.final_gate is not None and not facts.final_gate.passed and facts.final_gate.at >= _last_approval_at(facts):
        return state(Status.FAILED, "final cross-validation failed")
    if failed is not None:
        detail = f"{failed.job_name} {failed.status}: {failed.failure}".rstrip(": ")
        return state(Status.FAILED, detail, retryable=True)
    return state(Status.RUNNING, "idle: every phase approved, final step not started")


def _last_approval_at(facts: RunFacts) -> float:
    return max((p.approval.at for p in facts.phases if p.approval is not None), default=0.0)


# -- what may happen next -------------------------------------------------------------------------


@dataclass(frozen=True)
class NextStep:
    """A step ready to start with nothing in flight: phase ``phase``'s generation, or the final step."""

    phase: int  # == final_phase for the final step
    final: bool
    after_approval_sha256: str  # the approval this step follows (run-key material for sensors)


def next_step(facts: RunFacts) -> NextStep | None:
    """What an approval has unlocked and nobody started yet (the advance sensor's question)."""
    state = derive(facts)
    if state.status is not Status.RUNNING or state.active or state.phase == 0:
        return None
    previous = facts.phases[state.phase - 1]
    if previous.approval is None:
        return None
    if state.at_final:
        # Every phase is approved and no bundle is newer than the latest approval (``derive`` said
        # Running, not Complete or Failed): the final step is due, also when a regenerated phase was
        # approved again after the last one, or its revalidation already re-ran the cross-validation.
        # Keyed by the latest approval, so each approval starts the final step at most once.
        latest = max((p.approval for p in facts.phases if p.approval is not None), key=lambda a: a.at)
        return NextStep(phase=state.phase, final=True, after_approval_sha256=latest.sha256)
    if facts.phases[state.phase].planned:
        return None
    return NextStep(phase=state.phase, final=False, after_approval_sha256=previous.approval.sha256)


def approval_refusal(facts: RunFacts, phase: int) -> str | None:
    """Why approving ``phase`` now must be refused (None: it may be approved)."""
    run = facts.run_id
    if not 0 <= phase < facts.final_phase:
        return f"docs run '{run}' has no phase {phase} (phases 0-{facts.final_phase - 1})"
    if facts.canceled is not None:
        return f"docs run '{run}' is canceled; a canceled run cannot be approved"
    state = derive(facts)
    if state.active:
        return f"docs run '{run}' is running ({state.detail}); approve once its phase {state.phase_label()} gate passed"
    facts_phase = facts.phases[phase]
    gate = gate_state(facts_phase)
    if gate == "none" or len(facts_phase.current_files) < facts_phase.expected_files:
        return f"phase {phase} of '{run}' has not been generated and gated yet; nothing to approve"
    if gate == "failed":
        return (
            f"phase {phase} of '{run}' failed its gate; read its validation report, then "
            f"`docsgen reject {run} --phase {phase} --note TEXT` to regenerate with feedback"
        )
    if gate == "stale":
        changed = ", ".join(changed_since_gate(facts_phase))
        return (
            f"phase {phase} of '{run}' changed after its gate ran ({changed}); the gate must validate "
            f"these versions before they can be approved (re-run phase{phase}/validation)"
        )
    if phase > state.phase:
        return f"phase {state.phase_label()} of '{run}' must be approved before phase {phase}"
    return None


def revision_refusal(facts: RunFacts, phase: int, max_rounds: int) -> str | None:
    """Why a rejection (a revision round) of ``phase`` must be refused."""
    run = facts.run_id
    if not 0 <= phase < facts.final_phase:
        return f"docs run '{run}' has no phase {phase} (phases 0-{facts.final_phase - 1})"
    if facts.canceled is not None:
        return f"docs run '{run}' is canceled; it cannot be revised"
    state = derive(facts)
    if state.active:
        return f"docs run '{run}' is running ({state.detail}); reject once its gate has run"
    if phase > state.phase or not facts.phases[phase].current_files:
        return f"phase {phase} of '{run}' has not been generated yet; nothing to reject"
    rounds = facts.phases[phase].revision_rounds
    if rounds >= max_rounds:
        return (
            f"phase {phase} of '{run}' already had {rounds} revision rounds (limit {max_rounds}); "
            "edit the brief and start a new docs run, or raise the limit with --max-rounds"
        )
    try:
        transition(state, Event.REJECT, phase)
    except LifecycleError as exc:
        return f"docs run '{run}': {exc}"
    return None


def cancel_refusal(facts: RunFacts) -> str | None:
    state = derive(facts)
    if state.status is Status.CANCELED:
        return f"docs run '{facts.run_id}' is already canceled"
    if state.status is Status.COMPLETE:
        return f"docs run '{facts.run_id}' is already complete; nothing to cancel"
    return None


def next_action(state: RunState, run_id: str) -> str:
    """The reviewer's next move, as a command to copy."""
    phase = state.phase
    if state.status is Status.AWAITING_APPROVAL:
        return f"approve phase {phase}: docsgen approve {run_id} --phase {phase} --by NAME"
    if state.status is Status.FAILED:
        if state.retryable:
            return f"retry phase {state.phase_label()}: docsgen approve {run_id} --resume"
        if state.at_final:
            return f"read final-validation.md, then revise a phase: docsgen reject {run_id} --phase N --note TEXT"
        return f"revise phase {phase}: docsgen reject {run_id} --phase {phase} --note TEXT"
    if state.status is Status.RUNNING:
        if state.active:
            return f"wait, or stop it: docsgen cancel {run_id}"
        return f"continue in-process (no daemon): docsgen approve {run_id} --resume"
    if state.status is Status.COMPLETE:
        return "none (complete)"
    return "none (canceled)"


def is_stale(state: RunState, last_event_at: float, now: float, stale_after_days: float) -> bool:
    """A run waiting on a person (AwaitingApproval or Failed) for longer than the threshold."""
    waiting = state.status in (Status.AWAITING_APPROVAL, Status.FAILED)
    return waiting and now - last_event_at > stale_after_days * 86400
