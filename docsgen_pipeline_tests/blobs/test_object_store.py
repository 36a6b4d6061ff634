"""The object-store backend against real servers on 127.0.0.1: S3 (moto_server) and Azure Blob (Azurite).

Write-once through conditional puts, sha256 checked on every read, quarantine instead of
deletion, records instead of appends, and two "machines" (two working folders) sharing one bucket.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import obstore
import pytest
from obstore.store import from_url

from docsgen_pipeline.agents.metering import Budget
from docsgen_pipeline.blobs.object_store import ObjectBlobs
from docsgen_pipeline.errors import BudgetExceededError, ConfigError, StoreError
from docsgen_pipeline.store import ArtifactStore, EventLedger, RunRegistration, sha256_hex
from docsgen_pipeline.verify import verify_run
from docsgen_pipeline_tests.support.object_store import ObjectServer, object_env, object_server
from docsgen_pipeline_tests.support.processes import free_port

__all__ = ["object_env", "object_server"]  # fixtures

BRIEF = "name: Acme\n"


def _registration(run_id: str = "acme-1", brief: str = BRIEF) -> RunRegistration:
    return RunRegistration(
        run_id=run_id,
        project="Acme",
        slug="acme",
        brief_file="brief.yaml",
        brief_sha256=sha256_hex(brief.encode()),
        blueprint_name="design-docs",
        blueprint_version=1,
        blueprint_sha256="c" * 64,
    )


@pytest.fixture
def url(object_env: ObjectServer) -> str:
    return object_env.store_url("team/docs")


def _machine(url: str, tmp_path: Path, name: str) -> ArtifactStore:
    return ArtifactStore(url, local_root=tmp_path / name)


def _raw(url: str) -> obstore.store.ObjectStore:
    """The bucket as seen without DocsGen, to tamper with it the way a person or a bug would."""
    return from_url(url, client_options={"allow_http": True})


def test_versions_are_shared_write_once_and_checked_on_read(url: str, tmp_path: Path) -> None:
    one, two = _machine(url, tmp_path, "one"), _machine(url, tmp_path, "two")
    one.register_run(_registration(), BRIEF, "name: design-docs\n")
    assert two.run_ids() == ["acme-1"] and two.registration("acme-1").project == "Acme"
    first, created = one.put("acme-1", "files", "acme.md", "# One\n", meta={"by": "one"})
    assert created and first.version == 1
    same, created = two.put("acme-1", "files", "acme.md", "# One\n")  # unchanged on the other machine
    assert not created and same == first
    second, created = two.put("acme-1", "files", "acme.md", "# Two\n")
    assert created and second.version == 2
    assert [r.version for r in one.history("acme-1", "files", "acme.md")] == [1, 2]
    assert one.read_text("acme-1", second) == "# Two\n"
    assert one.names("acme-1", "files") == ["acme.md"]
    assert one.artifacts("acme-1") == [("files", "acme.md")]
    assert verify_run(two, "acme-1") == []

    # Write once: the server refuses a second object at a version's key (If-None-Match), whoever sends it.
    blobs = ObjectBlobs(url)
    assert blobs.put_if_absent(f"runs/acme-1/{first.path}", b"# Forged\n") is False
    assert two.read_text("acme-1", first) == "# One\n"
    with pytest.raises(StoreError, match="already registered with a different brief"):
        two.register_run(_registration(brief="name: Other\n"), "name: Other\n", "name: design-docs\n")
    assert blobs.add_record("runs/acme-1/files/acme.md/versions.jsonl", "00000001", second.model_dump_json()) is False
    assert [r.sha256 for r in two.history("acme-1", "files", "acme.md")] == [first.sha256, second.sha256]
    assert re.fullmatch(r"files/acme\.md/v1\.[0-9a-f]{12}\.md", first.path)  # each writer its own object
    assert one.where("acme-1", first) == f"{url}/runs/acme-1/{first.path}"


def test_writers_on_two_machines_never_overwrite_each_other(url: str, tmp_path: Path) -> None:
    """Two working folders (no shared file lock) racing on one artifact: every version is kept, in order."""
    machines = [_machine(url, tmp_path, "one"), _machine(url, tmp_path, "two")]
    machines[0].register_run(_registration(), BRIEF, "name: design-docs\n")
    errors: list[BaseException] = []

    def write(index: int) -> None:
        try:
            for round_ in range(6):
                machines[index].put("acme-1", "files", "race.md", f"# machine {index} round {round_}\n")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    history = machines[1].history("acme-1", "files", "race.md")
    assert [r.version for r in history] == list(range(1, len(history) + 1)) and len(history) >= 7
    texts = {machines[0].read_text("acme-1", r) for r in history}
    assert texts == {f"# machine {i} round {r}\n" for i in (0, 1) for r in range(6)}  # nothing lost
    assert verify_run(machines[0], "acme-1") == []


def test_a_tampered_object_is_refused_then_quarantined(url: str, tmp_path: Path) -> None:
    store = _machine(url, tmp_path, "one")
    store.register_run(_registration(), BRIEF, "name: design-docs\n")
    record, _ = store.put("acme-1", "files", "acme.md", "# One\n")
    key = f"team/docs/runs/acme-1/{record.path}"
    bucket_url = url.split("/team/")[0]
    obstore.put(_raw(bucket_url), key, b"# garbage\n")  # an unconditional overwrite behind the store's back
    with pytest.raises(StoreError, match=r"does not match its recorded sha256.*docsgen verify acme-1 --repair"):
        store.read_text("acme-1", record)
    found = verify_run(store, "acme-1", repair=True)
    assert [(f.where, f.problem, f.repaired) for f in found] == [
        ("files/acme.md", "v1: content does not match its recorded sha256 (10 bytes, 6 recorded)", True)
    ]
    assert store.latest("acme-1", "files", "acme.md") is None  # reads as missing: a resume writes it again
    assert verify_run(store, "acme-1") == []
    moved = [
        str(m["path"])
        for chunk in obstore.list(_raw(bucket_url), "team/docs/runs/acme-1/files/acme.md/.quarantine/")
        for m in chunk
    ]
    assert any(p.rsplit("/", 1)[-1].startswith(f"{Path(record.path).name}.") for p in moved)  # moved, not deleted
    again, created = store.put("acme-1", "files", "acme.md", "# One\n")
    assert created and again.version == 2 and store.read_text("acme-1", again) == "# One\n"


def test_events_and_bundles_reach_the_other_machine(url: str, tmp_path: Path) -> None:
    one, two = _machine(url, tmp_path, "one"), _machine(url, tmp_path, "two")
    one.register_run(_registration(), BRIEF, "name: design-docs\n")
    one.append_event("acme-1", "approvals", {"phase": 0})
    two.append_event("acme-1", "approvals", {"phase": 1})
    assert [e["phase"] for e in one.events("acme-1", "approvals")] == [0, 1]
    manifest = b'{"files": [{"file": "a.md", "sha256": "%s"}], "reports": []}' % sha256_hex(b"# A\n").encode()
    target, version = one.write_tree("acme-1", "bundles", {"a.md": b"# A\n", "manifest.json": manifest})
    assert version == 1 and target.is_relative_to(tmp_path / "one")
    (copy,) = two.tree_versions("acme-1", "bundles")
    assert copy.is_relative_to(tmp_path / "two") and (copy / "a.md").read_bytes() == b"# A\n"
    assert verify_run(two, "acme-1") == []
    _, next_version = two.write_tree("acme-1", "bundles", {"manifest.json": b'{"files": []}'})
    assert next_version == 2
    assert [p.name for p in one.tree_versions("acme-1", "bundles")] == ["v1", "v2"]


def test_unreachable_store_is_one_store_error_naming_the_url(
    object_env: ObjectServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(object_env.endpoint_var, f"http://127.0.0.1:{free_port()}")  # nothing listens there
    url = f"{object_env.scheme}://nowhere/docs"
    store = ArtifactStore(url, local_root=tmp_path)
    for action in (store.check, lambda: store.has_run("acme-1")):
        with pytest.raises(StoreError) as caught:
            action()
        (line,) = str(caught.value).splitlines()
        assert line.startswith(f"artifact store {url} is unreachable (") and "DOCSGEN_STORE" in line, line


def test_a_missing_bucket_is_one_store_error_naming_it(object_env: ObjectServer, tmp_path: Path) -> None:
    url = f"{object_env.scheme}://no-such-bucket-here/docs"
    with pytest.raises(StoreError) as caught:
        ArtifactStore(url, local_root=tmp_path).check()
    (line,) = str(caught.value).splitlines()
    assert line.startswith(
        f"artifact store {url} cannot list its root (404 Not Found: {object_env.no_bucket_code}, "
    ), line
    assert line.endswith(
        "create the bucket (container) no-such-bucket-here or fix DOCSGEN_STORE (`docsgen doctor` checks it)"
    )


def test_a_budget_in_the_object_store_spans_machines(url: str, tmp_path: Path) -> None:
    one, two = _machine(url, tmp_path, "one"), _machine(url, tmp_path, "two")
    one.register_run(_registration(), BRIEF, "name: design-docs\n")
    spent_on_one = Budget(1.0, EventLedger(one, "acme-1", "budget"))
    spent_on_one.settle(spent_on_one.reserve(0.7, "plan"), 0.6, "plan")
    on_two = Budget(1.0, EventLedger(two, "acme-1", "budget"))  # a step on another machine
    assert on_two.spent_usd == pytest.approx(0.6)
    with pytest.raises(BudgetExceededError, match=r"\$0\.6000 spent"):
        on_two.reserve(0.5, "phase 1")


def test_a_block_of_reads_sees_one_listing_and_its_own_writes_at_once(url: str, tmp_path: Path) -> None:
    """``one_listing``: many reads of one docs run from one listing; this machine's writes show at once,
    another machine's from the next block on (as if they had come just after the block)."""
    one, two = _machine(url, tmp_path, "one"), _machine(url, tmp_path, "two")
    one.register_run(_registration(), BRIEF, "name: design-docs\n")
    one.put("acme-1", "files", "a.md", "# A1\n")
    with one.one_listing("acme-1"):
        assert one.latest("acme-1", "files", "a.md").version == 1  # type: ignore[union-attr]
        two.put("acme-1", "files", "a.md", "# A2\n")  # another machine, during the block
        two.put("acme-1", "files", "b.md", "# B1\n")
        assert one.latest("acme-1", "files", "a.md").version == 1  # type: ignore[union-attr]
        assert one.names("acme-1", "files") == ["a.md"]
        mine, created = one.put("acme-1", "files", "c.md", "# C1\n")  # this machine's write: seen at once
        assert created and one.latest("acme-1", "files", "c.md") == mine
        assert one.names("acme-1", "files") == ["a.md", "b.md", "c.md"]  # and everything before it
        with one.one_listing("acme-1"):  # nested: the same listing
            assert one.latest("acme-1", "files", "a.md").version == 2  # type: ignore[union-attr]
    two.put("acme-1", "files", "b.md", "# B2\n")
    assert one.latest("acme-1", "files", "b.md").version == 2  # type: ignore[union-attr]
    assert [r.version for r in one.history("acme-1", "files", "b.md")] == [1, 2]


