"""A whole batch docs run written by a real model: SmolLM2-135M-Instruct on llama.cpp's server.

Section generation, temperature 0, bounded section calls.  The run must end Complete, or Failed
with an issues report that names every file and rule it could not repair; every file whose first
version failed a check or the gate must have been repaired (recorded regenerations, reason
``repair``) before the phase gave up.

Sized for a 2-core CI machine: the small blueprint (6 files, one per phase), not the default 23;
see the note in benchmarks/real_model.py for the measured cost of the full default blueprint.
"""

from __future__ import annotations

import json
import time

import pytest

from docsgen_pipeline.blueprint import load_blueprint
from docsgen_pipeline.cli.driver import drive
from docsgen_pipeline.dagster_layer.facts import collect
from docsgen_pipeline.docs_run import REPORTS, DocsRun, issues_name, issues_report_name
from docsgen_pipeline.lifecycle import Status, derive
from docsgen_pipeline.regeneration import regenerations
from docsgen_pipeline.registration import register_docs_run
from docsgen_pipeline_tests.conftest import EXAMPLES, REPO, Home
from docsgen_pipeline_tests.support.llama_server import LlamaServer
from docsgen_pipeline_tests.support.run_summary import summarize

SMALL = load_blueprint(REPO / "docsgen_pipeline_tests" / "fixtures" / "blueprints" / "small.yaml")
AGENT = {
    "kind": "openai",
    "generation": "section",
    "temperature": 0.0,
    "max_tokens": 400,  # plans (grammar-constrained JSON where the server supports it)
    "section_max_tokens": 64,
    "plan_attempts": 1,
    "max_concurrency": 1,
    "timeout_s": 300.0,
    "max_retries": 1,
    "repair_rounds": 2,
}


# Measured: 639 s with the machine at load 6-15 (model time 605 s at ~3 tokens/s); far less on idle cores.
@pytest.mark.timeout(1500)
def test_section_mode_docs_run_with_smollm2(docsgen_home: Home, llama_server: LlamaServer) -> None:
    brief = EXAMPLES / "acme-orders.yaml"
    register_docs_run(
        docsgen_home.store, brief_text=brief.read_text(), brief_format="yaml", brief_source=str(brief),
        blueprint=SMALL, run_id="smol-1",
        agent={**AGENT, "base_url": llama_server.base_url, "model": llama_server.model},
    )
    started = time.monotonic()
    code = drive("smol-1", SMALL)
    wall = time.monotonic() - started
    state = derive(collect(docsgen_home.instance(), docsgen_home.store, "smol-1"))
    summary = summarize(docsgen_home.store, docsgen_home.instance(), "smol-1", SMALL)
    print(f"real model run: {state.status.value} in {wall:.0f} s; {summary}")  # shown with -s / on failure

    assert state.status in (Status.COMPLETE, Status.FAILED)
    assert (code == 0) == (state.status is Status.COMPLETE)
    run = DocsRun.load(docsgen_home.store, "smol-1")
    repaired = {r.file for r in regenerations(docsgen_home.store, "smol-1") if r.reason == "repair"}
    # Every file flagged on its first try was repaired (recorded), never more than the rounds allow.
    assert set(summary.flagged_first_try) <= repaired
    assert all((r.repair_round or 0) <= AGENT["repair_rounds"] for r in regenerations(docsgen_home.store, "smol-1"))
    if state.status is Status.FAILED and not state.at_final:
        report = docsgen_home.store.latest("smol-1", REPORTS, issues_report_name(state.phase))
        listing = docsgen_home.store.latest("smol-1", REPORTS, issues_name(state.phase))
        assert report is not None and listing is not None, state.detail
        text = docsgen_home.store.read_text("smol-1", report)
        left = [i for i in json.loads(docsgen_home.store.read_text("smol-1", listing)) if i["severity"] == "error"]
        assert left, "a failed phase names what it could not repair"
        for issue in left:
            assert f"`{issue['file']}`" in text and f"`{issue['rule']}`" in text
        if summary.flagged_first_try:
            assert "## Repairs" in text
    else:
        assert len(run.corpus()) == len(SMALL.all_files())
