"""Regenerating one file costs the same in a 500-file doc set as in a 6-file one.

Two synthetic blueprints (the template agent's ``generic`` kind writes any file; phases 0..5 must
each be non-empty, so the small set has 6 files, one per phase) are generated completely, then
one file in phase 3 is regenerated with fresh feedback (so each repeat writes a new version)
through Dagster, in the same process and on the same instance, alternating the two sizes so that
machine load affects both alike.  Measured per size:

* **regenerate**: the Dagster run that rewrites the one file (load the run, one agent call, store
  the version, per-file checks, metadata with diff and history), in the phase's job as
  ``docsgen regenerate`` runs it: what "pay for one file" means.  Target: 500-file / 6-file ≤ 1.5×.
  The same run through the all-assets job (what a UI selection launches) is shown beside it:
  Dagster snapshots the whole job per run, which grows with the number of assets.
* **full command**: ``docsgen regenerate`` end to end, timed apart: the same one-file run, then the
  phase gate, batch re-approval, final cross-validation, bundle and stale status of later phases.
  The revalidation part may grow with the size of the phase and doc set: every rule runs over
  them again.
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


class Subject:
    """One generated docs run of a synthetic blueprint, ready to regenerate one of its files."""

    def __init__(self, n_files: int, workdir: Path) -> None:
        from docsgen_pipeline.agents.base import Agent, FileReply, PlanReply, PlanRequest, WriteRequest
        from docsgen_pipeline.agents.template.agent import TemplateAgent
        from docsgen_pipeline.blueprint import parse_blueprint
        from docsgen_pipeline.dagster_layer.definitions import build_definitions
        from docsgen_pipeline.dagster_layer.execute import (
            approve_phase,
            ensure_partition,
            execute_final,
            execute_phase,
        )
        from docsgen_pipeline.dagster_layer.jobs import BATCH_JOB
        from docsgen_pipeline.dagster_layer.resources import AgentResource
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

        self.n_files, self.counter = n_files, counter
        self.blueprint = parse_blueprint(synthetic_blueprint(n_files), f"synthetic-{n_files}")
        # One instance and store for both sizes: "same run" conditions, only the doc set differs.
        self.store = ArtifactStore(workdir / "artifacts")
        self.run_id = f"bench-{n_files}"
        register_docs_run(
            self.store,
            brief_text=BRIEF.read_text(),
            brief_format="yaml",
            brief_source=str(BRIEF),
            blueprint=self.blueprint,
            run_id=self.run_id,
        )
        started = time.perf_counter()
        self.defs = build_definitions(self.blueprint, self.store.root, agent=CountingResource())
        self.defs.get_job_def(BATCH_JOB)
        self.build_s = time.perf_counter() - started
        from docsgen_pipeline.cli.instance import get_instance

        self.instance = get_instance()
        ensure_partition(self.instance, self.run_id)
        started = time.perf_counter()
        for phase in self.blueprint.phases:
            outcome = execute_phase(self.defs, self.instance, self.run_id, phase.number)
            assert outcome.success, outcome.failure
            assert approve_phase(self.defs, self.instance, self.run_id, phase.number, approver="batch").success
        assert execute_final(self.defs, self.instance, self.run_id).success
        self.generate_s = time.perf_counter() - started
        phase3 = self.blueprint.phases[3]
        self.phase3, self.target = phase3, phase3.files[len(phase3.files) // 2]
        self.regenerate_s: list[float] = []
        self.ui_s: list[float] = []
        self.command_s: list[float] = []
        self.calls: list[int] = []

    def regenerate_once(self, repeat: int) -> None:
        """Time the one-file Dagster run, then the full ``docsgen regenerate`` path (apart)."""
        from docsgen_pipeline.cli.regenerate import regenerate_run
        from docsgen_pipeline.dagster_layer.execute import execute
        from docsgen_pipeline.dagster_layer.jobs import BATCH_JOB, phase_job_name
        from docsgen_pipeline.dagster_layer.keys import file_key
        from docsgen_pipeline.dagster_layer.partitions import FEEDBACK_TAG, REASON_TAG, REQUESTED_BY_TAG
        from docsgen_pipeline.docs_run import DocsRun
        from docsgen_pipeline.regeneration import resolve_targets

        selection = [file_key(self.phase3, self.target)]
        # As `docsgen regenerate` runs it (the phase's job), then as the UI does (a job over every asset).
        for job, times, label in ((phase_job_name(3), self.regenerate_s, "a"), (BATCH_JOB, self.ui_s, "u")):
            tags = {REQUESTED_BY_TAG: "bench", REASON_TAG: "feedback", FEEDBACK_TAG: f"Revision {repeat}{label}."}
            self.counter.writes = 0
            started = time.perf_counter()
            outcome = execute(self.defs, self.instance, job, self.run_id, tags, asset_selection=selection)
            times.append(time.perf_counter() - started)
            assert outcome.success, outcome.failure
            self.calls.append(self.counter.writes)
        run = DocsRun.load(self.store, self.run_id)
        self.counter.writes = 0
        started = time.perf_counter()
        summary = regenerate_run(
            run,
            resolve_targets(run, [self.target.key], None),
            requested_by="bench",
            reason="feedback",
            feedback=f"Revision {repeat}b: tighten it more.",
            defs=self.defs,
        )
        self.command_s.append(time.perf_counter() - started)
        assert summary["ok"], summary
        assert self.counter.writes == 1
        latest = DocsRun.load(self.store, self.run_id).latest_file(self.target.key)
        assert latest is not None and latest.version == 1 + 3 * (repeat + 1)

    def row(self) -> dict[str, Any]:
        return {
            "files": self.n_files,
            "build_defs_s": self.build_s,
            "generate_all_s": self.generate_s,
            "regenerate_s": statistics.median(self.regenerate_s),
            "regenerate_min_s": min(self.regenerate_s),
            "ui_s": statistics.median(self.ui_s),
            "command_s": statistics.median(self.command_s),
            "agent_calls": max(self.calls),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs=2, default=[6, 500], metavar=("SMALL", "LARGE"))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    import logging

    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="docsgen-regen-bench-") as tmp:
        os.environ["DOCSGEN_HOME"] = str(Path(tmp) / "home")
        os.environ["DAGSTER_HOME"] = str(Path(tmp) / "home" / "dagster")
        from docsgen_pipeline.cli.instance import prepare_dagster_home

        prepare_dagster_home()
        subjects = []
        for size in args.sizes:
            subjects.append(Subject(size, Path(tmp) / "home"))
            print(f"generated {size} files", file=sys.stderr)
        # Alternate the sizes so machine load drifts affect both alike.
        for repeat in range(args.repeats):
            for subject in subjects:
                subject.regenerate_once(repeat)
        results = [subject.row() for subject in subjects]
    small, large = results
    print(
        "| doc set | build defs | generate all | regenerate 1 file, phase job (median) | same, UI all-assets job "
        "| full `regenerate` command |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for r in results:
        print(
            f"| {r['files']} files | {r['build_defs_s']:.2f} s | {r['generate_all_s']:.1f} s | "
            f"{r['regenerate_s']:.2f} s (min {r['regenerate_min_s']:.2f} s; {r['agent_calls']} agent call) | "
            f"{r['ui_s']:.2f} s | {r['command_s']:.2f} s |"
        )
    ratio = large["regenerate_s"] / small["regenerate_s"]
    ui_ratio = large["ui_s"] / small["ui_s"]
    command_ratio = large["command_s"] / small["command_s"]
    print(f"\nregenerate-one-file ratio {large['files']}/{small['files']} files: {ratio:.2f}x (target <= 1.5x)")
    print(f"UI all-assets job ratio (Dagster snapshots the whole job per run): {ui_ratio:.2f}x")
    print(f"full command ratio (includes revalidating the whole phase and doc set): {command_ratio:.2f}x")
    return 0 if ratio <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
