"""The artifact store never overwrites: versions sit beside each other, identical content dedupes."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from docsgen_pipeline.errors import RunIdError, StoreError, UnknownRunError
from docsgen_pipeline.store import ArtifactStore, RunRegistration, sha256_hex, validate_run_id


def _registration(run_id: str = "acme-1", brief_sha: str = "b" * 64) -> RunRegistration:
    return RunRegistration(
        run_id=run_id,
        project="Acme",
        slug="acme",
        brief_file="brief.yaml",
        brief_sha256=brief_sha,
        blueprint_name="design-docs",
        blueprint_version=1,
        blueprint_sha256="c" * 64,
    )


def test_versions_are_written_beside_each_other(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    first, created = store.put("acme-1", "files", "acme.md", "# One\n", {"reason": "generate"})
    assert created and first.version == 1
    again, created = store.put("acme-1", "files", "acme.md", "# One\n")
    assert not created and again == first
    second, created = store.put("acme-1", "files", "acme.md", "# Two\n")
    assert created and second.version == 2
    assert store.read_text("acme-1", first) == "# One\n"
    assert store.read_text("acme-1", second) == "# Two\n"
    assert [r.version for r in store.history("acme-1", "files", "acme.md")] == [1, 2]
    assert store.latest("acme-1", "files", "acme.md") == second
    assert first.sha256 == sha256_hex(b"# One\n")
    assert first.meta == {"reason": "generate"}
    # Written files are read-only on disk: the store's promise is visible to other tools too.
    assert not os.access(store.run_dir("acme-1") / first.path, os.W_OK) or os.geteuid() == 0


def test_tampered_artifact_is_detected(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    record, _ = store.put("acme-1", "files", "acme.md", "# One\n")
    path = store.run_dir("acme-1") / record.path
    path.chmod(0o644)
    path.write_text("# Changed behind our back\n")
    with pytest.raises(StoreError, match="does not match its recorded sha256"):
        store.read_text("acme-1", record)


def test_concurrent_writers_get_distinct_versions(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)

    def write(i: int) -> None:
        store.put("acme-1", "files", "acme.md", f"# Version {i}\n")

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    history = store.history("acme-1", "files", "acme.md")
    assert [r.version for r in history] == list(range(1, 9))
    assert len({r.sha256 for r in history}) == 8


def test_registration_is_write_once(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    store.register_run(_registration(), "name: Acme\n", "name: bp\n")
    assert store.register_run(_registration(), "name: Acme\n", "name: bp\n").run_id == "acme-1"
    with pytest.raises(StoreError, match="already registered with a different brief"):
        store.register_run(_registration(brief_sha="d" * 64), "name: Other\n", "name: bp\n")
    assert store.read_run_file("acme-1", "brief.yaml") == "name: Acme\n"
    with pytest.raises(UnknownRunError, match="not registered"):
        store.registration("other-1")


def test_bundle_trees_are_new_versions(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    path1, v1 = store.write_tree("acme-1", "bundles", {"a.md": b"a", "reports/r.md": b"r"})
    path2, v2 = store.write_tree("acme-1", "bundles", {"a.md": b"b"})
    assert (v1, v2) == (1, 2)
    assert (path1 / "a.md").read_bytes() == b"a" and (path2 / "a.md").read_bytes() == b"b"
    with pytest.raises(StoreError):
        store.write_tree("acme-1", "bundles", {"../escape.md": b"x"})


@pytest.mark.parametrize("bad", ["", "Acme", "a b", "a/b", "-lead", "x" * 64, "ünï"])
def test_run_ids_are_validated(bad: str) -> None:
    with pytest.raises(RunIdError, match="invalid run id"):
        validate_run_id(bad)


@pytest.mark.parametrize("name", ["../x.md", "a/b.md", ".hidden"])
def test_artifact_names_cannot_escape(tmp_path: Path, name: str) -> None:
    with pytest.raises(StoreError, match="invalid artifact name"):
        ArtifactStore(tmp_path).put("acme-1", "files", name, "x")
