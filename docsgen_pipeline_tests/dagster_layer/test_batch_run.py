"""End to end: a whole batch docs run materialized on a real (temporary) Dagster instance."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import dagster as dg
import pytest

from docsgen_pipeline.blueprint import default_blueprint
from docsgen_pipeline.cli.main import main
from docsgen_pipeline.dagster_layer.keys import BUNDLE_KEY, approval_key, plan_key, validation_key
from docsgen_pipeline.docs_run import DocsRun
from docsgen_pipeline_tests.conftest import EXAMPLES, Home


def _bundle_path(capsys: pytest.CaptureFixture[str]) -> Path:
    out = capsys.readouterr().out.strip().splitlines()
    return Path(out[-1])


@pytest.mark.parametrize("brief", ["acme-orders.yaml", "field-notes.md"])
def test_cli_batch_run_produces_validated_bundle(
    docsgen_home: Home, capsys: pytest.CaptureFixture[str], brief: str
) -> None:
    assert main(["run", str(EXAMPLES / brief), "--run-id", "demo-1"]) == 0
    bundle = _bundle_path(capsys)
    manifest = json.loads((bundle / "manifest.json").read_text())
    blueprint = default_blueprint()
    assert len(manifest["files"]) == len(blueprint.all_files()) >= 20
    for entry in manifest["files"]:
        data = (bundle / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert entry["version"] == 1
        assert entry["generator"]["agent"] == "template"
    assert [a["approver"] for a in manifest["approvals"]] == ["batch"] * 6
    final_report = (bundle / "reports" / "final-validation.md").read_text()
    assert "**PASS**" in final_report
    for phase in range(6):
        assert (bundle / "reports" / f"{phase:02d}-phase{phase}-validation.md").is_file()

    # Every planned file, gate and approval is a materialized partition of the persistent instance.
    instance = docsgen_home.instance()
    for key in [plan_key(0), validation_key(5), approval_key(5), BUNDLE_KEY, dg.AssetKey(["phase2", "components"])]:
        assert instance.get_latest_materialization_event(key) is not None, key


def test_same_brief_gives_byte_identical_doc_set(docsgen_home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(EXAMPLES / "acme-orders.yaml"), "--run-id", "a-1"]) == 0
    first = _bundle_path(capsys)
    assert main(["run", str(EXAMPLES / "acme-orders.yaml"), "--run-id", "a-2"]) == 0
    second = _bundle_path(capsys)
    names = sorted(p.name for p in first.glob("*.md"))
    assert names == sorted(p.name for p in second.glob("*.md"))
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name

    # Files link each other and end with the orchestrator's navigation block.
    corpus = DocsRun.load(docsgen_home.store, "a-1").corpus()
    for name, text in corpus.items():
        tail = text.rsplit("\n---\n", 1)[-1]
        assert "[← Acme Orders](acme.md)" in tail, name
        assert "(acme-12-arch-index.md)" in tail, name
    assert "](acme-03-canonical-schemas.md#order)" in corpus["acme-15-data-model.md"]


def test_default_run_id_counts_up(docsgen_home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    # Interactive review stops after phase 0: enough to see the ids without two whole runs.
    assert main(["run", str(EXAMPLES / "acme-orders.yaml"), "--review", "interactive"]) == 0
    assert main(["run", str(EXAMPLES / "acme-orders.yaml"), "--review", "interactive"]) == 0
    assert docsgen_home.store.run_ids() == ["acme-1", "acme-2"]
