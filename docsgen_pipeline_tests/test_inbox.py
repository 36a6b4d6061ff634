"""The requests inbox on its own: identity by content, append-only statuses, safe concurrent writers."""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

import pytest

from docsgen_pipeline.blueprint import default_blueprint
from docsgen_pipeline.errors import BriefError, DocsGenError
from docsgen_pipeline.inbox import Inbox, Request, RequestError, register_request, run_id_for
from docsgen_pipeline.store import ArtifactStore, sha256_hex
from docsgen_pipeline_tests.conftest import EXAMPLES

ACME = (EXAMPLES / "acme-orders.yaml").read_bytes()


def _drop(inbox: Inbox, name: str, data: bytes, age: float = 60.0) -> Path:
    """A brief dropped ``age`` seconds ago (so it counts as settled)."""
    inbox.root.mkdir(parents=True, exist_ok=True)
    path = inbox.root / name
    path.write_bytes(data)
    past = path.stat().st_mtime - age
    os.utime(path, (past, past))
    return path


def test_same_bytes_are_one_request_and_an_edit_is_another(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox")
    _drop(inbox, "a.yaml", ACME)
    _drop(inbox, "copy-of-a.yaml", ACME)
    first = inbox.scan()
    assert [r.sha for r in first] == [sha256_hex(ACME)]
    request, created = inbox.submit(ACME, "elsewhere/a.yaml", brief_format="yaml")
    assert not created and request.sha == first[0].sha
    _drop(inbox, "a.yaml", ACME + b"constraints: [edited]\n")
    edited = inbox.scan()
    assert len(edited) == 1 and edited[0].sha != first[0].sha
    assert [r.status for r in inbox.requests()] == ["pending", "pending"]
    # Dropped files stay where they were dropped; each request keeps its own copy of the brief.
    assert sorted(p.name for p in inbox.root.iterdir() if p.is_file()) == ["a.yaml", "copy-of-a.yaml"]
    assert first[0].brief_bytes() == ACME


def test_scan_waits_for_a_copy_to_settle_and_ignores_partial_and_hidden_files(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox")
    path = _drop(inbox, "fresh.yaml", ACME, age=0)
    _drop(inbox, "big.yaml.part", b"name: x\n")
    _drop(inbox, ".hidden.yaml", b"name: y\n")
    mtime = path.stat().st_mtime
    assert inbox.scan(settle_seconds=2, now=mtime + 0.5) == []
    assert [r.spec.source for r in inbox.scan(settle_seconds=2, now=mtime + 5)] == ["fresh.yaml"]


def test_statuses_are_appended_never_rewritten(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox")
    request, _ = inbox.submit(ACME, "a.yaml", brief_format="yaml")
    consumed = inbox.settle(request.sha, "test", lambda r: "acme-1")
    assert (consumed.status, consumed.run_id) == ("consumed", "acme-1")
    # A settled request is left alone: no second launch, no status change.
    again = inbox.settle(request.sha, "test", lambda r: pytest.fail("decided twice"))
    assert again.history == consumed.history
    with pytest.raises(RequestError, match="already consumed as docs run acme-1"):
        inbox.skip(request.id, by="test")
    with pytest.raises(RequestError, match="only skipped or rejected requests reopen"):
        inbox.reopen(request.sha, by="test")
    lines = [json.loads(line) for line in inbox.ledger_path.read_text().splitlines()]
    assert [line["status"] for line in lines] == ["pending", "consumed"]


def test_a_failing_decision_rejects_with_the_reason(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox")
    request, _ = inbox.submit(b"name: [broken\n", "bad.yaml", brief_format="yaml")

    def invalid(current: Request) -> str:
        raise BriefError("bad.yaml: line 2: invalid YAML")

    rejected = inbox.settle(request.sha, "test", invalid)
    assert (rejected.status, rejected.reason) == ("rejected", "bad.yaml: line 2: invalid YAML")
    assert rejected.brief_bytes() == b"name: [broken\n"


def test_skip_keeps_the_brief_and_needs_a_known_id(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox")
    request, _ = inbox.submit(ACME, "a.yaml", brief_format="yaml")
    skipped = inbox.skip(request.id[:6], by="test", reason="duplicate of another project")
    assert (skipped.status, skipped.reason) == ("skipped", "duplicate of another project")
    assert skipped.brief_path.read_bytes() == ACME
    with pytest.raises(RequestError, match="no request 'ffff'"):
        inbox.skip("ffff", by="test")
    with pytest.raises(RequestError, match="not a request id"):
        inbox.skip("../x", by="test")


def test_register_request_uses_a_stable_run_id_and_rejects_bad_input(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox")
    store = ArtifactStore(tmp_path / "artifacts")
    blueprint = default_blueprint()
    request, _ = inbox.submit(ACME, "a.yaml", brief_format="yaml", review_mode="interactive")
    registration = register_request(store, request, blueprint, created_by="sensor")
    assert registration.run_id == run_id_for("acme", request.sha) == f"acme-{request.sha[:8]}"
    assert (registration.review_mode, registration.created_by) == ("interactive", "sensor")
    assert register_request(store, request, blueprint, created_by="sensor") == registration

    binary = inbox.submit(b"\xff\xfe\x00brief", "scan.pdf", brief_format="yaml")[0]
    with pytest.raises(RequestError, match=r"scan\.pdf: not a UTF-8 text file"):
        register_request(store, binary, blueprint, created_by="sensor")
    pinned = inbox.submit(ACME + b"\n", "b.yaml", brief_format="yaml", blueprint_sha256="0" * 64)[0]
    with pytest.raises(DocsGenError, match="DOCSGEN_BLUEPRINT"):
        register_request(store, pinned, blueprint, created_by="sensor")
    assert store.run_ids() == [registration.run_id]


def _race(root: str, sha: str, run_id: str, results: multiprocessing.Queue[str]) -> None:
    settled = Inbox(root).settle(sha, run_id, lambda r: run_id)
    results.put(settled.run_id or "")


def test_two_writers_settle_a_request_once(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox")
    request, _ = inbox.submit(ACME, "a.yaml", brief_format="yaml")
    ctx = multiprocessing.get_context("fork")
    results: multiprocessing.Queue[str] = ctx.Queue()
    workers = [ctx.Process(target=_race, args=(str(inbox.root), request.sha, f"run-{i}", results)) for i in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    winners = {results.get(timeout=10) for _ in workers}
    assert len(winners) == 1  # every writer saw the same single decision
    statuses = [e["status"] for e in inbox.get(request.id).history]
    assert statuses == ["pending", "consumed"]


def test_a_ledger_line_cut_short_by_a_crash_is_ignored(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path / "inbox")
    request, _ = inbox.submit(ACME, "a.yaml", brief_format="yaml")
    with open(inbox.ledger_path, "a", encoding="utf-8") as ledger:
        ledger.write('{"at": "2026-11-22T00:00:00+00:00", "request": "' + request.sha + '", "sta')
    assert inbox.get(request.id).status == "pending"
    consumed = inbox.settle(request.sha, "test", lambda r: "acme-1")
    assert (consumed.status, consumed.run_id) == ("consumed", "acme-1")  # the next line starts afresh
