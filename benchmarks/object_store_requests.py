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
import re
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.batch_run import one_run  # noqa: E402
from docsgen_pipeline_tests.support.object_store import moto_s3_server  # noqa: E402

BRIEF = REPO / "examples" / "acme-orders.yaml"
_REQUEST = re.compile(r'"(GET|PUT|HEAD|DELETE|POST) ([^ ]+) HTTP')


def _count(log: str) -> collections.Counter[str]:
    kinds: collections.Counter[str] = collections.Counter()
    for method, path in _REQUEST.findall(log):
        kinds["LIST" if method == "GET" and "list-type=" in path else method] += 1
    return kinds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    local = [one_run(BRIEF) for _ in range(args.repeats)]
    remote, counts = [], []
    for _ in range(args.repeats):
        with moto_s3_server() as server:
            remote.append(one_run(BRIEF, server.store_env()))
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
