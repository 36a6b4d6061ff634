"""Per-docs-run status records: a cache of the pure lifecycle function, never a source of truth.

A record is what ``docsgen status --json`` prints for one docs run, minus what depends on the
clock (``stale`` is worked out when the record is read).  It is rewritten from the recorded facts
whenever DocsGen records one (an execution, approval, cancel, regeneration, archive) and by the
advance sensor for docs runs whose Dagster runs changed, so ``docsgen list`` reads every record
in one query instead of collecting the facts of every run.  ``docsgen status --recompute``
rebuilds records from the facts and says whether they agreed.

Layout: one SQLite database, ``<store root>/status/records.db`` (the store root is always a
machine-local folder).  One row per docs run: the record without its per-phase detail (what a
listing shows), the phases apart, and the stamp of the run.json it was written beside.  SQLite
gives what a folder of files could not at once: one read for a listing of N runs, a write that
costs the same at any N, concurrent writers (the daemon's sensors, run workers, the CLI) and no
torn record after a crash.  Records of the earlier layout (``status/<run-id>.json``) are taken
over when the database is first created.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from docsgen_pipeline.errors import StoreError
from docsgen_pipeline.lifecycle import (
    RunFacts,
    RunState,
    Status,
    approval_covers,
    derive,
    gate_state,
    is_stale,
    next_action,
)
from docsgen_pipeline.store import validate_run_id

# Cache bookkeeping, not facts (never compared by --recompute, never shown): when the record was
# written, and the size and mtime of the run's run.json it was written beside.
VOLATILE = ("recorded_at", "registration_stamp")
# Shown instead of a lifecycle status: the run's folder cannot be read, or the Dagster instance
# has no record of a run the artifact store has work for (a reset or restored instance).
BROKEN = "Broken"
UNRECONCILED = "Unreconciled"
_log = logging.getLogger(__name__)
_LIFECYCLE_STATUSES = {s.value: s for s in Status}
_HIDDEN = frozenset((*VOLATILE, "last_event_epoch"))
# Long enough for any other writer's single-row transaction, short enough to report a stuck lock.
_BUSY_TIMEOUT_S = 30.0
_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    run_id TEXT PRIMARY KEY,
    summary TEXT NOT NULL,
    phases TEXT NOT NULL,
    stamp_size INTEGER,
    stamp_mtime_ns INTEGER
)
"""


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


def describe(facts: RunFacts, archived: bool = False) -> dict[str, Any]:
    """One docs run's status as plain data, from its facts (the record's content)."""
    state = derive(facts)
    phases = []
    for phase in facts.phases:
        approval = phase.approval
        phases.append(
            {
                "phase": phase.number,
                "files": f"{len(phase.current_files)}/{phase.expected_files}",
                "gate": gate_state(phase),
                "approved_by": approval.approver if approval else None,
                "approval_current": bool(approval and approval_covers(approval.files, phase.current_files)),
                "revision_rounds": phase.revision_rounds,
            }
        )
    last = facts.last_event_at()
    status, detail, action = state.status.value, state.detail, next_action(state, facts.run_id)
    if facts.instance_lost and state.status is not Status.CANCELED:
        # Do not guess Running from an instance that forgot the run: say so and how to reconcile.
        status = UNRECONCILED
        detail = (
            "the Dagster instance has no record of this run (reset or restored instance?); "
            f"from the artifact store alone it would be {state.status.value}"
        )
        action = f"reconcile (reuses every stored file): docsgen approve {facts.run_id} --resume"
    return {
        "run_id": facts.run_id,
        "status": status,
        "phase": state.phase_label(),
        "detail": detail,
        "review_mode": facts.review_mode,
        "last_event_at": iso(last),
        "last_event_epoch": last,
        "archived": archived,
        "next_action": action,
        "phases": phases,
    }


def broken_record(run_id: str, reason: str) -> dict[str, Any]:
    """The row of a docs run whose folder cannot be read: shown, never fatal for the other runs."""
    return {
        "run_id": run_id,
        "status": BROKEN,
        "phase": "-",
        "detail": f"Broken: {reason}",
        "review_mode": "-",
        "last_event_at": "-",
        "last_event_epoch": 0.0,
        "archived": False,
        "next_action": f"inspect and set damaged files aside: docsgen verify {run_id} --repair",
        "phases": [],
    }


