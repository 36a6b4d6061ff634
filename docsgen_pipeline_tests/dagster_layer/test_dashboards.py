"""What the Dagster UI shows: check promises, findings tables, WARN for warnings, preview links, labels.

The real Definitions, a real docs run materialized on a temporary instance, and the check
evaluations and materialization metadata read back from that instance, as the UI reads them.
"""

from __future__ import annotations

import re
from pathlib import Path

import dagster as dg
from dagster._core.event_api import PartitionKeyFilter

from docsgen_pipeline.blueprint import Blueprint, default_blueprint, default_blueprint_text, parse_blueprint
from docsgen_pipeline.dagster_layer.assets.common import FINDINGS_SHOWN
from docsgen_pipeline.dagster_layer.definitions import build_definitions
from docsgen_pipeline.dagster_layer.execute import approve_phase, ensure_partition, execute_phase
from docsgen_pipeline.dagster_layer.keys import approval_key, file_key, file_label, validation_key
from docsgen_pipeline.registration import register_docs_run
from docsgen_pipeline.validators.api import CHECK_PROMISES
from docsgen_pipeline_tests.conftest import EXAMPLES, Home
from docsgen_pipeline_tests.support.appending_agent import AppendingAgentResource

BROKEN = 55  # more broken links than the findings table shows


LEGACY_LINKS = "\n## Legacy\n\n" + "".join(f"- [old design {n}](acme-99-legacy-{n:02d}.md)\n" for n in range(BROKEN))


def _start(home: Home, blueprint: Blueprint, run_id: str) -> tuple[dg.Definitions, dg.DagsterInstance]:
    register_docs_run(
        home.store,
        brief_text=(EXAMPLES / "acme-orders.yaml").read_text(),
        brief_format="yaml",
        brief_source="acme",
        blueprint=blueprint,
        run_id=run_id,
    )
    defs = build_definitions(
        blueprint, home.store.root, agent=AppendingAgentResource(file_key="root", extra=LEGACY_LINKS, repair_rounds=0)
    )
    instance = home.instance()
    ensure_partition(instance, run_id)
    return defs, instance


def _evaluation(instance: dg.DagsterInstance, key: dg.AssetKey, check: str, run_id: str) -> dg.AssetCheckEvaluation:
    check_key = dg.AssetCheckKey(key, check)
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(
        [check_key], partition_filter=PartitionKeyFilter(key=run_id)
    )
    evaluation = latest[check_key].evaluation
    assert evaluation is not None, f"{check_key} has no evaluation for {run_id}"
    return evaluation


def test_every_check_states_its_promise_and_every_asset_its_file_and_kind(tmp_path: Path) -> None:
    blueprint = default_blueprint()
    graph = build_definitions(blueprint, tmp_path).resolve_asset_graph()
    check_keys = list(graph.asset_check_keys)
    assert len(check_keys) > 100
    for check_key in check_keys:
        description = graph.get_check_spec(check_key).description or ""
        promise = CHECK_PROMISES.get(check_key.name.removeprefix("all_"))
        if promise is not None:  # a DocsGen rule check: the promise, its rules and their level
            assert promise in description and "Rules: " in description, check_key
        else:  # any other check (the approval's): still a sentence, not "No description provided"
            assert len(description) > 20, check_key
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.kinds, f"{key.to_user_string()} has no kind"
        assert node.description, f"{key.to_user_string()} has no description"
        assert re.fullmatch(r"docs_run|final_[a-z_]+|phase_\d_[a-z0-9_]+", node.group_name), node.group_name
    for phase in blueprint.phases:
        for planned in phase.files:
            node = graph.get(file_key(phase, planned))
            # The first line (what the asset graph and catalog show) starts with the file's name.
            assert (node.description or "").startswith(f"{file_label(planned)} — {planned.title}.")
            assert node.kinds == {"markdown"}
            assert node.group_name == f"phase_{phase.number}_{phase.title.lower().replace(' ', '_')}"
    assert graph.get(file_key(blueprint.phases[1], blueprint.phases[1].files[0])).group_name == "phase_1_base"
    assert file_label(blueprint.phases[1].files[0]) == "{slug}-00-base-index.md"


