"""`docsgen status` / `docsgen list`: statuses, next actions and runs waiting too long."""

from __future__ import annotations

import json

import dagster as dg
import pytest

from docsgen_pipeline.cli.main import main
from docsgen_pipeline.dagster_layer.partitions import RUN_TAG
from docsgen_pipeline_tests.conftest import Home


def test_status_flags_runs_waiting_too_long(docsgen_home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    docsgen_home.register("s-1", review_mode="interactive")
    docsgen_home.register("s-2", review_mode="interactive")
    instance = docsgen_home.instance()
    # s-1's phase 0 run failed (as a launched run that crashed would leave it).
    instance.add_run(
        dg.DagsterRun(job_name="phase0_generate", status=dg.DagsterRunStatus.FAILURE, tags={RUN_TAG: "s-1"})
    )

    assert main(["status", "--json"]) == 0
    rows = {r["run_id"]: r for r in json.loads(capsys.readouterr().out)}
    assert (rows["s-1"]["status"], rows["s-1"]["phase"], rows["s-1"]["stale"]) == ("Failed", "0", False)
    assert rows["s-1"]["next_action"] == "retry phase 0: docsgen approve s-1 --resume"
    assert (rows["s-2"]["status"], rows["s-2"]["stale"]) == ("Running", False)

    # With a threshold of zero days the failed run is overdue; a running one never is.
    assert main(["status", "--stale-after", "0"]) == 0
    captured = capsys.readouterr()
    assert "s-1  Failed  phase 0  last event " in captured.out and "STALE" in captured.out.split("\n")[0]
    assert "1 run(s) waiting longer than 0 days: s-1" in captured.err

    assert main(["list", "--stale", "--stale-after", "0", "--json"]) == 0
    assert [r["run_id"] for r in json.loads(capsys.readouterr().out)] == ["s-1"]
    assert main(["list", "--status", "running"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("s-2\tRunning\tphase 0\t")


def test_status_of_unknown_run(docsgen_home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "nope-1"]) == 2
    assert "docs run 'nope-1' is not registered" in capsys.readouterr().err


def test_resume_retries_a_failed_step(docsgen_home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    docsgen_home.register("s-3", review_mode="interactive")
    docsgen_home.instance().add_run(
        dg.DagsterRun(job_name="phase0_generate", status=dg.DagsterRunStatus.FAILURE, tags={RUN_TAG: "s-3"})
    )
    assert main(["approve", "s-3", "--resume", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert (result["status"], result["phase"]) == ("AwaitingApproval", "0")
    assert result["next_action"] == "approve phase 0: docsgen approve s-3 --phase 0 --by NAME"
