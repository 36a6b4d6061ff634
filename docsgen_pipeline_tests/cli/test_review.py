"""Reviewing: reject with feedback -> regenerate -> approve, bounded rounds, and every refused approval."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from docsgen_pipeline.agents.base import Agent, FileReply, PlanReply, PlanRequest, WriteRequest
from docsgen_pipeline.agents.template.agent import TemplateAgent
from docsgen_pipeline.blueprint import default_blueprint
from docsgen_pipeline.cli.main import main
from docsgen_pipeline.dagster_layer.definitions import build_definitions
from docsgen_pipeline.dagster_layer.execute import approve_phase, ensure_partition, execute_phase
from docsgen_pipeline.dagster_layer.resources import AgentResource
from docsgen_pipeline.docs_run import APPROVALS, FILES, DocsRun, approval_name
from docsgen_pipeline.regeneration import regenerations
from docsgen_pipeline_tests.conftest import EXAMPLES, Home


def _status(capsys: pytest.CaptureFixture[str], run_id: str) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["status", run_id, "--json"]) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return data


def test_reject_regenerate_then_approve(docsgen_home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    store = docsgen_home.store
    assert main(["run", str(EXAMPLES / "acme-orders.yaml"), "--run-id", "rev-1", "--review", "interactive"]) == 0
    run = DocsRun.load(store, "rev-1")
    target = run.filenames[run.blueprint.phases[0].files[0].key]

    note = "Name the audit trail requirement explicitly"
    assert main(["reject", "rev-1", "--phase", "0", "--note", note, "--file", target, "--by", "ana"]) == 0
    # The template agent writes from the brief alone: the new version says which review round it
    # answers and that the note is kept in the history; the note is never pasted into the page.
    regenerated = store.latest("rev-1", FILES, target)
    assert regenerated is not None and regenerated.version == 2
    records = regenerations(store, "rev-1", run.blueprint.phases[0].files[0].key)
    assert [(r.feedback, r.reason, r.requested_by, r.changed) for r in records] == [(note, "reject", "ana", True)]
    text = store.read_text("rev-1", regenerated)
    assert "audit trail" not in text and "Review round 1" in text
    plan = store.latest("rev-1", "plans", "phase0-plan.json")
    assert plan is not None and plan.version == 1  # a rejection rewrites files, not the plan
    status = _status(capsys, "rev-1")
    assert (status["status"], status["phase"]) == ("AwaitingApproval", "0")
    assert status["phases"][0]["revision_rounds"] == 1

    # Rounds are bounded; a refused round records nothing.
    assert main(["reject", "rev-1", "--phase", "0", "--note", "again", "--max-rounds", "1"]) == 2
    assert "already had 1 revision rounds (limit 1)" in capsys.readouterr().err
    rounds = store.events("rev-1", "feedback")
    assert [(e["phase"], e["note"], e["round"], e["by"]) for e in rounds] == [(0, note, 1, "ana")]

    # Approve the revised phase without continuing: it covers v2; the next phase waits for a continue.
    assert main(["approve", "rev-1", "--by", "ana", "--no-continue"]) == 0
    record = store.latest("rev-1", APPROVALS, approval_name(0))
    assert record is not None
    covered = json.loads(store.read_text("rev-1", record))["files"]
    assert covered[target] == {"version": 2, "sha256": regenerated.sha256}
    status = _status(capsys, "rev-1")
    assert (status["status"], status["phase"]) == ("Running", "1")
    assert status["next_action"].endswith("docsgen approve rev-1 --resume")
    assert DocsRun.load(store, "rev-1").plan(1) is None

    assert main(["approve", "rev-1", "--resume"]) == 0
    status = _status(capsys, "rev-1")
    assert (status["status"], status["phase"]) == ("AwaitingApproval", "1")


class _BrokenFirstFileAgent:
    """The template agent, except that the first file of phase 0 links to a file nobody planned."""

    name = "brokenfirstfileagent"

    def __init__(self) -> None:
        self._inner = TemplateAgent()

    def identity(self) -> dict[str, str]:
        return {"agent": "broken-first-file"}

    def plan_phase(self, request: PlanRequest) -> PlanReply:
        return self._inner.plan_phase(request)

    def write_file(self, request: WriteRequest) -> FileReply:
        reply = self._inner.write_file(request)
        if request.file.key == request.phase.files[0].key:
            return reply.model_copy(update={"markdown": reply.markdown + "\nSee [old](acme-99-legacy.md).\n"})
        return reply


class _BrokenAgentResource(AgentResource):
    def build(self, run_agent: dict[str, object] | None = None, budget_ledger: Path | None = None) -> Agent:
        return _BrokenFirstFileAgent()


def test_refused_approvals(docsgen_home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    blueprint = default_blueprint()
    store = docsgen_home.store
    instance = docsgen_home.instance()

    # 1. A phase whose gate failed.
    docsgen_home.register("bad-1", review_mode="interactive")
    broken = build_definitions(blueprint, store.root, agent=_BrokenAgentResource())
    ensure_partition(instance, "bad-1")
    assert not execute_phase(broken, instance, "bad-1", 0).success
    assert _status(capsys, "bad-1")["status"] == "Failed"
    assert main(["approve", "bad-1", "--phase", "0", "--by", "ana"]) == 2
    assert "phase 0 of 'bad-1' failed its gate" in capsys.readouterr().err
    ui = approve_phase(broken, instance, "bad-1", 0, approver="ana")  # the UI path refuses the same way
    assert not ui.success and "failed its gate" in ui.failure
    assert store.latest("bad-1", APPROVALS, approval_name(0)) is None

    # 2. A phase whose files changed after the gate ran.
    docsgen_home.register("stale-1", review_mode="interactive")
    defs = build_definitions(blueprint, store.root)
    ensure_partition(instance, "stale-1")
    assert execute_phase(defs, instance, "stale-1", 0).success
    run = DocsRun.load(store, "stale-1")
    name = run.filenames[blueprint.phases[0].files[0].key]
    original = store.latest("stale-1", FILES, name)
    assert original is not None
    store.put("stale-1", FILES, name, store.read_text("stale-1", original) + "\nEdited by hand.\n")
    assert main(["approve", "stale-1", "--phase", "0", "--by", "ana"]) == 2
    assert f"changed after its gate ran ({name} (v1 -> v2))" in capsys.readouterr().err
    ui = approve_phase(defs, instance, "stale-1", 0, approver="ana")
    assert not ui.success and "changed after its gate ran" in ui.failure

    # 3. A canceled run.
    assert main(["cancel", "stale-1", "--by", "bo", "--reason", "wrong brief"]) == 0
    assert "canceled stale-1; artifacts kept in" in capsys.readouterr().out
    assert main(["approve", "stale-1", "--phase", "0", "--by", "ana"]) == 2
    assert "'stale-1' is canceled; a canceled run cannot be approved" in capsys.readouterr().err
    ui = approve_phase(defs, instance, "stale-1", 0, approver="ana")
    assert not ui.success and "canceled by bo" in ui.failure
    assert main(["reject", "stale-1", "--phase", "0", "--note", "x"]) == 2
    assert "canceled" in capsys.readouterr().err
    assert store.latest("stale-1", APPROVALS, approval_name(0)) is None
    # Every artifact is kept, byte-identical.
    assert store.read_bytes("stale-1", original) == store.read_bytes("stale-1", original)
    assert _status(capsys, "stale-1")["status"] == "Canceled"