def test_gate_failure_shows_a_findings_table_and_the_preview_links_to_asset_pages(docsgen_home: Home) -> None:
    defs, instance = _start(docsgen_home, default_blueprint(), "dash-1")
    outcome = execute_phase(defs, instance, "dash-1", 0)
    assert not outcome.success and "links_resolve" in outcome.failure

    evaluation = _evaluation(instance, validation_key(0), "links_resolve", "dash-1")
    assert not evaluation.passed and evaluation.severity is dg.AssetCheckSeverity.ERROR
    table = evaluation.metadata["findings"]
    assert isinstance(table, dg.TableMetadataValue)
    assert table.schema is not None
    assert [c.name for c in table.schema.columns] == ["file", "line", "rule", "severity", "message"]
    assert [c.type for c in table.schema.columns] == ["string", "int", "string", "string", "string"]
    rows = [r.data for r in table.records]
    assert len(rows) == FINDINGS_SHOWN
    first = rows[0]
    assert first["file"] == "acme.md" and first["rule"] == "broken-link" and first["severity"] == "error"
    assert "acme-99-legacy-00.md" in str(first["message"])
    assert isinstance(first["line"], int) and first["line"] > 0
    assert [int(str(r["line"])) for r in rows] == sorted(int(str(r["line"])) for r in rows)
    assert evaluation.metadata["count"] == dg.MetadataValue.int(BROKEN)
    assert evaluation.metadata["left_out"] == dg.MetadataValue.int(BROKEN - FINDINGS_SHOWN)
    assert evaluation.description is not None
    assert f"{BROKEN} error(s) in 1 file(s)" in evaluation.description
    assert f"{BROKEN - FINDINGS_SHOWN} more are listed in 00-phase0-validation.md" in evaluation.description
    # A check without findings passes, with an empty table of the same schema.
    clean = _evaluation(instance, validation_key(0), "terminology_matches_glossary", "dash-1")
    assert clean.passed and clean.description == "No findings."

    root = file_key(default_blueprint().phases[0], default_blueprint().root)
    entry = instance.get_latest_materialization_event(root)
    assert entry is not None and entry.asset_materialization is not None
    preview = str(entry.asset_materialization.metadata["preview"].value)
    # The navigation block's links lead to the linked files' asset pages, at this docs run's partition.
    assert "](/assets/phase1/base_index?view=partitions&partition=dash-1)" in preview
    assert "](/assets/phase5/diagrams_index?view=partitions&partition=dash-1)" in preview
    assert "](acme-00-base-index.md)" not in preview
    # A link to a file the blueprint does not plan stays as written (it leads nowhere anyway).
    assert "](acme-99-legacy-00.md)" in preview


def test_a_warning_level_rule_gives_a_warn_check_that_blocks_nothing(docsgen_home: Home) -> None:
    blueprint = parse_blueprint(default_blueprint_text() + "severity:\n  broken-link: warning\n", "warn-blueprint")
    defs, instance = _start(docsgen_home, blueprint, "dash-2")
    assert execute_phase(defs, instance, "dash-2", 0).success

    evaluation = _evaluation(instance, validation_key(0), "links_resolve", "dash-2")
    assert not evaluation.passed and evaluation.severity is dg.AssetCheckSeverity.WARN
    table = evaluation.metadata["findings"]
    assert isinstance(table, dg.TableMetadataValue)
    assert {r.data["severity"] for r in table.records} == {"warning"}
    assert evaluation.metadata["errors"] == dg.MetadataValue.int(0)
    assert evaluation.description is not None and f"{BROKEN} warning(s)" in evaluation.description
    check_spec = defs.resolve_asset_graph().get_check_spec(dg.AssetCheckKey(validation_key(0), "links_resolve"))
    assert "broken-link (warning)" in (check_spec.description or "")
    # The gate passed: the phase can be approved (the approval refuses a failed gate).
    assert approve_phase(defs, instance, "dash-2", 0, approver="batch").success
    assert instance.get_latest_materialization_event(approval_key(0)) is not None
