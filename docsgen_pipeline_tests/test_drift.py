"""Drift: a finished bundle re-validated with today's rules, compared with what was recorded, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

from docsgen_pipeline.blueprint import default_blueprint
from docsgen_pipeline.drift import check_bundle, check_store
from docsgen_pipeline.registration import register_docs_run
from docsgen_pipeline.store import ArtifactStore, sha256_hex
from docsgen_pipeline_tests.conftest import EXAMPLES

ROOT_FILE = "# Acme Orders\n\nThe AcmeOrders service takes orders and places a stock lock on each line.\n"


def _register(store: ArtifactStore, run_id: str) -> None:
    text = (EXAMPLES / "acme-orders.yaml").read_text()
    register_docs_run(
        store, brief_text=text, brief_format="yaml", brief_source="acme", blueprint=default_blueprint(), run_id=run_id
    )


def _bundle(store: ArtifactStore, run_id: str, files: dict[str, str], recorded: list[dict[str, object]] | None) -> Path:
    entries = [{"file": name, "sha256": sha256_hex(text.encode())} for name, text in files.items()]
    tree = {name: text.encode() for name, text in files.items()}
    tree["manifest.json"] = json.dumps({"docs_run": run_id, "files": entries}).encode()
    if recorded is not None:
        tree["reports/final-issues.json"] = json.dumps(recorded).encode()
    path, _ = store.write_tree(run_id, "bundles", tree)
    return path


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


def test_new_findings_are_drift_and_recorded_ones_are_not(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path / "artifacts")
    _register(store, "d-1")
    assert check_bundle(store, "d-1") is None  # no bundle yet: not Complete, nothing to check
    _bundle(store, "d-1", {"acme.md": ROOT_FILE}, recorded=[])
    before = _tree(store.root)
    drift = check_bundle(store, "d-1")
    assert drift is not None and drift.drifted and not drift.passes_now
    rules = {i.rule for i in drift.new_issues}
    found = " ".join(i.message for i in drift.new_issues)
    assert "AcmeOrders" in found and "stock lock" in found, rules  # the brief's glossary, applied today
    assert "drifted" in drift.summary() and "now FAILS" in drift.summary()
    assert _tree(store.root) == before  # re-validation writes nothing

    # A later bundle whose recorded findings are exactly today's has not drifted.
    recorded = [i.model_dump(mode="json") for i in drift.issues_now]
    _bundle(store, "d-1", {"acme.md": ROOT_FILE}, recorded=recorded)
    latest = check_bundle(store, "d-1")
    assert latest is not None and latest.bundle_version == 2
    assert not latest.drifted and latest.resolved_issues == ()
    assert "still validates as it did" in latest.summary()


def test_a_damaged_bundle_is_reported_not_raised(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path / "artifacts")
    _register(store, "good-1")
    _register(store, "broken-1")
    _register(store, "running-1")
    _bundle(store, "good-1", {"acme.md": ROOT_FILE}, recorded=None)
    path = _bundle(store, "broken-1", {"acme.md": ROOT_FILE}, recorded=None)
    (path / "acme.md").chmod(0o644)
    (path / "acme.md").unlink()
    results, failures = check_store(store)
    assert [r.run_id for r in results] == ["good-1"]
    assert [f.run_id for f in failures] == ["broken-1"]
    assert "manifest lists acme.md" in failures[0].reason
