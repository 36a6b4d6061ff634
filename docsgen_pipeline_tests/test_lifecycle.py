"""The pure lifecycle: every (status, event) pair, and derivation from facts agreeing with the table."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from docsgen_pipeline.errors import LifecycleError
from docsgen_pipeline.lifecycle import (
    ApprovalFact,
    CancelFact,
    DagsterRunFact,
    Event,
    FileVersion,
    GateFact,
    PhaseFacts,
    RunFacts,
    RunState,
    Status,
    approval_refusal,
    cancel_refusal,
    derive,
    is_stale,
    next_action,
    next_step,
    phase_approved,
    revision_refusal,
    transition,
)

S, E = Status, Event
FINAL = 6

# Written out independently of lifecycle.TRANSITIONS: (status, event) -> (status, phase after) for a
# run at phase 3 and an event on phase 3 ("final" rows use phase 6). Anything missing is illegal.
EXPECTED: dict[tuple[Status, Event], Status] = {
    (S.RUNNING, E.START): S.RUNNING,
    (S.RUNNING, E.GATE_PASSED): S.AWAITING_APPROVAL,
    (S.RUNNING, E.GATE_FAILED): S.FAILED,
    (S.RUNNING, E.STEP_FAILED): S.FAILED,
    (S.RUNNING, E.CANCEL): S.CANCELED,
    (S.AWAITING_APPROVAL, E.START): S.RUNNING,
    (S.AWAITING_APPROVAL, E.APPROVE): S.RUNNING,
    (S.AWAITING_APPROVAL, E.REJECT): S.RUNNING,
    (S.AWAITING_APPROVAL, E.CANCEL): S.CANCELED,
    (S.FAILED, E.START): S.RUNNING,
    (S.FAILED, E.REJECT): S.RUNNING,
    (S.FAILED, E.CANCEL): S.CANCELED,
    (S.COMPLETE, E.START): S.RUNNING,
    (S.COMPLETE, E.REJECT): S.RUNNING,
}


def _state(status: Status, phase: int = 3) -> RunState:
    return RunState(status=status, phase=phase, final_phase=FINAL)


@pytest.mark.parametrize(("status", "event"), list(itertools.product(Status, Event)))
def test_every_transition_at_a_middle_phase(status: Status, event: Event) -> None:
    state = _state(status, FINAL if status is S.COMPLETE else 3)
    target = 3
    expected = EXPECTED.get((status, event))
    if expected is None:
        with pytest.raises(LifecycleError, match=f"cannot {event.value}"):
            transition(state, event, target)
        return
    after = transition(state, event, target)
    assert after.status is expected
    assert after.phase == (4 if event is E.APPROVE else target)


@pytest.mark.parametrize("status", list(Status))
def test_bundle_only_from_running_at_the_final_step(status: Status) -> None:
    if status is S.RUNNING:
        assert transition(_state(S.RUNNING, FINAL), E.BUNDLE).status is S.COMPLETE
        with pytest.raises(LifecycleError, match="phase 3 is not approved"):
            transition(_state(S.RUNNING, 3), E.BUNDLE)
    else:
        with pytest.raises(LifecycleError):
            transition(_state(status, FINAL), E.BUNDLE)


def test_phase_rules() -> None:
    awaiting = _state(S.AWAITING_APPROVAL, 3)
    with pytest.raises(LifecycleError, match="phase 3 is the one awaiting approval"):
        transition(awaiting, E.APPROVE, 2)
    assert transition(_state(S.AWAITING_APPROVAL, 5), E.APPROVE).phase == FINAL
    # Reopening an earlier phase moves the run back to it; a later phase cannot be touched yet.
    assert transition(awaiting, E.REJECT, 1) == _state(S.RUNNING, 1)
    assert transition(_state(S.COMPLETE, FINAL), E.START, 2) == _state(S.RUNNING, 2)
    with pytest.raises(LifecycleError, match="only reached phase 3"):
        transition(awaiting, E.REJECT, 4)
    with pytest.raises(LifecycleError, match="cannot reject the final step"):
        transition(_state(S.FAILED, FINAL), E.REJECT, FINAL)
    with pytest.raises(LifecycleError, match="canceled"):
        transition(_state(S.CANCELED), E.START, 3)


# -- derivation from facts --------------------------------------------------------------------------


def _files(phase: int, version: int = 1) -> dict[str, FileVersion]:
    return {f"p{phase}-{i}.md": FileVersion(version, f"sha-{phase}-{i}-v{version}") for i in range(2)}


def _gated(phase: int, passed: bool = True, at: float = 10.0, version: int = 1) -> PhaseFacts:
    files = _files(phase, version)
    return PhaseFacts(
        number=phase,
        expected_files=2,
        planned=True,
        current_files=files,
        gate=GateFact(passed=passed, at=at, files={n: v.version for n, v in files.items()}),
    )


def _approved(phase: int, at: float = 20.0) -> PhaseFacts:
    gated = _gated(phase)
    approval = ApprovalFact(
        approver="ana", at=at, files={n: v.sha256 for n, v in gated.current_files.items()}, sha256=f"appr{phase}"
    )
    return replace(gated, approval=approval)


def _blank(phase: int) -> PhaseFacts:
    return PhaseFacts(number=phase, expected_files=2)


def _facts(*phases: PhaseFacts, **extra: object) -> RunFacts:
    all_phases = list(phases) + [_blank(n) for n in range(len(phases), FINAL)]
    return RunFacts(run_id="acme-1", review_mode="interactive", registered_at=1.0, phases=tuple(all_phases), **extra)  # type: ignore[arg-type]


def _running(job: str = "phase1_generate") -> tuple[DagsterRunFact, ...]:
    return (DagsterRunFact("r1", job, "in_progress", at=30.0),)


def test_derive_walks_an_interactive_run_and_agrees_with_the_table() -> None:
    # (facts, event that led here, expected state)
    steps: list[tuple[RunFacts, Event | None, Status, int]] = [
        (_facts(in_flight=_running("phase0_generate")), None, S.RUNNING, 0),
        (_facts(_gated(0)), E.GATE_PASSED, S.AWAITING_APPROVAL, 0),
        (_facts(_approved(0)), E.APPROVE, S.RUNNING, 1),
        (_facts(_approved(0), in_flight=_running()), E.START, S.RUNNING, 1),
        (_facts(_approved(0), _gated(1, passed=False)), E.GATE_FAILED, S.FAILED, 1),
        (_facts(_approved(0), _gated(1, passed=False), in_flight=_running()), E.REJECT, S.RUNNING, 1),
        (_facts(_approved(0), _gated(1, version=2)), E.GATE_PASSED, S.AWAITING_APPROVAL, 1),
        (_facts(*(_approved(n) for n in range(6))), None, S.RUNNING, FINAL),
        (_facts(*(_approved(n) for n in range(6)), bundled_at=99.0), E.BUNDLE, S.COMPLETE, FINAL),
    ]
    previous: RunState | None = None
    for facts, event, status, phase in steps:
        state = derive(facts)
        assert (state.status, state.phase) == (status, phase), state
        if previous is not None and event is not None:
            target = phase if event is not E.APPROVE else previous.phase
            moved = transition(previous, event, target)
            assert (moved.status, moved.phase) == (state.status, state.phase)
        previous = state


def test_regenerated_file_voids_the_approval() -> None:
    phase = _approved(0)
    assert phase_approved(phase)
    newer = dict(phase.current_files)
    newer["p0-0.md"] = FileVersion(2, "other")
    changed = replace(phase, current_files=newer)
    assert not phase_approved(changed)
    state = derive(_facts(changed))
    assert state.phase == 0 and state.status is S.RUNNING and "gate must run again" in state.detail
    regated = replace(changed, gate=GateFact(passed=True, at=30.0, files={n: v.version for n, v in newer.items()}))
    state = derive(_facts(regated))
    assert state.status is S.AWAITING_APPROVAL and "approve again" in state.detail


def test_failures_cancel_and_final_failures() -> None:
    failed_run = DagsterRunFact("r2", "phase1_generate", "failure", at=40.0, failure="plan: agent timed out")
    state = derive(_facts(_approved(0), last_finished=failed_run))
    assert state.status is S.FAILED and "agent timed out" in state.detail and state.retryable
    assert not derive(_facts(_approved(0), _gated(1, passed=False))).retryable  # a gate failure needs revising
    canceled = derive(_facts(_approved(0), in_flight=_running(), canceled=CancelFact("bo", 50.0, "wrong brief")))
    assert canceled.status is S.CANCELED and canceled.detail == "canceled by bo: wrong brief"
    everything = [_approved(n) for n in range(6)]
    final_failed = derive(_facts(*everything, final_gate=GateFact(passed=False, at=60.0)))
    assert (final_failed.status, final_failed.phase) == (S.FAILED, FINAL)
    # A bundle older than a later approval does not make the run complete.
    assert derive(_facts(*everything, bundled_at=5.0)).status is S.RUNNING


def test_next_step_only_after_an_approval_and_only_once() -> None:
    assert next_step(_facts(_gated(0))) is None  # awaiting approval: nothing may start
    step = next_step(_facts(_approved(0)))
    assert step is not None and (step.phase, step.final, step.after_approval_sha256) == (1, False, "appr0")
    assert next_step(_facts(_approved(0), in_flight=_running())) is None
    assert next_step(_facts(_approved(0), replace(_blank(1), planned=True))) is None  # already started
    assert next_step(_facts(_approved(0), canceled=CancelFact("bo", 50.0))) is None
    everything = [_approved(n) for n in range(6)]
    final = next_step(_facts(*everything))
    assert final is not None and final.final and final.phase == FINAL
    assert next_step(_facts(*everything, bundled_at=70.0)) is None  # complete
    assert next_step(_facts(*everything, final_gate=GateFact(passed=False, at=70.0))) is None  # failed
    # A Complete run regenerated: phase 2 approved again after the bundle, its revalidation already
    # cross-validated (no bundle since): the final step is due again, keyed by the newest approval.
    again = [*everything[:2], _approved(2, at=80.0), *everything[3:]]
    rebuilt = next_step(_facts(*again, bundled_at=70.0, final_gate=GateFact(passed=True, at=90.0)))
    assert rebuilt is not None and rebuilt.final and rebuilt.after_approval_sha256 == "appr2"
    assert next_step(_facts(*again, bundled_at=95.0, final_gate=GateFact(passed=True, at=90.0))) is None


def test_approval_refusals() -> None:
    assert approval_refusal(_facts(_gated(0)), 0) is None
    assert "failed its gate" in (approval_refusal(_facts(_gated(0, passed=False)), 0) or "")
    assert "canceled" in (approval_refusal(_facts(_gated(0), canceled=CancelFact("bo", 5.0)), 0) or "")
    assert "has not been generated" in (approval_refusal(_facts(_approved(0)), 1) or "")
    assert "is running" in (approval_refusal(_facts(_gated(0), in_flight=_running()), 0) or "")
    assert "no phase 9" in (approval_refusal(_facts(_gated(0)), 9) or "")
    stale = _gated(0)
    stale = replace(stale, current_files={**stale.current_files, "p0-1.md": FileVersion(2, "x")})
    refusal = approval_refusal(_facts(stale), 0) or ""
    assert "changed after its gate ran" in refusal and "p0-1.md (v1 -> v2)" in refusal
    assert "must be approved before phase 1" in (approval_refusal(_facts(_gated(0), _gated(1)), 1) or "")


def test_revision_and_cancel_refusals() -> None:
    assert revision_refusal(_facts(_gated(0)), 0, max_rounds=3) is None
    spent = replace(_gated(0), revision_rounds=3)
    assert "3 revision rounds (limit 3)" in (revision_refusal(_facts(spent), 0, max_rounds=3) or "")
    assert "nothing to reject" in (revision_refusal(_facts(_gated(0)), 1, max_rounds=3) or "")
    assert "canceled" in (revision_refusal(_facts(_gated(0), canceled=CancelFact("bo", 1.0)), 0, 3) or "")
    assert cancel_refusal(_facts(_gated(0))) is None
    assert "already canceled" in (cancel_refusal(_facts(canceled=CancelFact("bo", 1.0))) or "")
    assert "complete" in (cancel_refusal(_facts(*(_approved(n) for n in range(6)), bundled_at=99.0)) or "")


def test_next_action_and_staleness() -> None:
    awaiting = _state(S.AWAITING_APPROVAL, 3)
    assert next_action(awaiting, "acme-1") == "approve phase 3: docsgen approve acme-1 --phase 3 --by NAME"
    assert "docsgen reject acme-1 --phase 3" in next_action(_state(S.FAILED, 3), "acme-1")
    assert "final-validation.md" in next_action(_state(S.FAILED, FINAL), "acme-1")
    crashed = replace(_state(S.FAILED, 3), retryable=True)
    assert next_action(crashed, "acme-1") == "retry phase 3: docsgen approve acme-1 --resume"
    assert "docsgen cancel acme-1" in next_action(replace(_state(S.RUNNING), active=True), "acme-1")
    assert "--resume" in next_action(_state(S.RUNNING), "acme-1")
    day = 86400.0
    assert is_stale(awaiting, last_event_at=0.0, now=8 * day, stale_after_days=7)
    assert not is_stale(awaiting, last_event_at=0.0, now=6 * day, stale_after_days=7)
    assert not is_stale(_state(S.RUNNING), last_event_at=0.0, now=80 * day, stale_after_days=7)
    assert is_stale(_state(S.FAILED), last_event_at=0.0, now=2 * day, stale_after_days=1)
