"""One execution per docs run across machines: the lock lives in the shared instance's PostgreSQL (issue 15).

Two ``docsgen`` processes with separate homes ("machine A" and "machine B") share the Dagster
instance on PostgreSQL and the artifact store.  While A executes a docs run, B's attempt to
execute it is refused at once, naming A's command, pid and host; the local file lock plays no part.
Once A is done, B can go on.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from docsgen_pipeline.locks import LOCK_FILE, file_is_locked, shared_lock_holder
from docsgen_pipeline.process_owner import hostname
from docsgen_pipeline_tests.conftest import EXAMPLES
from docsgen_pipeline_tests.fakes.fake_model import answer
from docsgen_pipeline_tests.fakes.openai_server import running_fake_server
from docsgen_pipeline_tests.support.scaleout import ScaledOut
from docsgen_pipeline_tests.support.waiting import wait_until

BRIEF = EXAMPLES / "acme-orders.yaml"


@pytest.mark.timeout(600)
def test_a_second_execution_on_another_machine_is_refused_naming_the_holder(deployment: ScaledOut) -> None:
    # The model holds machine A's run at its first call until machine B has been refused: no race.
    release = threading.Event()

    def held(messages: list[dict[str, Any]]) -> str:
        release.wait(timeout=300)
        return answer(messages)

    with running_fake_server() as server:
        server.responder = held
        agent = ["--base-url", server.base_url, "--model", "fake-model"]
        local = {"DOCSGEN_RUN_EXECUTOR": "in_process"}  # the lock is the instance's, whatever the executor
        holder = deployment.popen(["run", str(BRIEF), "--run-id", "lock-1", *agent], machine="machine-a", **local)
        try:
            wait_until(
                "machine A to hold the docs run's lock",
                lambda: holder.poll() is None and shared_lock_holder(deployment.postgres.url, "lock-1") is not None,
                240,
            )
            asked = lambda: bool(server.chat_requests()) or holder.poll() is not None  # noqa: E731
            wait_until("machine A's first model call", asked, 240)
            assert holder.poll() is None, holder.communicate()[1]

            second = deployment.run(["approve", "lock-1", "--resume"], machine="machine-b", **local)
            assert second.returncode == 2, second.stderr
            line = second.stderr.strip().splitlines()[-1]
            assert line.startswith("docsgen: error: docs run 'lock-1' is already executing in `docsgen run"), line
            assert f"pid {holder.pid} on {hostname()}" in line and "shared Dagster instance's PostgreSQL" in line
            assert "docsgen cancel lock-1" in line
            # Not the local file lock: with a shared instance nobody takes it.
            assert not file_is_locked(deployment.store / "runs" / "lock-1" / LOCK_FILE)
            # Refused before doing anything: machine B asked the model nothing.
            assert len(server.chat_requests()) == 1
        finally:
            release.set()
        _, err = holder.communicate(timeout=480)
    assert holder.returncode == 0, err
    assert shared_lock_holder(deployment.postgres.url, "lock-1") is None  # released with A's connection

    # Machine B now holds the lock itself: the run is Complete, nothing more to execute.
    after = deployment.run(["approve", "lock-1", "--resume"], machine="machine-b", **local)
    assert after.returncode == 0, after.stderr
    assert "complete: 6 files validated and bundled" in after.stderr
