"""Resume without paying again: a phase killed mid-way keeps its finished files; the resume writes the rest."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import dagster as dg
import pytest

from docsgen_pipeline.agents.base import Agent, FileReply, PlanReply, PlanRequest, WriteRequest
from docsgen_pipeline.agents.template.agent import TemplateAgent
from docsgen_pipeline.blueprint import default_blueprint
from docsgen_pipeline.dagster_layer.definitions import build_definitions
from docsgen_pipeline.dagster_layer.execute import approve_phase, ensure_partition, execute_phase
from docsgen_pipeline.dagster_layer.partitions import REASON_TAG
from docsgen_pipeline.dagster_layer.resources import AgentResource
from docsgen_pipeline.docs_run import DocsRun
from docsgen_pipeline.regeneration import PARENT_RUN_TAG, RESUME, ROOT_RUN_TAG
from docsgen_pipeline.registration import register_docs_run
from docsgen_pipeline_tests.conftest import EXAMPLES, Home

RUN = "resume-1"
KILLED = 75


class Crash(RuntimeError):
    """Stands in for the process dying (OOM, SIGKILL, lost worker) after some files were written."""


class CountingAgent:
    """The real template agent, counting calls; optionally dies after ``crash_after`` files."""

    name = "template"

    def __init__(self, crash_after: int | None = None, hard: bool = False) -> None:
        self._inner = TemplateAgent()
        self.hard = hard
        self._lock = threading.Lock()
        self.crash_after = crash_after
        self.writes: list[str] = []
        self.plans: list[int] = []

    def identity(self) -> dict[str, str]:
        return self._inner.identity()

    def plan_phase(self, request: PlanRequest) -> PlanReply:
        with self._lock:
            self.plans.append(request.phase.number)
        return self._inner.plan_phase(request)

    def write_file(self, request: WriteRequest) -> FileReply:
        with self._lock:
            if self.crash_after is not None and len(self.writes) >= self.crash_after:
                if self.hard:
                    os._exit(KILLED)  # the process dies here: no cleanup, no Dagster failure event
                raise Crash("worker died")
            self.writes.append(request.file.key)
        return self._inner.write_file(request)


class _Current:
    agent = CountingAgent()


CURRENT = _Current()


class CountingAgentResource(AgentResource):
    def build(self, run_agent: dict[str, object] | None = None, budget_ledger: Path | None = None) -> Agent:
        return CURRENT.agent


@pytest.fixture
def interrupted(docsgen_home: Home) -> tuple[Home, dg.Definitions, str]:
    """Phases 0-1 done; phase 2 died after writing two of its five files."""
    blueprint = default_blueprint()
    register_docs_run(
        docsgen_home.store,
        brief_text=(EXAMPLES / "acme-orders.yaml").read_text(),
        brief_format="yaml",
        brief_source="acme",
        blueprint=blueprint,
        run_id=RUN,
    )
    # One file at a time, so "died after two files" is exact.
    defs = build_definitions(blueprint, docsgen_home.store.root, agent=CountingAgentResource(max_concurrency=1))
    instance = docsgen_home.instance()
    ensure_partition(instance, RUN)
    CURRENT.agent = CountingAgent()
    for phase in (0, 1):
        assert execute_phase(defs, instance, RUN, phase).success
        assert approve_phase(defs, instance, RUN, phase, approver="batch").success
    CURRENT.agent = CountingAgent(crash_after=2)
    outcome = execute_phase(defs, instance, RUN, 2)
    assert not outcome.success and "phase2_files" in outcome.failure
    return docsgen_home, defs, outcome.dagster_run_id


def _phase2(home: Home) -> dict[str, tuple[int, str]]:
    run = DocsRun.load(home.store, RUN)
    keys = [f.key for f in run.phase(2).files]
    return {k: (r.version, r.sha256) for k in keys if (r := run.latest_file(k)) is not None}


def test_interrupted_phase_keeps_finished_files(interrupted: tuple[Home, dg.Definitions, str]) -> None:
    home, _, _ = interrupted
    order = [f.key for f in default_blueprint().phases[2].files]
    assert set(_phase2(home)) == set(order[:2])  # stored as each reply arrived, before the crash


@pytest.mark.parametrize("how", ["resume-tag", "dagster-reexecution"])
def test_resume_calls_the_agent_only_for_missing_files(interrupted: tuple[Home, dg.Definitions, str], how: str) -> None:
    home, defs, failed_run = interrupted
    kept = _phase2(home)
    CURRENT.agent = CountingAgent()
    # `docsgen run`/`approve --resume` tag the phase run docsgen/reason=resume; a Dagster re-execution
    # of the failed run carries dagster/parent_run_id (and inherits the parent's tags).
    tags = {REASON_TAG: RESUME} if how == "resume-tag" else {PARENT_RUN_TAG: failed_run, ROOT_RUN_TAG: failed_run}
    outcome = execute_phase(defs, home.instance(), RUN, 2, tags=tags)
    assert outcome.success, outcome.failure

    order = [f.key for f in default_blueprint().phases[2].files]
    assert CURRENT.agent.writes == order[2:]  # only the three missing files
    assert CURRENT.agent.plans == []  # the phase plan is reused too
    after = _phase2(home)
    assert set(after) == set(order)
    assert {k: after[k] for k in kept} == kept  # finished files untouched, still v1
    assert all(version == 1 for version, _ in after.values())

    # Resuming a complete phase costs nothing at all.
    CURRENT.agent = CountingAgent()
    assert execute_phase(defs, home.instance(), RUN, 2, tags={REASON_TAG: RESUME}).success
    assert CURRENT.agent.writes == [] and CURRENT.agent.plans == []


def run_phase_and_die(store_root: str, phase: int, after: int) -> None:
    """Entry point of the killed process: phase ``phase`` on the shared instance, dying after ``after`` files."""
    defs = build_definitions(default_blueprint(), Path(store_root), agent=CountingAgentResource(max_concurrency=1))
    CURRENT.agent = CountingAgent(crash_after=after, hard=True)
    execute_phase(defs, dg.DagsterInstance.get(), RUN, phase)
    raise SystemExit("the phase finished; it should have been killed")


def test_resume_after_the_process_is_killed(interrupted: tuple[Home, dg.Definitions, str]) -> None:
    home, defs, _ = interrupted
    # Phase 2 completes (resumed) so that phase 3 can start; then a separate process dies in phase 3.
    CURRENT.agent = CountingAgent()
    assert execute_phase(defs, home.instance(), RUN, 2, tags={REASON_TAG: RESUME}).success
    assert approve_phase(defs, home.instance(), RUN, 2, approver="batch").success
    code = (
        "from docsgen_pipeline_tests.dagster_layer.test_resume import run_phase_and_die; "
        f"run_phase_and_die({str(home.store.root)!r}, 3, 1)"
    )
    died = subprocess.run([sys.executable, "-c", code], env=dict(os.environ), capture_output=True, timeout=600)
    assert died.returncode == KILLED, died.stderr.decode()[-2000:]
    run = DocsRun.load(home.store, RUN)
    order = [f.key for f in run.phase(3).files]
    assert [k for k in order if run.latest_file(k) is not None] == order[:1]

    CURRENT.agent = CountingAgent()
    assert execute_phase(defs, home.instance(), RUN, 3, tags={REASON_TAG: RESUME}).success
    assert CURRENT.agent.writes == order[1:] and CURRENT.agent.plans == []
