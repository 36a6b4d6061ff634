"""Time a full batch docs run of the default blueprint with the offline agent.

Each repeat uses a fresh DocsGen home (new SQLite Dagster instance and artifact store) and runs
`docsgen run` in a subprocess, exactly as a user would, so import time and instance creation count.

    .venv/bin/python benchmarks/batch_run.py [--repeats 3] [--brief examples/acme-orders.yaml]

Target (issue 2): under 10 s wall on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def one_run(brief: Path, extra_env: dict[str, str] | None = None) -> float:
    """Seconds for one ``docsgen run BRIEF`` in a subprocess on a fresh home (``extra_env`` on top)."""
    with tempfile.TemporaryDirectory(prefix="docsgen-bench-") as home:
        env = {**os.environ, **(extra_env or {}), "DOCSGEN_HOME": home, "DAGSTER_HOME": str(Path(home) / "dagster")}
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "docsgen_pipeline.cli.main", "run", str(brief)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"docsgen run failed:\n{done.stderr[-2000:]}")
        return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--brief", type=Path, default=REPO / "examples" / "acme-orders.yaml")
    args = parser.parse_args()
    times = [one_run(args.brief) for _ in range(args.repeats)]
    print(f"brief: {args.brief.name}  repeats: {args.repeats}  cores: {os.cpu_count()}")
    print("run  wall_s")
    for i, t in enumerate(times, 1):
        print(f"{i:>3}  {t:6.2f}")
    print(f"median {statistics.median(times):.2f} s  min {min(times):.2f} s  (target < 10 s)")


if __name__ == "__main__":
    main()
