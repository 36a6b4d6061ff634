"""Crash safety of the filesystem store: torn, orphaned and corrupt files never block a later write.

Reproduces issue 11 cases 2 and 5 (a 0-byte read-only ``v1.md`` with no index entry after a
Ctrl-C; a corrupt latest version that a regeneration reported "unchanged") and kills a real
writer process with SIGKILL in the middle of its writes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from docsgen_pipeline.errors import StoreError
from docsgen_pipeline.store import ArtifactStore, RunRegistration, sha256_hex
from docsgen_pipeline.verify import verify_run


def _store(root: Path) -> ArtifactStore:
    store = ArtifactStore(root)
    registration = RunRegistration(
        run_id="acme-1",
        project="Acme",
        slug="acme",
        brief_file="brief.yaml",
        brief_sha256=sha256_hex(b"name: Acme\n"),
        blueprint_name="design-docs",
        blueprint_version=1,
        blueprint_sha256="c" * 64,
    )
    store.register_run(registration, "name: Acme\n", "name: design-docs\n")
    return store


def _orphan(store: ArtifactStore, name: str = "acme.md", version: int = 1, data: bytes = b"") -> Path:
    """What an interrupted non-atomic write left: the version file, read-only, and no index line."""
    path = store.run_dir("acme-1") / "files" / name / f"v{version}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(0o444)
    return path


def test_orphaned_empty_version_is_quarantined_on_the_next_write(tmp_path: Path) -> None:
    store = _store(tmp_path)
    orphan = _orphan(store)
    assert store.latest("acme-1", "files", "acme.md") is None  # no index entry: not generated
    record, created = store.put("acme-1", "files", "acme.md", "# One\n")
    assert created and record.version == 1
    assert store.read_text("acme-1", record) == "# One\n"
    kept = list((orphan.parent / ".quarantine").glob("v1.md.*"))
    assert len(kept) == 1 and kept[0].read_bytes() == b""  # moved aside, never deleted
    assert verify_run(store, "acme-1") == []


def test_torn_index_line_is_ignored_then_repaired(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.put("acme-1", "files", "acme.md", "# One\n")
    index = store.run_dir("acme-1") / "files" / "acme.md" / "versions.jsonl"
    with open(index, "ab") as handle:
        handle.write(b'{"category": "files", "name": "acme.md", "vers')  # killed mid-append
    assert [r.version for r in store.history("acme-1", "files", "acme.md")] == [1]
    problems = verify_run(store, "acme-1")
    assert any("torn last line" in f.problem for f in problems)
    second, created = store.put("acme-1", "files", "acme.md", "# Two\n")
    assert created and second.version == 2
    assert [r.version for r in store.history("acme-1", "files", "acme.md")] == [1, 2]
    assert verify_run(store, "acme-1") == []


def test_corrupt_latest_version_gets_a_fresh_version_instead_of_unchanged(tmp_path: Path) -> None:
    store = _store(tmp_path)
    first, _ = store.put("acme-1", "files", "acme.md", "# One\n")
    path = store.run_dir("acme-1") / first.path
    path.chmod(0o644)
    path.write_text("# garbage\n")
    with pytest.raises(StoreError, match=r"does not match .*docsgen verify acme-1 --repair"):
        store.read_text("acme-1", first)
    again, created = store.put("acme-1", "files", "acme.md", "# One\n")  # the same text, regenerated
    assert created and again.version == 2
    assert store.read_text("acme-1", again) == "# One\n"
    assert store.latest("acme-1", "files", "acme.md") == again
    assert store.quarantined("acme-1", "files", "acme.md")[1].startswith("content does not match")


def test_verify_reports_and_repair_quarantines_so_the_file_reads_as_missing(tmp_path: Path) -> None:
    store = _store(tmp_path)
    record, _ = store.put("acme-1", "files", "acme.md", "# One\n")
    (store.run_dir("acme-1") / record.path).unlink()
    _orphan(store, "other.md", 1, b"# half")
    found = {(f.where, f.problem) for f in verify_run(store, "acme-1")}
    assert ("files/acme.md", "v1: file is missing") in found
    assert ("files/other.md", "v1.md: orphaned version file (no index entry)") in found
    repaired = verify_run(store, "acme-1", repair=True)
    assert repaired and all(f.repaired for f in repaired)
    assert store.latest("acme-1", "files", "acme.md") is None  # a resume writes it again
    assert verify_run(store, "acme-1") == []
    fresh, created = store.put("acme-1", "files", "acme.md", "# One\n")
    assert created and fresh.version == 2


def test_bundle_is_checked_against_its_manifest(tmp_path: Path) -> None:
    store = _store(tmp_path)
    from docsgen_pipeline.store import sha256_hex

    manifest = b'{"files": [{"file": "a.md", "sha256": "%s"}], "reports": []}' % sha256_hex(b"# A\n").encode()
    target, version = store.write_tree("acme-1", "bundles", {"a.md": b"# A\n", "manifest.json": manifest})
    assert version == 1 and not list(target.parent.glob(".v*"))  # staged folder renamed whole
    assert verify_run(store, "acme-1") == []
    (target / "a.md").chmod(0o644)
    (target / "a.md").write_text("# tampered\n")
    assert [f.problem for f in verify_run(store, "acme-1")] == ["a.md: sha256 differs from the manifest"]
    verify_run(store, "acme-1", repair=True)
    assert verify_run(store, "acme-1") == []
    second, next_version = store.write_tree("acme-1", "bundles", {"manifest.json": b'{"files": []}'})
    assert next_version == 2  # a quarantined bundle's number is never reused
    (second / "stray.md").write_text("# not in the manifest\n")  # the same check as publishing
    assert [f.problem for f in verify_run(store, "acme-1")] == ["stray.md: in the bundle but not in the manifest"]


_WRITER = """
import sys
from docsgen_pipeline.store import ArtifactStore
store = ArtifactStore(sys.argv[1])
print("ready", flush=True)
i = 0
while True:
    i += 1
    store.put("acme-1", "files", f"f{i % 3}.md", (f"# version {i}\\n" * 200_000).encode())
"""


@pytest.mark.parametrize("delay", [0.3, 0.6, 0.9])
def test_sigkill_during_store_writes_never_blocks_the_next_write(tmp_path: Path, delay: float) -> None:
    """A real writer process killed with SIGKILL in the middle of 4 MB version writes."""
    _store(tmp_path)
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    store = _store(tmp_path)
    verify_run(store, "acme-1", repair=True)  # whatever the kill left is set aside
    assert verify_run(store, "acme-1") == []
    for name in ("f0.md", "f1.md", "f2.md"):
        record, _ = store.put("acme-1", "files", name, "# after the crash\n")
        assert store.read_text("acme-1", record) == "# after the crash\n"
        for version in store.history("acme-1", "files", name):
            assert store.check_version("acme-1", version) is None  # no torn file is ever indexed
