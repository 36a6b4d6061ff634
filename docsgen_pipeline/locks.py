"""One in-process execution per docs run (pure; no Dagster).

Runs launched through the Dagster run queue (UI, sensors, daemon) are limited to one per docs run
by the tag concurrency limit in ``dagster.yaml``; in-process execution (``docsgen run`` /
``approve`` / ``reject``) bypasses that queue, so it takes this advisory file lock instead.  The
lock belongs to the process: it is released when the command ends, however it ends.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
