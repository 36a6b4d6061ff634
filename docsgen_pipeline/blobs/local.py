"""The store's bytes as files under a local folder: the crash-safe primitives of :mod:`atomic_files`.

A version is staged, fsynced and hard-linked into place (never replaced); a record log is one
``.jsonl`` file appended with an fsync, so a kill leaves at worst a torn last line, which
:meth:`LocalBlobs.drop_torn_tail` sets aside.  Callers serialise writers of one artifact with a
file lock, which is why this backend needs none of its own.
"""

from __future__ import annotations

import json
import os
import time
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from docsgen_pipeline.atomic_files import append_line, quarantine, replace_atomic, write_once_atomic
from docsgen_pipeline.errors import StoreError


def _parses(line: bytes) -> bool:
    try:
        json.loads(line)
    except ValueError:
        return False
    return True


class LocalBlobs:
    is_local = True

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).expanduser()
        self.url = str(self.root)

    def path(self, key: str) -> Path:
        return self.root / key

    def where(self, key: str) -> str:
        return str(self.path(key))

    def one_listing(self, prefix: str) -> AbstractContextManager[None]:
        return nullcontext()

    def check(self) -> None:
        if self.root.exists() and not self.root.is_dir():
            raise StoreError(f"artifact store {self.root} is not a folder; fix DOCSGEN_STORE")

    def get(self, key: str) -> bytes | None:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            return None
        except IsADirectoryError:
            return None

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def age_s(self, key: str) -> float:
        try:
            return max(0.0, time.time() - self.path(key).stat().st_mtime)
        except FileNotFoundError:
            return 0.0

    def put_if_absent(self, key: str, data: bytes) -> bool:
        path = self.path(key)
        if path.exists():
            return False
        try:
            write_once_atomic(path, data)
        except StoreError:  # another process linked it first
            return False
        return True

    def children(self, prefix: str) -> tuple[list[str], list[str]]:
        folder = self.path(prefix)
        if not folder.is_dir():
            return [], []
        # scandir: the entry types come with the listing (no stat per entry; `docsgen list` lists
        # every run folder).
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
        return [e.name for e in entries if e.is_dir()], [e.name for e in entries if e.is_file()]

    def walk(self, prefix: str) -> list[str]:
        folder = self.path(prefix)
        if not folder.is_dir():
            return []
        return sorted(p.relative_to(self.root).as_posix() for p in folder.rglob("*") if p.is_file())

    def add_record(self, key: str, name: str, line: str) -> bool:
        append_line(self.path(key), line)  # callers hold the log's lock; the name only orders objects
        return True

    def records(self, key: str) -> list[str]:
        try:
            text = self.path(key).read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return []
        return text.split("\n")  # the last item is "" after a whole line, a torn line after a crash

    def record_logs(self, prefix: str, logs: list[str]) -> dict[str, list[str]]:
        return {log: self.records(f"{prefix}/{log}") for log in logs}

    def has_records(self, key: str) -> bool:
        return self.path(key).is_file()

    def torn_tail(self, key: str) -> bool:
        try:
            raw = self.path(key).read_bytes()
        except FileNotFoundError:
            return False
        tail = raw.split(b"\n")[-1]
        return bool(tail.strip()) and not _parses(tail)

    def drop_torn_tail(self, key: str) -> None:
        if not self.torn_tail(key):
            return
        index = self.path(key)
        lines = index.read_bytes().split(b"\n")
        torn = index.with_name(f"{index.name}.torn")
        torn.write_bytes(lines[-1])
        quarantine(torn, f"torn last line of {index.name} (a write was interrupted)")
        replace_atomic(index, b"\n".join(lines[:-1]) + b"\n" if len(lines) > 1 else b"")

    def quarantine(self, key: str, reason: str) -> str:
        return quarantine(self.path(key), reason).name
