"""One in-process execution per docs run (pure; no Dagster).

Runs launched through the Dagster run queue (UI, sensors, daemon) are limited to one per docs run
by the tag concurrency limit in ``dagster.yaml``; in-process execution (``docsgen run`` /
``approve`` / ``reject``) bypasses that queue, so it takes a lock instead.  The lock belongs to the
process: it is released when the command ends, however it ends.

- On one machine (SQLite instance) it is an advisory file lock in the run's store folder.
- When the Dagster instance is shared (PostgreSQL), commands on other machines cannot see a local
  file lock, so the lock is a PostgreSQL session advisory lock on the instance's own database:
  the server releases it when the holder's connection ends (exit, kill, lost host), and the
  holder is named from ``pg_stat_activity`` (its ``application_name``, address and start).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from docsgen_pipeline.errors import RunLockedError
from docsgen_pipeline.store import ArtifactStore, utc_now

LOCK_FILE = ".execution.lock"


def _path(store: ArtifactStore, run_id: str) -> Path:
    return store.run_dir(run_id) / LOCK_FILE


def _holder(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        info = json.loads(os.read(fd, 4096).decode() or "{}")
    except (OSError, ValueError):
        return "another process"
    return f"`{info.get('command', '?')}` (pid {info.get('pid', '?')}, since {info.get('since', '?')})"


@contextmanager
def execution_lock(store: ArtifactStore, run_id: str, command: str) -> Iterator[None]:
    """Hold the docs run's execution lock, or fail fast with who holds it."""
    path = _path(store, run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunLockedError(
                f"docs run '{run_id}' is already executing in {_holder(fd)}; wait for it to finish "
                f"(docsgen status {run_id}) or stop it with `docsgen cancel {run_id}`"
            ) from None
        try:
            os.ftruncate(fd, 0)
            info = {"pid": os.getpid(), "command": command, "since": utc_now()}
            os.pwrite(fd, json.dumps(info).encode(), 0)
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def is_locked(store: ArtifactStore, run_id: str) -> bool:
    """Whether some process (this one included) holds the docs run's execution lock."""
    return file_is_locked(_path(store, run_id))


def file_is_locked(path: Path) -> bool:
    """Whether some process holds an exclusive ``flock`` on ``path`` (a missing file is unlocked)."""
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def shared_lock_key(run_id: str) -> int:
    """The docs run's 64-bit advisory lock key (signed, as PostgreSQL's bigint)."""
    digest = hashlib.sha256(f"docsgen/run:{run_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _holder_label(command: str) -> str:
    # PostgreSQL keeps 63 bytes of application_name: the command, pid and host come first.
    return f"{command} (pid {os.getpid()} on {socket.gethostname()})".encode()[:63].decode(errors="ignore")


def _engine(url: str, label: str = "docsgen") -> Any:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    # One dedicated connection: a session-level advisory lock lives exactly as long as it does.
    return create_engine(url, poolclass=NullPool, connect_args={"application_name": label})


_HOLDER_SQL = """
SELECT a.application_name, a.client_addr, a.backend_start
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
  AND l.classid::bigint = :hi AND l.objid::bigint = :lo
"""


def _key_parts(key: int) -> dict[str, int]:
    # pg_locks shows a bigint advisory key as two unsigned 32-bit halves (classid, objid; objsubid 1).
    return {"hi": (key >> 32) & 0xFFFFFFFF, "lo": key & 0xFFFFFFFF}


def shared_lock_holder(url: str, run_id: str) -> str | None:
    """Who holds the docs run's shared lock (``None`` when nobody does)."""
    from sqlalchemy import text

    engine = _engine(url)
    try:
        with engine.connect() as connection:
            row = connection.execute(text(_HOLDER_SQL), _key_parts(shared_lock_key(run_id))).first()
    finally:
        engine.dispose()
    if row is None:
        return None
    name, address, since = row
    where = f" from {address}" if address else ""
    started = since.isoformat(timespec="seconds") if since is not None else "?"
    return f"`{name or 'another process'}`{where}, since {started}"


@contextmanager
def shared_execution_lock(url: str, run_id: str, command: str) -> Iterator[None]:
    """Hold the docs run's execution lock in the shared instance's PostgreSQL, or fail fast naming the holder."""
    from sqlalchemy import text

    key = shared_lock_key(run_id)
    engine = _engine(url, _holder_label(command))
    try:
        with engine.connect() as connection:
            got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar()
            connection.commit()  # no transaction stays open while the command runs
            if not got:
                holder = shared_lock_holder(url, run_id) or "another process (it just finished)"
                raise RunLockedError(
                    f"docs run '{run_id}' is already executing in {holder} (lock held in the shared Dagster "
                    f"instance's PostgreSQL); wait for it to finish (docsgen status {run_id}) or stop it with "
                    f"`docsgen cancel {run_id}`"
                )
            try:
                yield
            finally:
                try:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    connection.commit()
                except Exception:  # a lost connection released the lock already; keep the real error
                    pass
    finally:
        engine.dispose()


def shared_is_locked(url: str, run_id: str) -> bool:
    """Whether some process, on any machine, holds the docs run's shared lock."""
    return shared_lock_holder(url, run_id) is not None