def with_staleness(record: dict[str, Any], stale_after_days: float, now: float | None = None) -> dict[str, Any]:
    """The record as shown: ``stale`` worked out for this moment, cache bookkeeping left out."""
    state = RunState(_LIFECYCLE_STATUSES.get(record["status"], Status.RUNNING), 0, 0)
    moment = time.time() if now is None else now
    row = {k: v for k, v in record.items() if k not in _HIDDEN}
    row["stale"] = is_stale(state, float(record["last_event_epoch"]), moment, stale_after_days)
    return row


def agree(cached: dict[str, Any] | None, fresh: dict[str, Any]) -> bool:
    if cached is None:
        return False
    strip = set(VOLATILE)
    return {k: v for k, v in cached.items() if k not in strip} == {k: v for k, v in fresh.items() if k not in strip}


_NETWORK_FILESYSTEMS = ("nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "afs", "ceph", "glusterfs", "lustre", "fuse.")


def on_network_filesystem(path: Path, mountinfo: str | None = None) -> bool:
    """Whether ``path`` is on a filesystem other machines may share (from ``/proc/self/mountinfo``)."""
    if mountinfo is None:
        try:
            mountinfo = Path("/proc/self/mountinfo").read_text(encoding="utf-8")
        except OSError:
            return False  # not Linux: assume a local disk, as SQLite does
    lines = mountinfo.splitlines()
    target = str(path.resolve())
    best, kind = "", ""
    for line in lines:
        fields = line.split()
        if " - " not in line or len(fields) < 5:
            continue
        mount_point = fields[4].replace("\\040", " ")
        inside = target == mount_point or target.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) >= len(best):
            best, kind = mount_point, line.split(" - ", 1)[1].split()[0]
    return kind.startswith(_NETWORK_FILESYSTEMS)


