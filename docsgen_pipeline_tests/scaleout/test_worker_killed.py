"""A worker killed mid-step: the run fails in bounded time, the documented resume completes it (issue 15).

A batch docs run goes to two Celery workers.  The model holds the write of the phase-2 file
(``data-model``) until the worker running that step has been SIGKILLed with its pool, as a
machine dying would (nobody reports the step's end to the result backend), or only its pool
process has, as the OOM killer would (the worker reports it).  The coordinator must fail the
Dagster run naming the worker and the resume command, and exit; ``docsgen approve RUN --resume``
(a new worker started first) then completes the docs run, and every file finished before the
kill keeps its version and sha256.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from typing import Any

import dagster as dg
import pytest

from docsgen_pipeline.dagster_layer.partitions import RUN_TAG
from docsgen_pipeline_tests.conftest import EXAMPLES
from docsgen_pipeline_tests.fakes.fake_model import answer
from docsgen_pipeline_tests.fakes.openai_server import running_fake_server
from docsgen_pipeline_tests.support.scaleout import ScaledOut, busy_worker, file_versions, kill_worker
from docsgen_pipeline_tests.support.waiting import wait_until

BRIEF = EXAMPLES / "acme-orders.yaml"
RUN = "lost-1"
HELD_TITLE = "TITLE: Data Model"  # the write prompt of phase 2's only file
HELD_STEP = "phase2_files"  # one step writes a phase's files
LOST_AFTER_S = 8  # the coordinator's lost-worker timeout for this test (default 60 s)


def step_starts(instance: dg.DagsterInstance, run_id: str) -> dict[str, int]:
    """Step key -> pid of the process that started it, over the docs run's Dagster runs."""
    pids = {}
    for run in instance.get_runs(dg.RunsFilter(tags={RUN_TAG: run_id})):
        for entry in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_START):
            event = entry.dagster_event
            if event is not None and event.step_key is not None and event.pid is not None:
                pids[event.step_key] = event.pid
    return pids


@pytest.mark.timeout(300)
@pytest.mark.parametrize("killed", ["worker", "pool process"])
def test_a_worker_killed_mid_step_fails_the_run_and_resume_completes_it_without_rewrites(
    deployment: ScaledOut, killed: str
) -> None:
    held = threading.Event()
    release = threading.Event()

    def holding(messages: list[dict[str, Any]]) -> str:
        if any(HELD_TITLE in str(m.get("content", "")) for m in messages):
            held.set()
            release.wait(timeout=240)  # the worker that asked is dead by then: nobody reads this
        return answer(messages)

    wall: dict[str, float] = {}
    with running_fake_server() as server:
        server.responder = holding
        workers = deployment.start_workers(2)
        agent = ["--base-url", server.base_url, "--model", "fake-model"]
        settings = {"DOCSGEN_CELERY_WORKER_LOST_S": str(LOST_AFTER_S)}
        started = time.monotonic()
        coordinator = deployment.popen(["run", str(BRIEF), "--run-id", RUN, *agent], **settings)
        try:
            wait_until("the phase-2 file's model call", lambda: held.is_set() or coordinator.poll() is not None, 180)
            assert coordinator.poll() is None, coordinator.communicate()[1]
            wall["to the held call"] = time.monotonic() - started

            before = file_versions(deployment.store, RUN)
            assert set(before) == {"acme.md", "acme-03-canonical-schemas.md"}, before
            with dg.DagsterInstance.from_config(str(deployment.home("coordinator") / "dagster")) as instance:
                starts = step_starts(instance, RUN)
            assert HELD_STEP in starts, starts
            victim = busy_worker(workers, starts[HELD_STEP])
            if killed == "worker":
                kill_worker(victim)
            else:
                os.kill(starts[HELD_STEP], signal.SIGKILL)
            killed_at = time.monotonic()
        finally:
            release.set()
        survivor = next(w for w in workers if w is not victim)
        _, err = coordinator.communicate(timeout=120)
        wall["kill to coordinator exit"] = time.monotonic() - killed_at

        assert coordinator.returncode == 1, err
        # The coordinator says which worker was lost, running what, and what to run next.
        assert f"Celery worker {victim.name}@" in err and HELD_STEP in err, err
        assert ("did not answer for" if killed == "worker" else "lost the process running step") in err, err
        assert f"docsgen approve {RUN} --resume" in err, err
        assert survivor.proc.poll() is None  # the live worker was not blamed
        assert (victim.proc.poll() is None) is (killed == "pool process")
        with dg.DagsterInstance.from_config(str(deployment.home("coordinator") / "dagster")) as instance:
            runs = instance.get_runs(dg.RunsFilter(tags={RUN_TAG: RUN}))
            assert [r.status for r in runs if r.job_name == "docs_run_batch"][:1] == [dg.DagsterRunStatus.FAILURE]
        status = deployment.run(["status", RUN, "--json"])
        assert json.loads(status.stdout)["status"] == "Failed", status.stdout
        assert file_versions(deployment.store, RUN) == before  # the killed step wrote nothing

        # The documented recovery: start workers, then resume.
        deployment.start_workers(1)
        resumed = time.monotonic()
        resume = deployment.run(["approve", RUN, "--resume"], timeout=240, **settings)
        wall["resume"] = time.monotonic() - resumed
    assert resume.returncode == 0, f"{resume.stderr}\n{deployment.logs()}"
    assert "complete: 6 files validated and bundled" in resume.stderr

    after = file_versions(deployment.store, RUN)
    assert len(after) == 6
    for name, versions in before.items():
        assert after[name] == versions, name  # still v1, same sha256: not rewritten
    assert all(len(versions) == 1 for versions in after.values()), after  # no file was rewritten
    verify = deployment.run(["verify", RUN])
    assert verify.returncode == 0, verify.stdout + verify.stderr
    status = deployment.run(["status", RUN, "--json", "--recompute"])
    assert json.loads(status.stdout)["status"] == "Complete"
    print(f"{killed} killed; coordinator said:\n" + "\n".join(err.strip().splitlines()[-3:]))
    print("wall times: " + ", ".join(f"{what} {seconds:.1f} s" for what, seconds in wall.items()))