def test_a_block_of_reads_is_per_thread(url: str, tmp_path: Path) -> None:
    """A thread's block never hides another machine's write from another thread of the same process."""
    one, two = _machine(url, tmp_path, "one"), _machine(url, tmp_path, "two")
    one.register_run(_registration(), BRIEF, "name: design-docs\n")
    one.put("acme-1", "files", "a.md", "# A1\n")
    seen: list[int] = []

    def reader() -> None:  # no block of its own: it lists afresh
        record = one.latest("acme-1", "files", "a.md")
        seen.append(record.version if record else 0)

    with one.one_listing("acme-1"):
        assert one.latest("acme-1", "files", "a.md").version == 1  # type: ignore[union-attr]
        two.put("acme-1", "files", "a.md", "# A2\n")
        thread = threading.Thread(target=reader)
        thread.start()
        thread.join(timeout=60)
        assert one.latest("acme-1", "files", "a.md").version == 1  # type: ignore[union-attr]
    assert seen == [2]
    assert one.latest("acme-1", "files", "a.md").version == 2  # type: ignore[union-attr]


def test_verify_reports_an_upload_whose_writer_died_before_recording_it(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer killed between uploading v2 and recording it leaves an object no index names: verify
    leaves it alone while another machine may still record it, then reports it and --repair sets it aside."""
    store = _machine(url, tmp_path, "one")
    store.register_run(_registration(), BRIEF, "name: design-docs\n")
    first, _ = store.put("acme-1", "files", "acme.md", "# One\n")
    orphan = "v2.0123456789ab.md"
    assert ObjectBlobs(url).put_if_absent(f"runs/acme-1/files/acme.md/{orphan}", b"# Two, never recorded\n")

    assert verify_run(store, "acme-1") == []  # young: its writer may be recording it right now
    monkeypatch.setenv("DOCSGEN_UNINDEXED_GRACE_S", "0")
    found = verify_run(store, "acme-1")
    assert [(f.where, f.problem, f.repaired) for f in found] == [
        ("files/acme.md", f"{orphan}: orphaned version file (no index entry)", False)
    ]
    assert [f.repaired for f in verify_run(store, "acme-1", repair=True)] == [True]
    assert verify_run(store, "acme-1") == []
    assert store.latest("acme-1", "files", "acme.md") == first  # the recorded version is untouched
    moved = [
        str(m["path"]).rsplit("/", 1)[-1]
        for chunk in obstore.list(_raw(url), "runs/acme-1/files/acme.md/.quarantine/")
        for m in chunk
    ]
    assert any(name.startswith(f"{orphan}.") for name in moved)  # set aside, not deleted
    again, created = store.put("acme-1", "files", "acme.md", "# Two\n")
    assert created and again.version == 2


def test_a_bad_unindexed_grace_setting_is_one_line(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _machine(url, tmp_path, "one")
    store.register_run(_registration(), BRIEF, "name: design-docs\n")
    store.put("acme-1", "files", "acme.md", "# One\n")
    monkeypatch.setenv("DOCSGEN_UNINDEXED_GRACE_S", "soon")
    with pytest.raises(ConfigError, match=r"^\$DOCSGEN_UNINDEXED_GRACE_S='soon': expected a number of seconds$"):
        verify_run(store, "acme-1")
