"""Crash-safe file primitives of the local filesystem store (pure; no Dagster).

A version is written to a temporary file in the same folder, flushed to disk and only then
linked into place, so a reader (or a later process after a kill) sees either nothing or the
whole file, never a torn one.  Anything found damaged is moved aside into a ``.quarantine``
folder with a reason, never deleted.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

from docsgen_pipeline.errors import StoreError

QUARANTINE_DIR = ".quarantine"
TMP_SUFFIX = ".tmp"


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def fsync_dir(directory: Path) -> None:
    """Make a rename or link inside ``directory`` durable."""
    with contextlib.suppress(OSError):  # some filesystems cannot open or fsync a directory
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def temp_path(path: Path) -> Path:
    """Where ``path`` is staged: a dotfile beside it, named after this process."""
    return path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}{TMP_SUFFIX}")


def write_once_atomic(path: Path, content: bytes, mode: int = 0o444) -> None:
    """Write ``path`` exactly once: whole or not at all; an existing file is never replaced."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        raise StoreError(f"{path}: artifact already exists and is immutable")
    staged = temp_path(path)
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(staged, path)  # fails if path exists: the no-overwrite promise holds even between processes
        except FileExistsError:
            raise StoreError(f"{path}: artifact already exists and is immutable") from None
        except OSError:  # a filesystem without hard links: callers hold the artifact's lock
            if path.exists():
                raise StoreError(f"{path}: artifact already exists and is immutable") from None
            os.rename(staged, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(staged)
    fsync_dir(path.parent)


def replace_atomic(path: Path, content: bytes, mode: int = 0o644) -> None:
    """Replace a mutable bookkeeping file (an index being repaired) in one rename."""
    staged = temp_path(path)
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(staged, path)
    fsync_dir(path.parent)


def append_line(path: Path, line: str) -> None:
    """Append one JSON line durably; a torn last line (crash mid-append) is terminated first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        handle.seek(0, os.SEEK_END)
        if handle.tell() > 0:
            handle.seek(-1, os.SEEK_END)
            if handle.read(1) != b"\n":
                handle.write(b"\n")
        handle.write(line.encode() + b"\n")
        handle.flush()
        os.fsync(handle.fileno())


def quarantine(path: Path, reason: str, base: Path | None = None) -> Path:
    """Move ``path`` (file or folder) into ``<base>/.quarantine/`` with a note saying why."""
    folder = (base or path.parent) / QUARANTINE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{path.name}.{_stamp()}"
    os.rename(path, target)
    append_line(folder / "reasons.jsonl", json.dumps({"file": path.name, "moved_to": target.name, "reason": reason}))
    fsync_dir(path.parent)
    return target


def is_temp(path: Path) -> bool:
    return path.name.startswith(".") and path.name.endswith(TMP_SUFFIX)


def temp_owner_alive(path: Path) -> bool:
    """Whether the process that staged a temporary file may still be writing it."""
    parts = path.name.rsplit(".", 3)  # .<name>.<pid>.<hex>.tmp
    try:
        pid = int(parts[-3])
    except (IndexError, ValueError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
