"""A whole batch docs run with every step on Celery workers, the instance on PostgreSQL (issue 15).

The coordinator (``docsgen run`` with ``DOCSGEN_RUN_EXECUTOR=celery``) and two workers are
separate processes with separate homes; they share the PostgreSQL instance, the Redis broker and
the artifact store, a bucket on moto's S3-compatible server (standing in for S3/MinIO).  The
bundle must be byte-identical to the embedded default's (SQLite, local folder, in-process) run of
the same brief.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import dagster as dg
import pytest

from docsgen_pipeline.blobs.registry import working_root
from docsgen_pipeline.cli.main import main
from docsgen_pipeline.dagster_layer.partitions import RUN_TAG
from docsgen_pipeline_tests.conftest import EXAMPLES, Home
from docsgen_pipeline_tests.support.scaleout import SMALL_BLUEPRINT, ScaledOut

BRIEF = EXAMPLES / "acme-orders.yaml"


def manifest_hashes(bundle: Path) -> dict[str, str]:
    manifest = json.loads((bundle / "manifest.json").read_text())
    return {e["file"]: e["sha256"] for e in manifest["files"]}


def bundle_hashes(store: Path, run_id: str) -> dict[str, str]:
    bundles = sorted((store / "runs" / run_id / "bundles").glob("v*"), key=lambda p: int(p.name[1:]))
    return manifest_hashes(bundles[-1])


def step_processes(instance: dg.DagsterInstance, run_id: str) -> tuple[dict[str, int], dict[str, str]]:
    """(step key -> pid that started it, step key -> Celery worker that took it) over the docs run's runs."""
    pids: dict[str, int] = {}
    nodes: dict[str, str] = {}
    for run in instance.get_runs(dg.RunsFilter(tags={RUN_TAG: run_id})):
        for entry in instance.all_logs(run.run_id):
            event = entry.dagster_event
            if event is None or event.step_key is None:
                continue
            if event.event_type is dg.DagsterEventType.STEP_START and event.pid is not None:
                pids[event.step_key] = event.pid
            if event.event_type is dg.DagsterEventType.ENGINE_EVENT and event.engine_event_data is not None:
                worker = event.engine_event_data.metadata.get("Celery worker")
                if worker is not None:
                    nodes[event.step_key] = str(worker.value)
    return pids, nodes


@pytest.mark.timeout(600)
def test_batch_run_on_celery_workers_and_s3_matches_the_embedded_default(
    deployment_on_s3: ScaledOut, docsgen_home: Home, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment = deployment_on_s3
    url = deployment.store_location
    assert url.startswith("s3://")
    workers = deployment.start_workers(2)
    pools = {w.name: w.pool_pids() for w in workers}
    assert all(pools.values()), deployment.logs()

    coordinator = deployment.popen(["run", str(BRIEF), "--run-id", "scale-1"])
    out, err = coordinator.communicate(timeout=480)
    assert coordinator.returncode == 0, f"{err}\n{deployment.logs()}"
    # The coordinator's copy of the bundle, downloaded from the bucket and checked against it.
    local = working_root(url, deployment.home("coordinator")) / "runs" / "scale-1" / "bundles" / "v1"
    assert out.strip().splitlines()[-1] == str(local)

    # Another machine, which ran nothing, reads the run from the bucket and the shared instance.
    status = deployment.run(["status", "scale-1", "--json", "--recompute"], machine="reviewer")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["status"] == "Complete"
    verify = deployment.run(["verify", "scale-1"], machine="reviewer")
    assert verify.returncode == 0, verify.stdout + verify.stderr

    with dg.DagsterInstance.from_config(str(deployment.home("coordinator") / "dagster")) as instance:
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        pids, nodes = step_processes(instance, "scale-1")
    # Every step (brief, plans, files, gates, approvals, cross-validation, bundle) started in a
    # worker's pool process, never in the coordinator, and the worker said which one it was.
    worker_pids = set().union(*pools.values())
    assert len(pids) >= 27 and set(pids.values()) <= worker_pids, (pids, pools)
    assert coordinator.pid not in pids.values()
    assert set(nodes) == set(pids)
    names = {node.split("@")[0] for node in nodes.values()}
    assert names <= set(pools), nodes
    by_worker: dict[str, int] = defaultdict(int)
    for node in nodes.values():
        by_worker[node.split("@")[0]] += 1
    print(f"steps per worker: {dict(by_worker)}")
    # Nothing of the run lives in the coordinator's or the workers' own homes.
    assert not (deployment.home("coordinator") / "dagster" / "history").exists()
    assert not (deployment.home("coordinator") / "artifacts").exists()
    assert not any((deployment.home(w.name) / "artifacts").exists() for w in workers)
    assert not deployment.store.exists()  # no shared folder: the bucket is the store

    # The embedded default (SQLite instance, in-process) writes the very same bundle.
    assert main(["run", str(BRIEF), "--blueprint", str(SMALL_BLUEPRINT), "--run-id", "scale-1"]) == 0
    capsys.readouterr()
    assert manifest_hashes(local) == bundle_hashes(docsgen_home.store.root, "scale-1")
