"""End to end, unattended: the Dagster daemon turns a brief dropped into the inbox into a Complete docs run.

No CLI call happens between dropping the brief and checking the bundle: the inbox sensor (running by
default) registers the docs run and launches it through the run queue, and the run writes the bundle.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest

from docsgen_pipeline.dagster_layer.partitions import RUN_TAG
from docsgen_pipeline.dagster_layer.sensors.inbox import INBOX_SENSOR
from docsgen_pipeline.drift import latest_bundle
from docsgen_pipeline.inbox import Inbox, inbox_dir
from docsgen_pipeline.store import sha256_hex
from docsgen_pipeline_tests.conftest import EXAMPLES, REPO, Home
from docsgen_pipeline_tests.support.processes import stop_process_group

DEADLINE_SECONDS = 300


def _workspace(tmp_path: Path) -> Path:
    workspace = tmp_path / "workspace.yaml"
    workspace.write_text(
        "load_from:\n"
        "  - python_module:\n"
        "      module_name: docsgen_pipeline.definitions\n"
        f"      working_directory: {REPO}\n"
    )
    return workspace


def _stop(daemon: subprocess.Popen[bytes]) -> None:
    """Stop the daemon and what it started (its code server, run workers): they share its session."""
    stop_process_group(daemon)


def _drop(data: bytes, name: str) -> None:
    """Drop a brief the way a well-behaved system does: write elsewhere, then move it in (atomic)."""
    folder = inbox_dir()
    folder.mkdir(parents=True, exist_ok=True)
    staging = folder.parent / f".{name}.incoming"
    staging.write_bytes(data)
    staging.replace(folder / name)


@pytest.mark.timeout(DEADLINE_SECONDS + 120)
def test_daemon_turns_a_dropped_brief_into_a_complete_docs_run(docsgen_home: Home, tmp_path: Path) -> None:
    brief = (EXAMPLES / "acme-orders.yaml").read_bytes()
    run_id = f"acme-{sha256_hex(brief)[:8]}"
    log_path = tmp_path / "daemon.log"
    # One instance, created before the daemon starts: its storage exists before two processes race to make it.
    instance = docsgen_home.instance()
    with open(log_path, "wb") as log:
        daemon = subprocess.Popen(
            [sys.executable, "-m", "dagster._daemon", "run", "-w", str(_workspace(tmp_path))],
            cwd=tmp_path,
            env=dict(os.environ),  # DOCSGEN_HOME and DAGSTER_HOME point at this test's home
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    started = time.monotonic()
    try:
        _drop(brief, "acme-orders.yaml")
        _drop(b"name: Half a brief\n", "draft.yaml")  # invalid: rejected, and the daemon carries on
        bundle = None
        while time.monotonic() - started < DEADLINE_SECONDS:
            assert daemon.poll() is None, log_path.read_text()[-4000:]
            failed = instance.get_runs(
                filters=dg.RunsFilter(tags={RUN_TAG: run_id}, statuses=[dg.DagsterRunStatus.FAILURE])
            )
            assert not failed, f"the docs run failed; daemon log:\n{log_path.read_text()[-4000:]}"
            succeeded = instance.get_runs(
                filters=dg.RunsFilter(tags={RUN_TAG: run_id}, statuses=[dg.DagsterRunStatus.SUCCESS])
            )
            found = latest_bundle(docsgen_home.store, run_id) if docsgen_home.store.has_run(run_id) else None
            # Wait for the Dagster run to finish too: the bundle is written before its step ends.
            if found is not None and succeeded:
                bundle = found[0]
                break
            time.sleep(2)
        elapsed = time.monotonic() - started
        assert bundle is not None, f"no bundle after {elapsed:.0f} s; daemon log:\n{log_path.read_text()[-4000:]}"
        print(f"dropped brief -> Complete bundle in {elapsed:.1f} s")
    finally:
        _stop(daemon)

    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["docs_run"] == run_id and len(manifest["files"]) >= 20
    assert [a["approver"] for a in manifest["approvals"]] == ["batch"] * 6
    assert "**PASS**" in (bundle / "reports" / "final-validation.md").read_text()
    requests = {r.spec.source: r for r in Inbox(inbox_dir()).requests()}
    request, draft = requests["acme-orders.yaml"], requests["draft.yaml"]
    assert (request.status, request.run_id, request.spec.submitted_by) == ("consumed", run_id, "drop")
    assert draft.status == "rejected" and "summary" in draft.reason
    assert f"request {draft.id} (draft.yaml) rejected: " in log_path.read_text()  # the sensor's tick log
    assert docsgen_home.store.registration(run_id).created_by == "sensor"
    assert docsgen_home.store.run_ids() == [run_id]
    [run] = instance.get_runs(filters=dg.RunsFilter(tags={RUN_TAG: run_id}))
    assert run.status == dg.DagsterRunStatus.SUCCESS
    assert run.tags["dagster/sensor_name"] == INBOX_SENSOR
    assert run.tags["dagster/run_key"] == f"request:{request.sha}"
