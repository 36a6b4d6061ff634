"""Regeneration decisions (what to write, what to reuse), records, targets and the blueprint pin (no Dagster)."""

from __future__ import annotations

import pytest

from docsgen_pipeline.blueprint import Blueprint, default_blueprint, parse_blueprint
from docsgen_pipeline.docs_run import FILES, PLANS, DocsRun, plan_name
from docsgen_pipeline.errors import PlanError
from docsgen_pipeline.regeneration import (
    PARENT_RUN_TAG,
    ROOT_RUN_TAG,
    Mode,
    RegenerationRecord,
    WriteContext,
    check_blueprint_pin,
    decide_writes,
    is_resume,
    record_regeneration,
    regenerations,
    resolve_targets,
)
from docsgen_pipeline.store import ArtifactStore, VersionRecord
from docsgen_pipeline_tests.conftest import register_example

TAGS = ("docsgen/requested_by", "docsgen/reason", "docsgen/feedback")


def _context(tags: dict[str, str], run_id: str = "r-now") -> WriteContext:
    return WriteContext.from_tags(tags, run_id, *TAGS)


def _record(version: int, **meta: object) -> VersionRecord:
    return VersionRecord(
        category=FILES, name="f.md", version=version, sha256="0" * 64, size=1, path="x", created_at="t", meta=meta
    )


def test_modes_from_tags() -> None:
    explicit = _context({})
    assert explicit.mode is Mode.EXPLICIT and explicit.requested_by == "dagster-ui" and explicit.root_run_id == "r-now"
    cli = _context({"docsgen/requested_by": "cli:ana", "docsgen/reason": "feedback", "docsgen/feedback": " more "})
    assert (cli.mode, cli.requested_by, cli.feedback) == (Mode.EXPLICIT, "cli:ana", "more")
    assert _context({"docsgen/reason": "resume"}).mode is Mode.RESUME
    reexecuted = {PARENT_RUN_TAG: "r-old", ROOT_RUN_TAG: "r-root"}
    assert _context(reexecuted).mode is Mode.RESUME
    regen = _context({**reexecuted, "docsgen/reason": "regenerate"})
    assert regen.mode is Mode.REEXECUTED_REGENERATION and regen.root_run_id == "r-root"
    assert _context({"dagster/sensor_name": "inbox"}).requested_by == "sensor:inbox"
    assert _context({"docsgen/in_process": "docsgen-cli"}).requested_by == "docsgen-cli"
    assert is_resume({"docsgen/reason": "resume"}, "docsgen/reason") and is_resume(reexecuted, "docsgen/reason")
    assert not is_resume({"docsgen/reason": "regenerate"}, "docsgen/reason")


def test_reasons_recorded() -> None:
    assert _context({}).reason_for(None) == "generate"
    assert _context({}).reason_for(_record(1)) == "regenerate"
    assert _context({"docsgen/feedback": "x"}).reason_for(_record(1)) == "feedback"
    assert _context({"docsgen/reason": "typo in table"}).reason_for(_record(1)) == "typo in table"
    assert _context({"docsgen/reason": "resume"}).reason_for(_record(1)) == "replan"


def test_explicit_requests_write_every_selected_file() -> None:
    latest = {"a": _record(1, plan_version=1), "b": None}
    plan = decide_writes(["a", "b"], latest, _context({}), plan_version=1)
    assert plan.write == ("a", "b") and plan.reuse == {}


def test_resume_reuses_files_written_for_the_current_plan_only() -> None:
    latest = {
        "a": _record(1, plan_version=1),
        "b": None,
        "c": _record(2, plan_version=1),
        "d": _record(1, plan_version=2),
    }
    plan = decide_writes(["a", "b", "c", "d"], latest, _context({"docsgen/reason": "resume"}), plan_version=2)
    assert plan.write == ("a", "b", "c") and list(plan.reuse) == ["d"]


def test_reexecuted_regeneration_reuses_only_what_its_run_family_rewrote() -> None:
    tags = {PARENT_RUN_TAG: "r-1", ROOT_RUN_TAG: "r-1", "docsgen/reason": "regenerate"}
    latest = {"a": _record(2, root_run_id="r-1"), "b": _record(1, root_run_id="r-0")}
    plan = decide_writes(["a", "b"], latest, _context(tags), plan_version=1)
    assert plan.write == ("b",) and list(plan.reuse) == ["a"]


@pytest.fixture
def run(tmp_path: object) -> DocsRun:
    store = ArtifactStore(str(tmp_path))
    register_example(store, "g-1")
    return DocsRun.load(store, "g-1")


def test_records_append_and_filter(run: DocsRun) -> None:
    base = {"docs_run": "g-1", "phase": 2, "file": "x.md", "requested_by": "ana", "reason": "feedback"}
    record_regeneration(
        run.store,
        RegenerationRecord(key="a", previous_version=1, new_version=2, changed=True, dagster_run_id="d1", **base),
    )  # type: ignore[arg-type]
    record_regeneration(
        run.store,
        RegenerationRecord(key="b", previous_version=3, new_version=3, changed=False, dagster_run_id="d2", **base),
    )  # type: ignore[arg-type]
    assert [r.key for r in regenerations(run.store, "g-1")] == ["a", "b"]
    (only,) = regenerations(run.store, "g-1", "b")
    assert only.at and not only.changed


def test_targets_must_be_planned_and_generated(run: DocsRun) -> None:
    with pytest.raises(PlanError, match="not both"):
        resolve_targets(run, ["components"], 2)
    with pytest.raises(PlanError, match="not a planned file"):
        resolve_targets(run, ["changelog"], None)
    with pytest.raises(PlanError, match="has not been generated yet"):
        resolve_targets(run, ["components"], None)
    with pytest.raises(PlanError, match="phase 2 of docs run 'g-1' has not been generated yet"):
        resolve_targets(run, [], 2)
    with pytest.raises(PlanError, match=r"phase 9 does not exist; phases are 0..5"):
        resolve_targets(run, [], 9)
    for key in ("components", "system_context", "terminology"):
        run.store.put("g-1", FILES, run.filenames[key], f"# {key}\n")
    run.store.put("g-1", PLANS, plan_name(2), "{}")
    targets = resolve_targets(run, ["components", "terminology", run.filenames["system_context"], "components"], None)
    assert [(t.phase, t.keys, t.whole_phase) for t in targets] == [
        (1, ("terminology",), False),
        (2, ("system_context", "components"), False),
    ]
    (whole,) = resolve_targets(run, [], 2)
    assert whole.whole_phase and whole.keys == tuple(f.key for f in run.phase(2).files)


def _changed_blueprint() -> Blueprint:
    data = default_blueprint().model_dump(mode="json")
    data["version"] = 2
    data["phases"][2]["files"].append(
        {"key": "changelog", "number": 19, "name": "changelog", "title": "Changelog", "intent": "What changed."}
    )
    data["phases"][5]["files"] = data["phases"][5]["files"][:-1]
    return Blueprint.model_validate(data)


def test_blueprint_pin(run: DocsRun) -> None:
    check_blueprint_pin(run, default_blueprint())  # the pinned blueprint passes
    with pytest.raises(PlanError) as err:
        check_blueprint_pin(run, _changed_blueprint())
    message = str(err.value)
    assert "pinned to blueprint 'design-docs' v1" in message and "'design-docs' v2 adds changelog; drops" in message
    assert "register a new docs run with the new blueprint version" in message
    same_files = parse_blueprint(default_blueprint().to_yaml().replace("version: 1", "version: 3", 1), "x")
    with pytest.raises(PlanError, match="changes planned files"):
        check_blueprint_pin(run, same_files)
