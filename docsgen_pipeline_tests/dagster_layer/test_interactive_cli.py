"""A whole interactive docs run driven phase by phase through the CLI, with its status after every step."""

from __future__ import annotations

import json
from typing import Any

import pytest

from docsgen_pipeline.cli.main import main
from docsgen_pipeline.dagster_layer.facts import approval_is_current
from docsgen_pipeline.docs_run import APPROVALS, DocsRun, approval_name
from docsgen_pipeline_tests.conftest import EXAMPLES, Home

RUN = "int-1"


def _status(capsys: pytest.CaptureFixture[str], run_id: str = RUN, recompute: bool = False) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["status", run_id, "--json", *(["--recompute"] if recompute else [])]) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return data


def _file_bytes(home: Home) -> dict[str, bytes]:
    run = DocsRun.load(home.store, RUN)
    return {name: home.store.read_bytes(RUN, record) for name, record in run.file_versions().items()}


def test_interactive_run_phase_by_phase(docsgen_home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(EXAMPLES / "acme-orders.yaml"), "--run-id", RUN, "--review", "interactive"]) == 0
    out = capsys.readouterr().out
    assert f"approve phase 0: docsgen approve {RUN} --phase 0 --by NAME" in out
    status = _status(capsys)
    assert (status["status"], status["phase"], status["review_mode"]) == ("AwaitingApproval", "0", "interactive")
    assert status["next_action"] == f"approve phase 0: docsgen approve {RUN} --phase 0 --by NAME"
    # Nothing of phase 1 ran before the approval.
    assert DocsRun.load(docsgen_home.store, RUN).plan(1) is None

    # Refusals that do not depend on the gate: approving ahead, approving without a name.
    assert main(["approve", RUN, "--phase", "1", "--by", "ana"]) == 2
    assert "phase 1 of 'int-1' has not been generated and gated yet" in capsys.readouterr().err
    assert main(["approve", RUN]) == 2
    assert "docsgen approve int-1 --by NAME" in capsys.readouterr().err

    for phase in range(6):
        before = _file_bytes(docsgen_home)
        assert main(["approve", RUN, "--phase", str(phase), "--by", "ana", "--note", f"ok {phase}"]) == 0
        err = capsys.readouterr().err
        assert f"approved phase {phase} of {RUN} by ana" in err
        # Approval never rewrites a file: every version that existed is byte-identical.
        after = _file_bytes(docsgen_home)
        assert {n: after[n] for n in before} == before
        status = _status(capsys)
        if phase < 5:
            assert (status["status"], status["phase"]) == ("AwaitingApproval", str(phase + 1)), status
            assert status["next_action"].startswith(f"approve phase {phase + 1}: docsgen approve {RUN}")
        else:
            assert (status["status"], status["phase"]) == ("Complete", "final"), status
        assert status["phases"][phase]["approved_by"] == "ana"
        assert status["phases"][phase]["approval_current"] is True

    # Each approval records who, the note and exactly the sha256 of every covered file.
    run = DocsRun.load(docsgen_home.store, RUN)
    record = docsgen_home.store.latest(RUN, APPROVALS, approval_name(3))
    assert record is not None
    approval = json.loads(docsgen_home.store.read_text(RUN, record))
    assert (approval["approver"], approval["note"]) == ("ana", "ok 3")
    expected = {f.key for f in run.blueprint.phases[3].files}
    covered = {name: entry["sha256"] for name, entry in approval["files"].items()}
    assert covered == {r.name: r.sha256 for r in run.file_versions(list(expected)).values()}

    # A complete run cannot be approved again, canceled, or rejected beyond its rounds.
    assert main(["approve", RUN, "--by", "ana"]) == 2
    assert "no phase awaiting approval (status Complete" in capsys.readouterr().err
    assert main(["cancel", RUN]) == 2
    assert "already complete" in capsys.readouterr().err

    assert main(["list", "--status", "Complete"]) == 0
    assert capsys.readouterr().out.startswith(f"{RUN}\tComplete\tphase final")
    assert main(["list", "--status", "AwaitingApproval", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []

    # A new version of an approved file (as a regeneration writes) voids that phase's approval.
    assert approval_is_current(docsgen_home.store, RUN, 3)
    name = run.filenames[run.blueprint.phases[3].files[0].key]
    old = docsgen_home.store.latest(RUN, "files", name)
    assert old is not None
    docsgen_home.store.put(RUN, "files", name, docsgen_home.store.read_text(RUN, old) + "\nRegenerated.\n")
    assert not approval_is_current(docsgen_home.store, RUN, 3)
    # A raw store write bypasses the executions that refresh the cached status record: recompute it.
    status = _status(capsys, recompute=True)
    assert (status["status"], status["phase"]) == ("Running", "3")
    assert status["phases"][3]["approval_current"] is False and status["phases"][4]["approval_current"] is True
