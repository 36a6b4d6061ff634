"""Targeted regeneration on a real Dagster instance: change one file, pay for one file.

A completed docs run is generated once per module and copied for each test (store + instance).
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from docsgen_pipeline.agents.base import Agent, FileReply, PlanReply, PlanRequest, WriteRequest
from docsgen_pipeline.agents.template.agent import TemplateAgent
from docsgen_pipeline.blueprint import default_blueprint
from docsgen_pipeline.cli.main import main
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
from docsgen_pipeline.dagster_layer.keys import CROSS_VALIDATION_KEY, approval_key, file_key, plan_key, validation_key
from docsgen_pipeline.dagster_layer.partitions import FEEDBACK_TAG, REASON_TAG
from docsgen_pipeline.dagster_layer.resources import AgentResource, ArtifactStoreResource
from docsgen_pipeline.dagster_layer.revalidation import REVALIDATION_SENSOR
from docsgen_pipeline.dagster_layer.staleness import StalenessReader, stale_phases
from docsgen_pipeline.docs_run import APPROVALS, DocsRun, approval_name
from docsgen_pipeline.regeneration import regenerations, resolve_targets
from docsgen_pipeline.registration import register_docs_run
from docsgen_pipeline.store import ArtifactStore
from docsgen_pipeline_tests.conftest import EXAMPLES, Home

RUN = "regen-1"


class CountingAgent:
    """The real template agent, counting calls per file key."""

    name = "template"

    def __init__(self) -> None:
        self._inner = TemplateAgent()
        self._lock = threading.Lock()
        self.writes: list[str] = []
        self.plans: list[int] = []

    def identity(self) -> dict[str, str]:
        return self._inner.identity()

    def plan_phase(self, request: PlanRequest) -> PlanReply:
        with self._lock:
            self.plans.append(request.phase.number)
        return self._inner.plan_phase(request)

    def write_file(self, request: WriteRequest) -> FileReply:
        with self._lock:
            self.writes.append(request.file.key)
        return self._inner.write_file(request)


class CountingAgentResource(AgentResource):
    def build(self, run_agent: dict[str, object] | None = None, budget_ledger: Path | None = None) -> Agent:
        return COUNTER.agent


class _Holder:
    agent = CountingAgent()


COUNTER = _Holder()


def _env(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    monkeypatch.setenv("DOCSGEN_HOME", str(root))
    monkeypatch.setenv("DAGSTER_HOME", str(root / "dagster"))
    monkeypatch.delenv("DOCSGEN_STORE", raising=False)
    monkeypatch.delenv("DOCSGEN_BLUEPRINT", raising=False)


@pytest.fixture(scope="module")
def completed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One completed batch run and one interactive run awaiting nothing but approvals (built once)."""
    homes = {}
    for mode in ("batch", "interactive"):
        root = tmp_path_factory.mktemp(f"completed-{mode}") / "home"
        with pytest.MonkeyPatch.context() as mp:
            _env(mp, root)
            from docsgen_pipeline.cli.instance import prepare_dagster_home

            prepare_dagster_home()
            brief = str(EXAMPLES / "acme-orders.yaml")
            if mode == "batch":
                assert main(["run", brief, "--run-id", RUN]) == 0
            else:
                store = ArtifactStore(root / "artifacts")
                blueprint = default_blueprint()
                register_docs_run(
                    store,
                    brief_text=(EXAMPLES / "acme-orders.yaml").read_text(),
                    brief_format="yaml",
                    brief_source=brief,
                    blueprint=blueprint,
                    run_id=RUN,
                    review_mode="interactive",
                )
                defs = build_definitions(blueprint, store.root)
                instance = dg.DagsterInstance.get()
                ensure_partition(instance, RUN)
                for phase in range(6):
                    assert execute_phase(defs, instance, RUN, phase).success
                    assert approve_phase(defs, instance, RUN, phase, approver="ana").success
                assert execute_final(defs, instance, RUN).success
        homes[mode] = root
    return homes


def _copy(completed: dict[str, Path], mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    root = tmp_path / "home"
    shutil.copytree(completed[mode], root)
    _env(monkeypatch, root)
    return Home(root=root, store=ArtifactStore(root / "artifacts"))


@pytest.fixture
def batch_home(completed: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Home]:
    COUNTER.agent = CountingAgent()
    yield _copy(completed, "batch", tmp_path, monkeypatch)


@pytest.fixture
def interactive_home(completed: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Home]:
    COUNTER.agent = CountingAgent()
    yield _copy(completed, "interactive", tmp_path, monkeypatch)


def _snapshot(store: ArtifactStore) -> dict[str, tuple[int, bytes]]:
    run = DocsRun.load(store, RUN)
    return {name: (r.version, store.read_bytes(RUN, r)) for name, r in run.file_versions().items()}


def _latest_run_id(instance: dg.DagsterInstance, key: dg.AssetKey) -> str:
    result = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=key, asset_partitions=[RUN]), limit=1, ascending=False
    )
    assert result.records, key
    return result.records[0].run_id


