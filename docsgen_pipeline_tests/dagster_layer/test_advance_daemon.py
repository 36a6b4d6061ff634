"""Under the Dagster daemon, an approval alone starts the next phase of an interactive docs run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from docsgen_pipeline.cli.main import main
from docsgen_pipeline.dagster_layer.keys import STATUS_KEY
from docsgen_pipeline.dagster_layer.partitions import RUN_TAG
from docsgen_pipeline.dagster_layer.sensors.advance import ADVANCE_SENSOR
from docsgen_pipeline_tests.conftest import EXAMPLES, Home
from docsgen_pipeline_tests.dagster_layer.test_daemon_e2e import _stop, _workspace
from docsgen_pipeline_tests.support.waiting import wait_until

DEADLINE_SECONDS = 240


def _advance_ticks(instance: dg.DagsterInstance) -> list[str]:
    for state in instance.all_instigator_state():
        if state.instigator_name == ADVANCE_SENSOR:
            return [t.status.value for t in instance.get_ticks(state.instigator_origin_id, state.selector_id)]
    return []


def _shown(instance: dg.DagsterInstance) -> tuple[str, str]:
    """Status and phase of d-1's latest ``docs_run/status`` materialization (the UI's Partitions tab)."""
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=STATUS_KEY, asset_partitions=["d-1"]), limit=1, ascending=False
    ).records
    materialization = records[0].asset_materialization if records else None
    if materialization is None:
        return ("", "")
    return (str(materialization.metadata["status"].value), str(materialization.metadata["phase"].value))


def _status(capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    capsys.readouterr()
    assert main(["status", "d-1", "--json"]) == 0
    data: dict[str, str] = json.loads(capsys.readouterr().out)
    return data


@pytest.mark.timeout(DEADLINE_SECONDS * 2 + 120)
def test_daemon_advances_only_after_approval(
    docsgen_home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(EXAMPLES / "acme-orders.yaml"), "--run-id", "d-1", "--review", "interactive"]) == 0
    instance = docsgen_home.instance()
    log_path = tmp_path / "daemon.log"
    with open(log_path, "wb") as log:
        daemon = subprocess.Popen(
            [sys.executable, "-m", "dagster._daemon", "run", "-w", str(_workspace(tmp_path))],
            cwd=tmp_path,
            env=dict(os.environ),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        # The sensor runs by default: wait for it to evaluate while phase 0 awaits approval.
        started = time.monotonic()
        while "SKIPPED" not in _advance_ticks(instance):
            assert daemon.poll() is None, log_path.read_text()[-4000:]
            assert time.monotonic() - started < DEADLINE_SECONDS, f"no skipped tick: {_advance_ticks(instance)}"
            time.sleep(1)
        # It ticked and started nothing: without an approval, phase 1 does not run.
        assert instance.get_runs(dg.RunsFilter(tags={RUN_TAG: "d-1"}, job_name="phase1_generate")) == []
        assert _status(capsys)["status"] == "AwaitingApproval"

        assert main(["approve", "d-1", "--phase", "0", "--by", "ana", "--no-continue"]) == 0
        started = time.monotonic()
        while (status := _status(capsys))["status"] != "AwaitingApproval" or status["phase"] != "1":
            assert daemon.poll() is None, log_path.read_text()[-4000:]
            assert status["status"] in ("Running", "AwaitingApproval"), status
            assert time.monotonic() - started < DEADLINE_SECONDS, f"phase 1 never ran: {status}"
            time.sleep(2)
        print(f"approval -> phase 1 awaiting approval in {time.monotonic() - started:.1f} s")
        # The daemon ran phase 1; the sensor tick that saw it reported it to the UI (its SensorResult).
        wait_until("docs_run/status to show phase 1", lambda: _shown(instance) == ("AwaitingApproval", "1"), 60)
    finally:
        _stop(daemon)
    [run] = instance.get_runs(dg.RunsFilter(tags={RUN_TAG: "d-1"}, job_name="phase1_generate"))
    assert run.status is dg.DagsterRunStatus.SUCCESS
    assert run.tags["dagster/sensor_name"] == ADVANCE_SENSOR
    assert run.tags["dagster/run_key"].startswith("d-1:phase1:")
