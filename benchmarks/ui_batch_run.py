"""Time a batch docs run launched the way the web UI launches it, per executor setting.

Starts `docsgen ui` (dagster dev: web server + daemon) on a fresh home, registers the Acme example,
and submits `docs_run_batch` for its partition through the web server's GraphQL API (what the
Launchpad's *Launch Run* sends; no run config, so the job's default executor applies). Reports the
Dagster run's wall time (start to end), for `DOCSGEN_RUN_EXECUTOR=in_process` (the default) and
`multiprocess`. Compare with `benchmarks/batch_run.py` (the CLI).

    .venv/bin/python benchmarks/ui_batch_run.py [--port 18410] [--executors in_process,multiprocess]

Target (issue 12): the UI batch run within 1.5x of the CLI's wall time.
Measured 2026-12-01 on the shared 2-core machine (load average ~7): in_process 26.8 s,
multiprocess 210.4 s; `benchmarks/batch_run.py` (CLI) 78.0 s in the same hour.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from docsgen_pipeline_tests.support.waiting import url_answers, wait_until

REPO = Path(__file__).resolve().parent.parent


def one_run(executor: str, port: int) -> float:
    import dagster as dg
    from dagster_graphql import DagsterGraphQLClient

    from docsgen_pipeline_tests.conftest import register_example

    with tempfile.TemporaryDirectory(prefix="docsgen-uibench-") as home:
        os.environ.update(DOCSGEN_HOME=home, DAGSTER_HOME=str(Path(home) / "dagster"), DOCSGEN_RUN_EXECUTOR=executor)
        from docsgen_pipeline.settings import store_root
        from docsgen_pipeline.store import ArtifactStore

        server = subprocess.Popen(
            [sys.executable, "-m", "docsgen_pipeline.cli.main", "ui", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_until("dagster dev", lambda: url_answers(f"http://127.0.0.1:{port}/server_info"), 180)
            register_example(ArtifactStore(store_root()), "bench-1")
            instance = dg.DagsterInstance.get()
            instance.add_dynamic_partitions("docs_runs", ["bench-1"])
            client = DagsterGraphQLClient("127.0.0.1", port_number=port)
            run_id = client.submit_job_execution(
                "docs_run_batch", tags={"dagster/partition": "bench-1", "docsgen/run": "bench-1"}
            )

            def finished() -> bool:
                run = instance.get_run_by_id(run_id)
                return run is not None and run.is_finished

            wait_until("the batch run", finished, 900)
            record = instance.get_run_record_by_id(run_id)
            assert record is not None and record.start_time and record.end_time
            if not record.dagster_run.is_success:
                raise SystemExit(f"batch run {run_id} failed ({executor})")
            return record.end_time - record.start_time
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=18410)
    parser.add_argument("--executors", default="in_process,multiprocess")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    for executor in args.executors.split(","):
        print(f"{executor:<13} UI-launched batch run: {one_run(executor, args.port):6.1f} s", flush=True)


if __name__ == "__main__":
    main()
