"""Regenerating one file costs the same in a 500-file doc set as in a 6-file one.

Two synthetic blueprints (the template agent's ``generic`` kind writes any file; phases 0..5 must
each be non-empty, so the small set has 6 files, one per phase) are generated completely, then
one file in phase 3 is regenerated with fresh feedback (so each repeat writes a new version)
through Dagster, in the same process and on the same instance.  Measured per size:

* **regenerate**: the Dagster run that rewrites the one file (load the run, one agent call, store
  the version, per-file checks, metadata with diff and history): what "pay for one file" means.
  Target: 500-file / 6-file ≤ 1.5×.
* **revalidate**: what ``docsgen regenerate`` adds afterwards (phase gate, batch re-approval, final
  cross-validation, bundle, stale status of later phases).  This one rightly grows with the size of
  the phase and the doc set: every rule runs over them again.
* agent calls per regeneration (must be 1).

    .venv/bin/python benchmarks/regeneration_scaling.py [--sizes 6 500] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
BRIEF = REPO / "examples" / "acme-orders.yaml"


def synthetic_blueprint(n_files: int) -> str:
    """A valid blueprint of ``n_files`` generic files: the root in phase 0, the rest spread over 1..5."""
    if n_files < 6:
        raise SystemExit("a blueprint needs at least 6 files (phases 0..5 are each non-empty)")
    phases: list[dict[str, Any]] = [
        {
            "number": 0,
            "title": "Overview",
            "files": [{"key": "root", "title": "Overview", "intent": "Introduce the project.", "kind": "generic"}],
        }
    ]
    rest = n_files - 1
    counts = [rest // 5 + (1 if i < rest % 5 else 0) for i in range(5)]
    serial = 0
    for number, count in enumerate(counts, start=1):
        files = []
        for _ in range(count):
            serial += 1
            files.append(
                {
                    "key": f"f{serial:03d}",
                    "number": serial % 100,
                    "name": f"p{number}-topic-{serial:03d}",
                    "title": f"Topic {serial}",
                    "intent": f"Describe topic {serial} of the project.",
                    "kind": "generic",
                }
            )
        phases.append({"number": number, "title": f"Section {number}", "files": files})
    return yaml.safe_dump({"name": f"synthetic-{n_files}", "version": 1, "phases": phases}, sort_keys=False)


def measure(n_files: int, repeats: int, workdir: Path) -> dict[str, Any]:
    home = workdir / f"home-{n_files}"
    os.environ["DOCSGEN_HOME"] = str(home)
    os.environ["DAGSTER_HOME"] = str(home / "dagster")
    from docsgen_pipeline.agents.base import Agent, FileReply, PlanReply, PlanRequest, WriteRequest
    from docsgen_pipeline.agents.template.agent import TemplateAgent
    from docsgen_pipeline.blueprint import parse_blueprint
    from docsgen_pipeline.cli.instance import get_instance, prepare_dagster_home
    from docsgen_pipeline.cli.regenerate import regenerate_run
    from docsgen_pipeline.dagster_layer.definitions import build_definitions
    from docsgen_pipeline.dagster_layer.execute import (
        approve_phase,
        ensure_partition,
        execute,
        execute_final,
        execute_phase,
    )
    from docsgen_pipeline.dagster_layer.jobs import BATCH_JOB
    from docsgen_pipeline.dagster_layer.keys import file_key
    from docsgen_pipeline.dagster_layer.partitions import FEEDBACK_TAG, REASON_TAG, REQUESTED_BY_TAG
    from docsgen_pipeline.dagster_layer.resources import AgentResource
    from docsgen_pipeline.docs_run import DocsRun
    from docsgen_pipeline.regeneration import resolve_targets
    from docsgen_pipeline.registration import register_docs_run
    from docsgen_pipeline.store import ArtifactStore

    class Counting:
        name = "template"

        def __init__(self) -> None:
            self.inner, self.lock, self.writes = TemplateAgent(), threading.Lock(), 0

        def identity(self) -> dict[str, str]:
            return self.inner.identity()

        def plan_phase(self, request: PlanRequest) -> PlanReply:
            return self.inner.plan_phase(request)

        def write_file(self, request: WriteRequest) -> FileReply:
            with self.lock:
                self.writes += 1
            return self.inner.write_file(request)

    counter = Counting()

    class CountingResource(AgentResource):
        def build(self, run_agent: dict[str, object] | None = None, budget_ledger: Path | None = None) -> Agent:
            return counter

    prepare_dagster_home()
    blueprint = parse_blueprint(synthetic_blueprint(n_files), f"synthetic-{n_files}")
    store = ArtifactStore(home / "artifacts")
    run_id = f"bench-{n_files}"
    register_docs_run(
        store,
        brief_text=BRIEF.read_text(),
        brief_format="yaml",
        brief_source=str(BRIEF),
        blueprint=blueprint,
        run_id=run_id,
    )
    started = time.perf_counter()
    defs = build_definitions(blueprint, store.root, agent=CountingResource())
    defs.get_job_def(BATCH_JOB)
    build_s = time.perf_counter() - started
    instance = get_instance()
    ensure_partition(instance, run_id)
    started = time.perf_counter()
    for phase in blueprint.phases:
        outcome = execute_phase(defs, instance, run_id, phase.number)
        assert outcome.success, outcome.failure
        assert approve_phase(defs, instance, run_id, phase.number, approver="batch").success
    assert execute_final(defs, instance, run_id).success
    generate_s = time.perf_counter() - started

    phase3 = blueprint.phases[3]
    target = phase3.files[len(phase3.files) // 2]
    regen_times, revalidate_times, calls = [], [], []
    for repeat in range(repeats):
        tags = {REQUESTED_BY_TAG: "bench", REASON_TAG: "feedback", FEEDBACK_TAG: f"Revision {repeat}: tighten it."}
        counter.writes = 0
        started = time.perf_counter()
        outcome = execute(defs, instance, BATCH_JOB, run_id, tags, asset_selection=[file_key(phase3, target)])
        regen_times.append(time.perf_counter() - started)
        assert outcome.success, outcome.failure
        calls.append(counter.writes)
        # The full command path once more (files + gate + approval + final + staleness), timed apart.
        run = DocsRun.load(store, run_id)
        counter.writes = 0
        started = time.perf_counter()
        summary = regenerate_run(
            run,
            resolve_targets(run, [target.key], None),
            requested_by="bench",
            reason="feedback",
            feedback=f"Revision {repeat}b: tighten it more.",
            defs=defs,
        )
        revalidate_times.append(time.perf_counter() - started)
        assert summary["ok"], summary
        assert counter.writes == 1
    version = DocsRun.load(store, run_id).latest_file(target.key)
    assert version is not None and version.version == 1 + 2 * repeats
    return {
        "files": n_files,
        "build_defs_s": build_s,
        "generate_all_s": generate_s,
        "regenerate_s": statistics.median(regen_times),
        "regenerate_runs": regen_times,
        "command_s": statistics.median(revalidate_times),
        "agent_calls": max(calls),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs=2, default=[6, 500], metavar=("SMALL", "LARGE"))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    import logging

    logging.disable(logging.WARNING)
    results = []
    with tempfile.TemporaryDirectory(prefix="docsgen-regen-bench-") as tmp:
        for size in args.sizes:
            results.append(measure(size, args.repeats, Path(tmp)))
            print(f"measured {size} files", file=sys.stderr)
    small, large = results
    print("| doc set | build defs | generate all | regenerate 1 file (median) | full `regenerate` command (median) |")
    print("| --- | --- | --- | --- | --- |")
    for r in results:
        print(
            f"| {r['files']} files | {r['build_defs_s']:.2f} s | {r['generate_all_s']:.1f} s | "
            f"{r['regenerate_s']:.2f} s ({r['agent_calls']} agent call) | {r['command_s']:.2f} s |"
        )
    ratio = large["regenerate_s"] / small["regenerate_s"]
    command_ratio = large["command_s"] / small["command_s"]
    print(f"\nregenerate-one-file ratio {large['files']}/{small['files']} files: {ratio:.2f}x (target <= 1.5x)")
    print(f"full command ratio (includes revalidating the whole phase and doc set): {command_ratio:.2f}x")
    return 0 if ratio <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
