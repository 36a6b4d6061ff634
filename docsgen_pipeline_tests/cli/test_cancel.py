"""Cancel mid-run, while a second execution of the same docs run is refused."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import dagster as dg
import pytest

from docsgen_pipeline.agents.base import Agent, FileReply, PlanReply, PlanRequest, WriteRequest
from docsgen_pipeline.agents.template.agent import TemplateAgent
from docsgen_pipeline.blueprint import default_blueprint
from docsgen_pipeline.cli.driver import Session, continue_run
from docsgen_pipeline.cli.main import main
from docsgen_pipeline.dagster_layer.definitions import build_definitions
from docsgen_pipeline.dagster_layer.partitions import RUN_TAG
from docsgen_pipeline.dagster_layer.resources import AgentResource
from docsgen_pipeline.docs_run import APPROVALS, DocsRun, approval_name
from docsgen_pipeline.locks import execution_lock
from docsgen_pipeline.registration import register_docs_run
from docsgen_pipeline_tests.conftest import EXAMPLES, Home

ENTERED = threading.Event()
RELEASE = threading.Event()


class _PausingAgent:
    """The template agent, pausing while it plans phase 2 until the test releases it."""

    name = "pausingagent"

    def __init__(self) -> None:
        self._inner = TemplateAgent()

    def identity(self) -> dict[str, str]:
        return {"agent": "pausing"}

    def plan_phase(self, request: PlanRequest) -> PlanReply:
        if request.phase.number == 2:
            ENTERED.set()
            RELEASE.wait(300)
        return self._inner.plan_phase(request)

    def write_file(self, request: WriteRequest) -> FileReply:
        return self._inner.write_file(request)


class _PausingAgentResource(AgentResource):
    def build(self, run_agent: dict[str, object] | None = None, budget_ledger: Path | None = None) -> Agent:
        return _PausingAgent()


def test_cancel_mid_run_and_second_execution_refused(docsgen_home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    ENTERED.clear()
    RELEASE.clear()
    blueprint = default_blueprint()
    store = docsgen_home.store
    brief = EXAMPLES / "acme-orders.yaml"
    register_docs_run(
        store,
        brief_text=brief.read_text(),
        brief_format="yaml",
        brief_source=str(brief),
        blueprint=blueprint,
        run_id="c-1",
    )
    instance = docsgen_home.instance()
    session = Session(
        store=store, instance=instance, defs=build_definitions(blueprint, store.root, _PausingAgentResource())
    )
    outcome: dict[str, int] = {}

    def first_execution() -> None:
        with execution_lock(store, "c-1", "docsgen run (first)"):
            outcome["code"] = continue_run(session, "c-1")

    worker = threading.Thread(target=first_execution)
    worker.start()
    try:
        assert ENTERED.wait(300), "phase 2 never started"
        capsys.readouterr()
        assert main(["status", "c-1", "--json"]) == 0
        status = json.loads(capsys.readouterr().out)
        assert (status["status"], status["phase"]) == ("Running", "2")
        # A batch run executes as one Dagster run from its first fresh phase to the bundle.
        assert status["detail"] == "in flight: docs_run_batch"
        assert status["next_action"] == "wait, or stop it: docsgen cancel c-1"

        # A second execution of the same docs run fails fast instead of interleaving.
        assert main(["run", str(brief), "--run-id", "c-1"]) == 2
        assert "docs run 'c-1' is already executing in `docsgen run (first)`" in capsys.readouterr().err
        assert main(["approve", "c-1", "--resume"]) == 2
        assert "already executing" in capsys.readouterr().err

        assert main(["cancel", "c-1", "--by", "bo", "--reason", "scope changed", "--json"]) == 0
        canceled = json.loads(capsys.readouterr().out)
        assert canceled["status"] == "Canceled" and canceled["by"] == "bo"
        assert len(canceled["terminated"]) + len(canceled["stopping"]) == 1
    finally:
        RELEASE.set()
        worker.join(300)
    assert outcome["code"] == 1

    capsys.readouterr()
    assert main(["status", "c-1", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert (status["status"], status["detail"]) == ("Canceled", "canceled by bo: scope changed")
    # The in-flight Dagster run was terminated; nothing of phase 2's files was written.
    runs = instance.get_runs(dg.RunsFilter(tags={RUN_TAG: "c-1"}, job_name="docs_run_batch"))
    assert [r.status for r in runs] == [dg.DagsterRunStatus.CANCELED]
    run = DocsRun.load(store, "c-1")
    assert run.phase_files(2) == {}
    # Every artifact written before the cancel is kept.
    assert set(run.phase_files(1)) == {run.filenames[f.key] for f in blueprint.phases[1].files}
    assert store.latest("c-1", APPROVALS, approval_name(1)) is not None
    # A canceled run cannot be continued.
    assert main(["approve", "c-1", "--resume"]) == 1
    assert "is canceled" in capsys.readouterr().err


def test_cancel_from_the_launchpad_job(docsgen_home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    """The UI path: launch `cancel_docs_run` with the docs-run id in its config."""
    blueprint = default_blueprint()
    store = docsgen_home.store
    brief = EXAMPLES / "acme-orders.yaml"
    register_docs_run(
        store,
        brief_text=brief.read_text(),
        brief_format="yaml",
        brief_source=str(brief),
        blueprint=blueprint,
        run_id="ui-1",
    )
    defs = build_definitions(blueprint, store.root)
    dg.Definitions.validate_loadable(defs)  # what `dagster dev` / the daemon load
    job = defs.get_job_def("cancel_docs_run")
    config = {"ops": {"cancel_docs_run_op": {"config": {"docs_run": "ui-1", "by": "ana", "reason": "duplicate"}}}}
    result = job.execute_in_process(run_config=config, instance=docsgen_home.instance())
    assert result.success
    assert RUN_TAG not in result.dagster_run.tags  # never queued behind the runs it has to stop
    capsys.readouterr()
    assert main(["status", "ui-1", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert (status["status"], status["detail"]) == ("Canceled", "canceled by ana: duplicate")
    again = job.execute_in_process(run_config=config, instance=docsgen_home.instance(), raise_on_error=False)
    assert not again.success