def submitted_steps(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """Steps the coordinator of ``run_id`` has handed to Celery ("Submitting celery task …" events)."""
    keys = []
    for run in instance.get_runs(dg.RunsFilter(tags={RUN_TAG: run_id})):
        for entry in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
            event = entry.dagster_event
            if event is not None and event.step_key and (event.message or "").startswith("Submitting celery task"):
                keys.append(event.step_key)
    return keys


@pytest.mark.timeout(300)
def test_a_step_queued_while_the_only_worker_is_busy_runs_on_the_next_worker_after_a_kill(
    deployment: ScaledOut,
) -> None:
    """Another docs run's step sent while the only worker is busy is not stranded in that worker.

    A worker that prefetched it would hold it unacknowledged when killed, and Redis would hand
    it to another worker only after the visibility timeout (an hour): with DocsGen's
    ``worker_disable_prefetch`` it stays in the queue and the next worker takes it.
    """
    held = threading.Event()
    release = threading.Event()

    def holding(messages: list[dict[str, Any]]) -> str:
        if any(HELD_TITLE in str(m.get("content", "")) for m in messages) and not held.is_set():
            held.set()
            release.wait(timeout=240)
        return answer(messages)

    with running_fake_server() as server:
        server.responder = holding
        (worker,) = deployment.start_workers(1)
        agent = ["--base-url", server.base_url, "--model", "fake-model"]
        settings = {"DOCSGEN_CELERY_WORKER_LOST_S": str(LOST_AFTER_S)}
        busy = deployment.popen(["run", str(BRIEF), "--run-id", "busy-1", *agent], **settings)
        coordinator_home = str(deployment.home("coordinator") / "dagster")
        try:
            wait_until("the busy run's phase-2 model call", lambda: held.is_set() or busy.poll() is not None, 180)
            assert busy.poll() is None, busy.communicate()[1]
            queued = deployment.popen(["run", str(BRIEF), "--run-id", "queued-1", *agent], **settings)
            with dg.DagsterInstance.from_config(coordinator_home) as instance:
                sent = lambda: bool(submitted_steps(instance, "queued-1")) or queued.poll() is not None  # noqa: E731
                wait_until("the queued run's first step to be sent", sent, 120)
            assert queued.poll() is None, queued.communicate()[1]
            time.sleep(2)  # time for a prefetching worker to take it
            kill_worker(worker)
            killed_at = time.monotonic()
        finally:
            release.set()
        _, busy_err = busy.communicate(timeout=120)
        assert busy.returncode == 1 and "did not answer for" in busy_err, busy_err
        deployment.start_workers(1)
        _, queued_err = queued.communicate(timeout=180)
        waited = time.monotonic() - killed_at
    assert queued.returncode == 0, f"{queued_err}\n{deployment.logs()}"
    assert "complete: 6 files validated and bundled" in queued_err
    print(f"queued run complete {waited:.1f} s after the kill")
