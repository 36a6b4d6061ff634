"""The status records' database: one query for a listing, safe with concurrent writers and kills,
taking over the earlier one-file-per-run layout, and a damaged cache never blocks a listing."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from docsgen_pipeline.status_record import StatusBook, broken_record, on_network_filesystem


def _record(run_id: str, status: str = "Running") -> dict[str, Any]:
    record = broken_record(run_id, "placeholder")
    record.update(
        status=status,
        phase="0",
        detail="",
        review_mode="batch",
        phases=[{"phase": 0, "files": "0/4", "gate": "pending", "approved_by": None}],
    )
    return record


def test_write_read_and_summaries(tmp_path: Path) -> None:
    book = StatusBook(tmp_path)
    (tmp_path / "runs" / "svc-a").mkdir(parents=True)
    (tmp_path / "runs" / "svc-a" / "run.json").write_text("{}", encoding="utf-8")
    book.write(_record("svc-a", "AwaitingApproval"))
    book.write(_record("svc-b"))
    book.write(_record("svc-a", "Complete"))  # rewritten: one row per docs run

    whole = book.read("svc-a")
    assert whole is not None and whole["status"] == "Complete" and whole["phases"][0]["files"] == "0/4"
    assert whole["registration_stamp"] == book.registration_stamp("svc-a")
    assert book.read("svc-b") is not None and book.read("svc-b")["registration_stamp"] is None  # type: ignore[index]
    assert book.read("svc-c") is None

    summaries = book.summaries()
    assert sorted(summaries) == ["svc-a", "svc-b"]
    assert "phases" not in summaries["svc-a"] and summaries["svc-a"]["status"] == "Complete"
    assert book.read_all()["svc-b"]["phases"] == whole["phases"]

    stamps, others = book.registrations()
    assert stamps == {"svc-a": book.registration_stamp("svc-a")} and others == []


def test_records_of_the_file_layout_are_taken_over(tmp_path: Path) -> None:
    status = tmp_path / "status"
    status.mkdir()
    (status / "old-run.json").write_text(json.dumps(_record("old-run", "Failed")), encoding="utf-8")
    (status / "torn-run.json").write_text('{"run_id": "torn-run", "sta', encoding="utf-8")

    book = StatusBook(tmp_path)
    taken = book.read("old-run")
    assert taken is not None and taken["status"] == "Failed"
    assert book.read("torn-run") is None  # an unreadable file is only a record to recompute
    assert sorted(p.name for p in status.iterdir() if p.suffix == ".json") == []


def test_a_damaged_database_is_set_aside_not_fatal(tmp_path: Path) -> None:
    book = StatusBook(tmp_path)
    book.write(_record("svc-a"))
    book.database.write_bytes(b"this is not a database" * 100)

    assert book.read("svc-a") is None  # recomputed by the caller, never an error for the user
    book.write(_record("svc-a", "Complete"))
    assert book.summaries()["svc-a"]["status"] == "Complete"
    aside = [p.name for p in book.root.iterdir() if p.name.startswith("records.db.damaged-")]
    assert len(aside) == 1  # kept for a post-mortem


def _write_many(root: str, writer: int, count: int) -> None:
    book = StatusBook(root)
    for n in range(count):
        book.write(_record(f"w{writer}-run-{n}"))


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    StatusBook(tmp_path).summaries()  # the database exists before the writers race
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_write_many, args=(str(tmp_path), w, 40)) for w in range(4)]
    for process in writers:
        process.start()
    for process in writers:
        process.join(120)
        assert process.exitcode == 0
    assert len(StatusBook(tmp_path).summaries()) == 160


_HOLD_A_WRITE = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
connection.execute("UPDATE records SET summary = '{\\"half\\": true}'")
print("holding", flush=True)
time.sleep(60)
"""


def test_a_writer_killed_mid_transaction_leaves_the_records_whole(tmp_path: Path) -> None:
    book = StatusBook(tmp_path)
    book.write(_record("svc-a", "AwaitingApproval"))
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_A_WRITE, str(book.database)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        os.kill(holder.pid, signal.SIGKILL)
    finally:
        holder.wait(30)

    started = time.monotonic()
    book.write(_record("svc-b"))  # the dead writer's lock is gone with it: no wait for the timeout
    assert time.monotonic() - started < 5
    summaries = book.summaries()
    assert summaries["svc-a"]["status"] == "AwaitingApproval"  # the half-done update never happened
    assert sorted(summaries) == ["svc-a", "svc-b"]


_MOUNTINFO = """\
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw
41 27 0:45 / /srv/docs rw,relatime - nfs4 filer:/export/docs rw,vers=4.2
42 41 0:46 / /srv/docs/local\\040disk rw,relatime - ext4 /dev/vdb rw
"""


def test_a_folder_store_shared_over_nfs_is_recognised() -> None:
    """WAL's shared memory works on one machine only: a shared folder keeps the rollback journal."""
    assert on_network_filesystem(Path("/srv/docs/artifacts/status"), _MOUNTINFO)
    assert not on_network_filesystem(Path("/srv/docs/local disk/status"), _MOUNTINFO)
    assert not on_network_filesystem(Path("/srv/docsx/status"), _MOUNTINFO)
    assert not on_network_filesystem(Path("/home/me/.docsgen/artifacts/status"), _MOUNTINFO)
