"""Requests one batch docs run makes to an object store, and its wall time there against a folder.

Runs ``docsgen run examples/acme-orders.yaml`` (offline agent, fresh ``$DOCSGEN_HOME``) with
``DOCSGEN_STORE`` on a local folder and on a bucket of moto's S3-compatible server started on
127.0.0.1, and counts the S3 requests by kind from moto's request log: LIST (``list-type=2``),
GET, PUT, HEAD, DELETE.  On real S3 each request is a round trip (tens of ms) and LIST is billed
at the PUT rate, so these counts, not moto's speed, are what carries over.

    .venv/bin/python benchmarks/object_store_requests.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from docsgen_pipeline_tests.support.object_store import moto_s3_server  # noqa: E402

BRIEF = REPO / "examples" / "acme-orders.yaml"
DOCSGEN = [sys.executable, "-m", "docsgen_pipeline.cli.main"]
_REQUEST = re.compile(r'"(GET|PUT|HEAD|DELETE|POST) ([^ ]+) HTTP')


def _run(env: dict[str, str], run_id: str) -> float:
    home = tempfile.mkdtemp(prefix="docsgen-bench-")
    started = time.perf_counter()
    done = subprocess.run(
        [*DOCSGEN, "run", str(BRIEF), "--run-id", run_id],
        env={**os.environ, **env, "DOCSGEN_HOME": home},
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"docsgen run failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def _count(log: str) -> collections.Counter[str]:
    kinds: collections.Counter[str] = collections.Counter()
    for method, path in _REQUEST.findall(log):
        kinds["LIST" if method == "GET" and "list-type=" in path else method] += 1
    return kinds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    local = [_run({}, f"local-{i}") for i in range(args.repeats)]
    remote, counts = [], []
    for i in range(args.repeats):
        with moto_s3_server() as server:
            remote.append(_run(server.store_env(), f"s3-{i}"))
            assert server.log is not None
            counts.append(_count(server.log.read_text()))
    print(f"batch run, folder store: {statistics.median(local):.1f} s (median of {args.repeats})")
    print(f"batch run, s3 on moto:   {statistics.median(remote):.1f} s")
    print(
        "requests per run (median): "
        + ", ".join(
            f"{kind} {statistics.median(c[kind] for c in counts):.0f}"
            for kind in ("LIST", "GET", "PUT", "HEAD", "DELETE")
        )
        + f", total {statistics.median(sum(c.values()) for c in counts):.0f}"
    )


if __name__ == "__main__":
    main()
