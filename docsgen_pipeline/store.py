"""The artifact store: immutable, versioned, content-addressed files per docs run.

Layout under the store root::

    runs/<run-id>/run.json                      registration (write once)
    runs/<run-id>/brief.<yaml|md>               the brief as given (write once)
    runs/<run-id>/blueprint.yaml                the blueprint the run was planned with (write once)
    runs/<run-id>/<category>/<name>/v<K><ext>   version K of an artifact (write once)
    runs/<run-id>/<category>/<name>/versions.jsonl   one line per version: sha256, time, meta

Nothing is ever overwritten: a new content gets the next version beside the old one, and writing
the same content as the latest version returns that version instead of creating a copy (so a
retry or an unchanged regeneration does not count as a change).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from docsgen_pipeline.errors import RunIdError, StoreError, UnknownRunError

RUN_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_CATEGORY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)*$")


def validate_run_id(run_id: str) -> str:
    """Docs-run ids become Dagster partition keys, paths and tags: keep them slug-like."""
    if not RUN_ID_RE.match(run_id or ""):
        raise RunIdError(
            f"invalid run id {run_id!r}: use 1-63 lower-case letters, digits and '-', starting with a letter or digit"
        )
    return run_id


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class RunRegistration(BaseModel):
    """What a docs run is: recorded once, when the run is registered."""

    run_id: str
    project: str
    slug: str
    review_mode: Literal["interactive", "batch"] = "batch"
    brief_file: str
    brief_sha256: str
    blueprint_name: str
    blueprint_version: int
    blueprint_sha256: str
    agent: dict[str, Any] = Field(default_factory=dict, description="agent settings without secrets")
    created_at: str = Field(default_factory=utc_now)
    created_by: str = "cli"


class VersionRecord(BaseModel):
    category: str
    name: str
    version: int
    sha256: str
    size: int
    path: str = Field(description="relative to the run directory")
    created_at: str
    meta: dict[str, Any] = Field(default_factory=dict)


def _write_once(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
    except FileExistsError:
        raise StoreError(f"{path}: artifact already exists and is immutable") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class ArtifactStore:
    """Filesystem artifact store; safe for concurrent writers of different or the same artifact."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).expanduser()

    # -- runs ---------------------------------------------------------------------------------
    def run_dir(self, run_id: str) -> Path:
        return self.root / "runs" / validate_run_id(run_id)

    def has_run(self, run_id: str) -> bool:
        return (self.run_dir(run_id) / "run.json").is_file()

    def run_ids(self) -> list[str]:
        runs = self.root / "runs"
        if not runs.is_dir():
            return []
        return sorted(p.name for p in runs.iterdir() if (p / "run.json").is_file())

    def register_run(self, registration: RunRegistration, brief_text: str, blueprint_yaml: str) -> RunRegistration:
        """Record a new docs run; registering the same brief and blueprint again is a no-op."""
        run_dir = self.run_dir(registration.run_id)
        with _locked(run_dir / ".lock"):
            if self.has_run(registration.run_id):
                existing = self.registration(registration.run_id)
                same = (
                    existing.brief_sha256 == registration.brief_sha256
                    and existing.blueprint_sha256 == registration.blueprint_sha256
                )
                if not same:
                    raise StoreError(
                        f"docs run '{registration.run_id}' is already registered with a different brief or "
                        "blueprint; choose another run id (--run-id) to generate a new doc set"
                    )
                return existing
            _write_once(run_dir / registration.brief_file, brief_text.encode())
            _write_once(run_dir / "blueprint.yaml", blueprint_yaml.encode())
            _write_once(run_dir / "run.json", registration.model_dump_json(indent=2).encode())
        return registration

    def registration(self, run_id: str) -> RunRegistration:
        path = self.run_dir(run_id) / "run.json"
        if not path.is_file():
            raise UnknownRunError(
                f"docs run '{run_id}' is not registered (start it with: docsgen run BRIEF --run-id {run_id})"
            )
        return RunRegistration.model_validate_json(path.read_text(encoding="utf-8"))

    def read_run_file(self, run_id: str, relative: str) -> str:
        return (self.run_dir(run_id) / relative).read_text(encoding="utf-8")

    # -- versioned artifacts ------------------------------------------------------------------
    def _artifact_dir(self, run_id: str, category: str, name: str) -> Path:
        if not _CATEGORY_RE.match(category):
            raise StoreError(f"invalid artifact category {category!r}")
        if not _NAME_RE.match(name) or ".." in name:
            raise StoreError(f"invalid artifact name {name!r}")
        return self.run_dir(run_id) / category / name

    def put(
        self, run_id: str, category: str, name: str, content: bytes | str, meta: dict[str, Any] | None = None
    ) -> tuple[VersionRecord, bool]:
        """Store content as the next version; returns (record, created).

        If the content equals the latest version's, nothing is written and ``created`` is False.
        """
        data = content.encode() if isinstance(content, str) else content
        digest = sha256_hex(data)
        directory = self._artifact_dir(run_id, category, name)
        with _locked(directory / ".lock"):
            history = self.history(run_id, category, name)
            if history and history[-1].sha256 == digest:
                return history[-1], False
            version = len(history) + 1
            suffix = Path(name).suffix
            file_path = directory / f"v{version}{suffix}"
            _write_once(file_path, data)
            record = VersionRecord(
                category=category,
                name=name,
                version=version,
                sha256=digest,
                size=len(data),
                path=str(file_path.relative_to(self.run_dir(run_id))),
                created_at=utc_now(),
                meta=dict(meta or {}),
            )
            with open(directory / "versions.jsonl", "a", encoding="utf-8") as index:
                index.write(record.model_dump_json() + "\n")
                index.flush()
                os.fsync(index.fileno())
        return record, True

    def history(self, run_id: str, category: str, name: str) -> list[VersionRecord]:
        index = self._artifact_dir(run_id, category, name) / "versions.jsonl"
        if not index.is_file():
            return []
        records = []
        for line in index.read_text(encoding="utf-8").splitlines():
            if line.strip():
                records.append(VersionRecord.model_validate_json(line))
        return records

    def latest(self, run_id: str, category: str, name: str) -> VersionRecord | None:
        history = self.history(run_id, category, name)
        return history[-1] if history else None

    def version(self, run_id: str, category: str, name: str, version: int) -> VersionRecord:
        history = self.history(run_id, category, name)
        if not 1 <= version <= len(history):
            raise StoreError(f"{name} has no version {version} in docs run '{run_id}' (latest is v{len(history)})")
        return history[version - 1]

    def read_bytes(self, run_id: str, record: VersionRecord) -> bytes:
        data = (self.run_dir(run_id) / record.path).read_bytes()
        if sha256_hex(data) != record.sha256:
            raise StoreError(f"{record.path} in docs run '{run_id}' does not match its recorded sha256")
        return data

    def read_text(self, run_id: str, record: VersionRecord) -> str:
        return self.read_bytes(run_id, record).decode("utf-8")

    def names(self, run_id: str, category: str) -> list[str]:
        directory = self.run_dir(run_id) / category
        if not directory.is_dir():
            return []
        return sorted(p.name for p in directory.iterdir() if (p / "versions.jsonl").is_file())

    # -- append-only event logs (regenerations, approvals, feedback) --------------------------
    def append_event(self, run_id: str, log: str, event: dict[str, Any]) -> dict[str, Any]:
        path = self.run_dir(run_id) / "events" / f"{log}.jsonl"
        record = {"at": utc_now(), **event}
        with _locked(path.with_suffix(".lock")), open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, sort_keys=True) + "\n")
        return record

    def events(self, run_id: str, log: str) -> list[dict[str, Any]]:
        path = self.run_dir(run_id) / "events" / f"{log}.jsonl"
        if not path.is_file():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    def write_tree(self, run_id: str, category: str, files: dict[str, bytes]) -> tuple[Path, int]:
        """Write a new immutable directory version (e.g. a bundle): ``<category>/v<K>/…``."""
        base = self.run_dir(run_id) / category
        with _locked(base / ".lock"):
            existing = [int(p.name[1:]) for p in base.glob("v*") if p.is_dir() and p.name[1:].isdigit()]
            version = max(existing, default=0) + 1
            target = base / f"v{version}"
            for relative, data in sorted(files.items()):
                if relative.startswith("/") or ".." in Path(relative).parts:
                    raise StoreError(f"invalid bundle path {relative!r}")
                _write_once(target / relative, data)
        return target, version