def _regenerate(home: Home, files: list[str], phase: int | None = None, feedback: str = "") -> dict[str, object]:
    run = DocsRun.load(home.store, RUN)
    defs = build_definitions(run.blueprint, home.store.root, agent=CountingAgentResource())
    return regenerate_run(
        run,
        resolve_targets(run, files, phase),
        requested_by="test:ana",
        reason="feedback" if feedback else "regenerate",
        feedback=feedback,
        defs=defs,
    )


def test_regenerate_one_file_touches_only_that_file(batch_home: Home) -> None:
    store, instance = batch_home.store, batch_home.instance()
    before = _snapshot(store)
    gate_before = _latest_run_id(instance, validation_key(2))

    summary = _regenerate(batch_home, ["components"], feedback="Say which component owns retries.")

    assert summary["ok"], summary
    agent = COUNTER.agent
    assert agent.writes == ["components"] and agent.plans == []  # one agent call, no re-plan
    after = _snapshot(store)
    name = DocsRun.load(store, RUN).filenames["components"]
    assert after[name][0] == 2 and b"Say which component owns retries." not in after[name][1]  # recorded, not pasted
    assert b"Review round 1" in after[name][1]
    assert {n: v for n, v in after.items() if n != name} == {n: v for n, v in before.items() if n != name}
    # v1 stays beside v2, never overwritten.
    assert store.read_bytes(RUN, store.version(RUN, "files", name, 1)) == before[name][1]

    # The regeneration is recorded: who, why, previous and new version.
    (record,) = regenerations(store, RUN, "components")
    assert (record.requested_by, record.reason, record.previous_version, record.new_version, record.changed) == (
        "test:ana",
        "feedback",
        1,
        2,
        True,
    )
    assert record.feedback == "Say which component owns retries." and record.at

    # The UI metadata shows the version, the history and the diff against v1.
    event = instance.get_latest_materialization_event(file_key(default_blueprint().phases[2], _planned("components")))
    assert event is not None and event.asset_materialization is not None
    metadata = event.asset_materialization.metadata
    assert metadata["version"].value == 2 and metadata["previous_version"].value == 1
    assert "+_Review round 1: regenerated on request." in str(metadata["diff"].value)
    assert "v2 (this, latest)" in str(metadata["history"].value)

    # Gate, batch re-approval and cross-validation ran again, in new Dagster runs.
    regen_run = summary["phases"][0]["dagster_run_id"]  # type: ignore[index]
    assert _latest_run_id(instance, validation_key(2)) == regen_run != gate_before
    approval = store.latest(RUN, APPROVALS, approval_name(2))
    assert approval is not None and '"version": 2' in store.read_text(RUN, approval)
    assert summary["cross_validation"]["passed"]  # type: ignore[index]
    assert _latest_run_id(instance, CROSS_VALIDATION_KEY) not in (regen_run, gate_before)

    # Later phases are flagged stale (phase 3 directly, 4 and 5 behind it) but untouched.
    stale = {s["phase"]: s for s in summary["stale"]}  # type: ignore[union-attr]
    assert set(stale) == {3, 4, 5}
    assert stale[3]["behind_phase"] is None and stale[4]["behind_phase"] == 3
    assert stale[3]["command"] == f"docsgen regenerate {RUN} --phase 3"
    defs = build_definitions(default_blueprint(), store.root)
    assert StalenessReader(instance, defs, RUN).status(plan_key(3)).status == "stale"
    earlier = stale_phases(instance, defs, default_blueprint(), RUN, [0, 1, 2])
    assert not earlier[0].is_stale and not earlier[1].is_stale
    # In its own phase, only files written from the old components page are stale (not rewritten).
    dependents = {f"phase2/{f.key}" for f in default_blueprint().phases[2].files if "components" in f.depends.files}
    assert set(earlier[2].files) == dependents


def _planned(key: str):  # type: ignore[no-untyped-def]
    return default_blueprint().files_by_key[key]


