"""A broken link fails the phase gate: later phases stay unmaterialized, artifacts stay intact."""

from __future__ import annotations

import dagster as dg

from docsgen_pipeline.blueprint import default_blueprint
from docsgen_pipeline.dagster_layer.definitions import build_definitions
from docsgen_pipeline.dagster_layer.execute import approve_phase, ensure_partition, execute_phase
from docsgen_pipeline.dagster_layer.keys import plan_key, validation_key
from docsgen_pipeline.docs_run import REPORTS, DocsRun, issues_name, report_name
from docsgen_pipeline.registration import register_docs_run
from docsgen_pipeline_tests.conftest import EXAMPLES, Home
from docsgen_pipeline_tests.support.appending_agent import AppendingAgentResource

BROKEN_LINK = AppendingAgentResource(file_key="components", extra="\nSee also [the old design](acme-99-legacy.md).\n")


def test_broken_link_fails_gate_and_keeps_artifacts(docsgen_home: Home) -> None:
    blueprint = default_blueprint()
    store = docsgen_home.store
    text = (EXAMPLES / "acme-orders.yaml").read_text()
    register_docs_run(
        store, brief_text=text, brief_format="yaml", brief_source="acme", blueprint=blueprint, run_id="broken-1"
    )
    defs = build_definitions(blueprint, store.root, agent=BROKEN_LINK)
    instance = docsgen_home.instance()
    ensure_partition(instance, "broken-1")
    for phase in (0, 1):
        assert execute_phase(defs, instance, "broken-1", phase).success
        assert approve_phase(defs, instance, "broken-1", phase, approver="batch").success

    outcome = execute_phase(defs, instance, "broken-1", 2)
    assert not outcome.success
    assert "links_resolve" in outcome.failure

    run = DocsRun.load(store, "broken-1")
    # The gate wrote its human report and the structured issue list, naming file, line and rule.
    report = store.read_text("broken-1", store.latest("broken-1", REPORTS, report_name(2)))  # type: ignore[arg-type]
    assert "**FAIL**" in report and "acme-99-legacy.md" in report
    issues = store.read_text("broken-1", store.latest("broken-1", REPORTS, issues_name(2)))  # type: ignore[arg-type]
    assert '"rule": "broken-link"' in issues and '"file": "acme-14-components.md"' in issues
    # Every artifact is kept: phase 2 files exist, phases 0-1 untouched (still v1).
    assert set(run.phase_files(2)) == {run.filenames[f.key] for f in blueprint.phases[2].files}
    versions = run.file_versions()
    assert all(r.version == 1 for name, r in versions.items() if name != "acme-14-components.md")
    # Automatic repair asked again for the flagged file only, twice (the default rounds), then gave up;
    # the report says what was tried.
    assert versions["acme-14-components.md"].version == 3
    assert versions["acme-14-components.md"].meta["reason"] == "repair"
    assert "## Repairs" in report and "| 2 | `acme-14-components.md` |" in report
    # Nothing of the later phases ran: no approval of phase 2, no plan of phase 3.
    assert instance.get_latest_materialization_event(validation_key(2)) is not None
    assert instance.get_latest_materialization_event(dg.AssetKey(["phase2", "approval"])) is None
    assert instance.get_latest_materialization_event(plan_key(3)) is None
