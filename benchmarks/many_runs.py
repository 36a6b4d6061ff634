"""`docsgen list`, `status RUN` and an advance-sensor tick do not grow with the number of docs runs.

Creates N registered docs runs in varied states on one instance (SQLite under a temporary
``$DOCSGEN_HOME``), growing the same home through the sizes so the larger sizes include the
smaller: two docs runs really executed through Dagster (one interactive run awaiting approval of
phase 0, one batch run complete), and for the rest registration in the store plus recorded facts
that put them in other states (a failed Dagster run, a cancellation, nothing yet = Running),
every fourth one archived.  The new runs' status records are then built once by an untimed
``docsgen list --archived`` (its time is shown: collecting facts, what every ``list`` cost
before status records).  Measured per size:

* ``docsgen list`` in a subprocess (import + read records): targets ≤ 2 s at 1,000 runs and
  ≤ 1.3× its time at 10;
* ``docsgen status RUN`` in a subprocess: target ≤ 1 s at any N;
* one advance-sensor tick with a cursor (in process, after a first tick): target ≤ 1 s with 1,000
  idle runs.

    .venv/bin/python benchmarks/many_runs.py [--sizes 10 100 1000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BRIEF = REPO / "examples" / "acme-orders.yaml"
DOCSGEN = [sys.executable, "-m", "docsgen_pipeline.cli.main"]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(argv: list[str], repeats: int) -> tuple[float, float, str]:
    """(fastest wall seconds, least CPU seconds of the subprocess, its stdout) over the repeats.

    CPU time is shown beside wall time: on a shared, loaded machine the wall time mostly measures
    the other processes.
    """
    times = []
    cpus = []
    out = ""
    for _ in range(repeats):
        start, cpu = time.perf_counter(), _children_cpu()
        done = subprocess.run([*DOCSGEN, *argv], capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        cpus.append(_children_cpu() - cpu)
        if done.returncode != 0:
            raise SystemExit(f"docsgen {' '.join(argv)} failed: {done.stderr.strip()}")
        out = done.stdout
    # The minimum, as timeit reports: on a shared machine every other figure mostly measures the
    # other processes (the median is kept in the docstring's table for comparison).
    return min(times), min(cpus), out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="docsgen-many-runs-"))
    os.environ.update(DOCSGEN_HOME=str(home), DAGSTER_HOME=str(home / "dagster"))
    os.environ.pop("DOCSGEN_STORE", None)
    warnings.filterwarnings("ignore")

    import dagster as dg

    from docsgen_pipeline.archive import set_archived
    from docsgen_pipeline.blueprint import default_blueprint
    from docsgen_pipeline.cli.instance import get_definitions, get_instance
    from docsgen_pipeline.cli.main import main as docsgen
    from docsgen_pipeline.dagster_layer.cancel import cancel_docs_run
    from docsgen_pipeline.dagster_layer.partitions import DOCS_RUNS, RUN_TAG
    from docsgen_pipeline.dagster_layer.sensors.advance import ADVANCE_SENSOR
    from docsgen_pipeline.registration import register_docs_run
    from docsgen_pipeline.settings import store_root
    from docsgen_pipeline.store import ArtifactStore

    instance = get_instance()
    store = ArtifactStore(store_root())
    blueprint = default_blueprint()
    defs = get_definitions(blueprint)
    brief = BRIEF.read_text()
    print(f"home {home}", file=sys.stderr)
    # Two real executions: states that only Dagster can produce.
    assert docsgen(["run", str(BRIEF), "--run-id", "real-interactive", "--review", "interactive"]) == 0
    assert docsgen(["run", str(BRIEF), "--run-id", "real-batch", "--review", "batch"]) == 0

    sensor = defs.get_sensor_def(ADVANCE_SENSOR)
    cursor: str | None = None
    made = 2
    print("runs\tlist s (cpu)\tlist/list@first\tstatus RUN s (cpu)\tsensor tick s\tbuild new records s\tlisted")
    first_list = None
    for size in args.sizes:
        new = [f"many-{i:05d}" for i in range(made, size)]
        for index, run_id in enumerate(new):
            mode = "interactive" if index % 2 else "batch"
            register_docs_run(
                store, brief_text=brief, brief_format="yaml", brief_source="acme", blueprint=blueprint,
                run_id=run_id, review_mode=mode,
            )  # fmt: skip
        instance.add_dynamic_partitions(DOCS_RUNS, new)
        for index, run_id in enumerate(new):
            kind = index % 4
            if kind == 1:
                instance.add_run(
                    dg.DagsterRun(
                        job_name="phase0_generate", status=dg.DagsterRunStatus.FAILURE, tags={RUN_TAG: run_id}
                    )
                )
            elif kind == 2:
                cancel_docs_run(instance, store, run_id, by="bench", reason="superseded")
            elif kind == 3:
                set_archived(store, run_id, True, by="bench")
        made = max(made, size)
        start = time.perf_counter()
        _timed(["list", "--archived"], 1)  # builds the records of the new runs (collects their facts)
        build = time.perf_counter() - start
        # Let the kernel write back the files just created: time the commands, not that writeback.
        os.sync()

        list_time, list_cpu, out = _timed(["list"], args.repeats)
        first_list = first_list or list_time
        status_time, status_cpu, _ = _timed(["status", "real-interactive"], args.repeats)
        # A first tick sets the cursor (and looks at everything once); the next ones are idle.
        result = sensor(
            dg.build_sensor_context(instance=instance, definitions=defs, resources=defs.resources, cursor=cursor)
        )
        cursor = result.cursor if isinstance(result, dg.SensorResult) else cursor
        ticks = []
        for _ in range(args.repeats):
            context = dg.build_sensor_context(
                instance=instance, definitions=defs, resources=defs.resources, cursor=cursor
            )
            start = time.perf_counter()
            result = sensor(context)
            ticks.append(time.perf_counter() - start)
            cursor = result.cursor if isinstance(result, dg.SensorResult) else cursor
        listed = len(out.splitlines())
        print(
            f"{made}\t{list_time:.2f} ({list_cpu:.2f})\t{list_time / first_list:.2f}\t"
            f"{status_time:.2f} ({status_cpu:.2f})\t"
            f"{statistics.median(ticks):.3f}\t{build:.1f}\t{listed}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