def test_regenerating_again_keeps_earlier_feedback(batch_home: Home) -> None:
    _regenerate(batch_home, ["components"], feedback="Say which component owns retries.")
    summary = _regenerate(batch_home, ["components"])
    # The earlier note is still given to the writer, so the text is unchanged: no new version, not a change.
    (record,) = summary["phases"][0]["files"]  # type: ignore[index]
    assert (record["previous_version"], record["new_version"], record["changed"]) == (2, 2, False)
    assert summary["stale"] == [] or all(s["phase"] >= 3 for s in summary["stale"])  # type: ignore[union-attr]


def test_phase_target_rewrites_every_file_of_the_phase_and_nothing_else(batch_home: Home) -> None:
    store, instance = batch_home.store, batch_home.instance()
    before = _snapshot(store)
    summary = _regenerate(batch_home, [], phase=1)
    assert summary["ok"], summary
    agent = COUNTER.agent
    phase1 = [f.key for f in default_blueprint().phases[1].files]
    assert sorted(agent.writes) == sorted(phase1) and agent.plans == [1]
    # The template agent is deterministic: identical texts are the same versions, so nothing changed
    # and nothing downstream is stale (content hashes are the data versions).
    assert _snapshot(store) == before
    assert all(not r["changed"] for r in summary["phases"][0]["files"])  # type: ignore[index]
    assert summary["stale"] == []
    assert _latest_run_id(instance, plan_key(1)) == summary["phases"][0]["dagster_run_id"]  # type: ignore[index]


def test_interactive_regeneration_invalidates_the_approval(interactive_home: Home) -> None:
    from docsgen_pipeline.dagster_layer.facts import collect
    from docsgen_pipeline.lifecycle import Status, derive

    store, instance = interactive_home.store, interactive_home.instance()
    summary = _regenerate(interactive_home, ["terminology"], feedback="Add the spelling of SKU.")
    assert summary["ok"], summary
    approval = store.latest(RUN, APPROVALS, approval_name(1))
    assert approval is not None and "ana" in store.read_text(RUN, approval)  # the old approval is kept, not rewritten
    state = derive(collect(instance, store, RUN))
    assert (state.status, state.phase) == (Status.AWAITING_APPROVAL, 1)
    assert "docsgen approve" in summary["phases"][0]["approval"]  # type: ignore[index]
    assert _latest_run_id(instance, approval_key(1)) != summary["phases"][0]["dagster_run_id"]  # type: ignore[index]


def test_ui_selection_regenerates_then_the_sensor_revalidates(batch_home: Home) -> None:
    store, instance = batch_home.store, batch_home.instance()
    blueprint = default_blueprint()
    defs = build_definitions(blueprint, store.root, agent=CountingAgentResource())
    before = _snapshot(store)
    # What "select phase1/terminology, partition regen-1, Materialize" launches: only that asset.
    asset = file_key(blueprint.phases[1], _planned("terminology"))
    outcome = execute(defs, instance, BATCH_JOB, RUN, {FEEDBACK_TAG: "Spell SKU in capitals."}, asset_selection=[asset])
    assert outcome.success, outcome.failure
    assert COUNTER.agent.writes == ["terminology"]
    (record,) = regenerations(store, RUN, "terminology")
    assert (record.requested_by, record.reason, record.new_version) == ("dagster-ui", "feedback", 2)
    name = DocsRun.load(store, RUN).filenames["terminology"]
    assert {n: v for n, v in _snapshot(store).items() if n != name} == {n: v for n, v in before.items() if n != name}

    sensor = defs.get_sensor_def(REVALIDATION_SENSOR)
    context = dg.build_sensor_context(
        instance=instance, resources={"store": ArtifactStoreResource(root=str(store.root))}
    )
    result = sensor(context)
    assert isinstance(result, dg.SensorResult) and result.run_requests
    (request,) = result.run_requests
    assert request.asset_selection == [validation_key(1), approval_key(1), CROSS_VALIDATION_KEY]
    assert request.partition_key == RUN and request.tags[REASON_TAG] == "revalidate"

    revalidated = execute(defs, instance, BATCH_JOB, RUN, request.tags, asset_selection=request.asset_selection)
    assert revalidated.success, revalidated.failure
    approval = store.latest(RUN, APPROVALS, approval_name(1))
    assert approval is not None and '"version": 2' in store.read_text(RUN, approval)
    assert COUNTER.agent.writes == ["terminology"]  # revalidation calls no agent
    again = sensor(
        dg.build_sensor_context(instance=instance, resources={"store": ArtifactStoreResource(root=str(store.root))})
    )
    assert isinstance(again, dg.SensorResult) and not again.run_requests