class StatusBook:
    """The status records of one store: a SQLite table, one row per docs run."""

    def __init__(self, store_root: str | Path) -> None:
        self.root = Path(store_root).expanduser() / "status"
        self.database = self.root / "records.db"
        self._runs = str(self.root.parent / "runs")

    def registration_stamp(self, run_id: str) -> list[int] | None:
        """Size and mtime of a folder store's ``run.json`` (None elsewhere, or when it is missing).

        A cached record whose stamp still matches was written beside this very registration, so a
        listing need not read and validate every run.json again (run.json is write-once).
        """
        try:
            found = os.stat(f"{self._runs}/{validate_run_id(run_id)}/run.json")
        except OSError:
            return None
        return [found.st_size, found.st_mtime_ns]

    def registrations(self) -> tuple[dict[str, list[int]], list[str]]:
        """({run id: stamp of its run.json}, the other names under ``runs/``) from one scan of a folder store.

        One ``stat`` per docs run answers both "is it registered" and "is its record still the
        one written beside this registration"; the other names are for the caller to judge
        (an empty folder left by a failed registration, or a damaged run).
        """
        stamps: dict[str, list[int]] = {}
        others: list[str] = []
        try:
            entries = os.scandir(self._runs)
        except FileNotFoundError:
            return stamps, others
        with entries:
            for entry in entries:
                try:
                    found = os.stat(f"{entry.path}/run.json")
                except OSError:
                    others.append(entry.name)
                    continue
                stamps[entry.name] = [found.st_size, found.st_mtime_ns]
        return stamps, others

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        try:
            connection = self._open()
        except sqlite3.DatabaseError as exc:  # not a database at all (a torn or foreign file)
            # Only a cache: set the damaged file aside (kept for a post-mortem) and start a new
            # one; the records missing from it are recomputed from the facts when next needed.
            aside = self.database.with_name(f"records.db.damaged-{int(time.time())}")
            _log.warning(
                "%s: damaged status records (%s) set aside as %s; they will be rebuilt", self.database, exc, aside.name
            )
            os.replace(self.database, aside)
            for suffix in ("-wal", "-shm"):
                Path(f"{self.database}{suffix}").unlink(missing_ok=True)
            connection = self._open()
        with closing(connection):
            try:
                yield connection
            except sqlite3.DatabaseError as exc:
                raise StoreError(
                    f"{self.database}: cannot use the status records ({exc}); they are only a cache: "
                    "delete the file and run `docsgen status --recompute` to rebuild them"
                ) from exc

    def _open(self) -> sqlite3.Connection:
        self.root.mkdir(parents=True, exist_ok=True)
        created = not self.database.exists()
        try:
            connection = sqlite3.connect(self.database, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.OperationalError as exc:
            raise StoreError(f"{self.database}: cannot open the status records: {exc}") from exc
        try:
            if created and not on_network_filesystem(self.root):
                # WAL: readers (a listing) never wait for a writer (a sensor), nor the reverse.  Its
                # shared-memory index works only within one machine: a folder store shared over
                # NFS keeps SQLite's rollback journal, which relies on the filesystem's locks.
                connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(_SCHEMA)
            if created:
                self._take_over_files(connection)
        except sqlite3.OperationalError as exc:  # locked past the timeout, disk full, no permission
            connection.close()
            raise StoreError(f"{self.database}: cannot use the status records: {exc}") from exc
        except sqlite3.DatabaseError:
            connection.close()
            raise
        return connection

    def _take_over_files(self, connection: sqlite3.Connection) -> None:
        """Move records of the one-file-per-run layout into the table (a row written since wins)."""
        files = sorted(self.root.glob("*.json"))
        if not files:
            return
        connection.execute("BEGIN IMMEDIATE")
        for path in files:
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
                validate_run_id(record["run_id"])
                self._put(connection, record, record.get("registration_stamp"), replace=False)
            except (OSError, ValueError, KeyError, TypeError, StoreError):
                pass  # an unreadable cache file is only a record to recompute
        connection.execute("COMMIT")
        for path in files:
            path.unlink(missing_ok=True)

    @staticmethod
    def _put(connection: sqlite3.Connection, record: dict[str, Any], stamp: Any, replace: bool = True) -> None:
        summary = {k: v for k, v in record.items() if k not in ("phases", "registration_stamp")}
        size, mtime = stamp if isinstance(stamp, list) and len(stamp) == 2 else (None, None)
        verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
        connection.execute(
            f"{verb} INTO records (run_id, summary, phases, stamp_size, stamp_mtime_ns) VALUES (?, ?, ?, ?, ?)",
            (record["run_id"], json.dumps(summary, sort_keys=True), json.dumps(record.get("phases", [])), size, mtime),
        )

    @staticmethod
    def _record(summary: str, size: int | None, mtime: int | None, phases: str | None) -> dict[str, Any] | None:
        try:
            record = json.loads(summary)
            if phases is not None:
                record["phases"] = json.loads(phases)
        except json.JSONDecodeError:
            return None  # unreadable: the caller recomputes
        if not isinstance(record, dict):
            return None
        record["registration_stamp"] = None if size is None else [size, mtime]
        return record

    def _has_records(self) -> bool:
        """Whether there is anything to read (a read creates no database, unless to take over old files)."""
        return self.database.exists() or next(self.root.glob("*.json"), None) is not None

    def read(self, run_id: str) -> dict[str, Any] | None:
        """The whole record (with its phases), or None: no record yet, the caller recomputes."""
        validate_run_id(run_id)
        if not self._has_records():
            return None
        with self._connection() as connection:
            row = connection.execute(
                "SELECT summary, stamp_size, stamp_mtime_ns, phases FROM records WHERE run_id = ?", (run_id,)
            ).fetchone()
        return None if row is None else self._record(*row)

    def summaries(self) -> dict[str, dict[str, Any]]:
        """Every record without its phases, by run id: what one listing needs, in one query."""
        return self._all("NULL")

    def read_all(self) -> dict[str, dict[str, Any]]:
        """Every whole record, by run id."""
        return self._all("phases")

    def _all(self, phases_column: str) -> dict[str, dict[str, Any]]:
        if not self._has_records():
            return {}
        with self._connection() as connection:
            rows = connection.execute(
                f"SELECT run_id, summary, stamp_size, stamp_mtime_ns, {phases_column} FROM records"
            ).fetchall()
        found = {}
        for run_id, *columns in rows:
            record = self._record(*columns)
            if record is not None:
                found[run_id] = record
        return found

    def write(self, record: dict[str, Any]) -> None:
        stamp = self.registration_stamp(record["run_id"])
        with self._connection() as connection:
            self._put(connection, {**record, "recorded_at": time.time()}, stamp)
