"""Starting a docs run from the Dagster UI alone: add a partition, paste the brief, materialize all."""

from __future__ import annotations

from docsgen_pipeline.blueprint import default_blueprint
from docsgen_pipeline.dagster_layer.definitions import build_definitions
from docsgen_pipeline.dagster_layer.execute import ensure_partition, execute
from docsgen_pipeline.dagster_layer.jobs import BATCH_JOB
from docsgen_pipeline.dagster_layer.keys import BUNDLE_KEY, plan_key
from docsgen_pipeline_tests.conftest import EXAMPLES, Home


def _brief_config(**config: str) -> dict[str, object]:
    return {"ops": {"docs_run__brief": {"config": config}}}


def test_materialize_all_with_pasted_brief(docsgen_home: Home) -> None:
    instance = docsgen_home.instance()
    defs = build_definitions(default_blueprint(), docsgen_home.store.root)
    ensure_partition(instance, "ui-1")
    brief_text = (EXAMPLES / "field-notes.md").read_text()
    outcome = execute(defs, instance, BATCH_JOB, "ui-1", run_config=_brief_config(brief_text=brief_text))
    assert outcome.success, outcome.failure
    registration = docsgen_home.store.registration("ui-1")
    assert registration.created_by == "ui" and registration.slug == "field-notes"
    bundle = instance.get_latest_materialization_event(BUNDLE_KEY)
    assert bundle is not None and bundle.dagster_event is not None
    assert bundle.dagster_event.partition == "ui-1"


def test_brief_path_in_launchpad(docsgen_home: Home) -> None:
    instance = docsgen_home.instance()
    defs = build_definitions(default_blueprint(), docsgen_home.store.root)
    ensure_partition(instance, "ui-2")
    config = _brief_config(brief_path=str(EXAMPLES / "acme-orders.yaml"))
    outcome = execute(defs, instance, BATCH_JOB, "ui-2", run_config=config)
    assert outcome.success, outcome.failure
    assert docsgen_home.store.registration("ui-2").project == "Acme Orders"


def test_missing_brief_fails_with_instructions_and_writes_nothing(docsgen_home: Home) -> None:
    instance = docsgen_home.instance()
    defs = build_definitions(default_blueprint(), docsgen_home.store.root)
    ensure_partition(instance, "ui-3")
    outcome = execute(defs, instance, BATCH_JOB, "ui-3")
    assert not outcome.success
    assert "has no brief yet" in outcome.failure and "brief_text" in outcome.failure
    assert not docsgen_home.store.has_run("ui-3")
    assert instance.get_latest_materialization_event(plan_key(0)) is None


def test_invalid_pasted_brief_names_the_field(docsgen_home: Home) -> None:
    instance = docsgen_home.instance()
    defs = build_definitions(default_blueprint(), docsgen_home.store.root)
    ensure_partition(instance, "ui-4")
    outcome = execute(
        defs, instance, BATCH_JOB, "ui-4", run_config=_brief_config(brief_text="name: X\nsummary: A shop.\ngoals: 7\n")
    )
    assert not outcome.success
    assert "field 'goals'" in outcome.failure
    assert not docsgen_home.store.has_run("ui-4")
