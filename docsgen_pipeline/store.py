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

Crash safety (this local filesystem implementation; see :mod:`docsgen_pipeline.atomic_files`):
a version file is staged, fsynced and linked into place before its index line is appended, so
a kill leaves at worst an *orphan* (a file without an index line) or a torn last index line.
Both are quarantined on the next write of that artifact, and a version whose bytes no longer
match its sha256 is quarantined too (``<artifact>/.quarantine/``, never deleted); a quarantined
latest version reads as missing, so a resume or a regeneration writes a fresh version.
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

from docsgen_pipeline.atomic_files import (
    QUARANTINE_DIR,
    append_line,
    fsync_dir,
    is_temp,
    quarantine,
    replace_atomic,
    temp_owner_alive,
    write_once_atomic,
)
from docsgen_pipeline.errors import RunIdError, StoreError, UnknownRunError

RUN_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_CATEGORY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)*$")
_VERSION_FILE_RE = re.compile(r"^v(\d+)(\.[A-Za-z0-9]+)?$")
INDEX = "versions.jsonl"
QUARANTINE_LOG = "quarantined.jsonl"


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
    write_once_atomic(path, content)


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
        return sorted(p.name for p in runs.iterdir() if RUN_ID_RE.match(p.name) and (p / "run.json").is_file())

    def damaged_run_dirs(self) -> list[str]:
        """Folders under ``runs/`` that are not a readable registered run (shown as Broken, never fatal)."""
        runs = self.root / "runs"
        if not runs.is_dir():
            return []
        return sorted(
            p.name
            for p in runs.iterdir()
            if p.is_dir()
            and RUN_ID_RE.match(p.name)
            and not (p / "run.json").is_file()
            and any(not child.name.startswith(".") for child in p.iterdir())
        )

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
            # An earlier registration killed half-way left files but no run.json: set them aside.
            for leftover in (run_dir / registration.brief_file, run_dir / "blueprint.yaml"):
                if leftover.exists():
                    quarantine(leftover, "left by an interrupted registration (no run.json)")
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
        try:
            return RunRegistration.model_validate_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError(
                f"{path}: damaged registration ({str(exc).splitlines()[0]}); check it with: docsgen verify {run_id}"
            ) from None

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

        If the content equals the latest version's (and that version is intact on disk), nothing
        is written and ``created`` is False.  Orphans, a torn index line and a corrupt latest
        version left by a crash are quarantined first, so a crash never blocks the next write.
        """
        data = content.encode() if isinstance(content, str) else content
        digest = sha256_hex(data)
        directory = self._artifact_dir(run_id, category, name)
        with _locked(directory / ".lock"):
            self._repair_index(directory)
            history = self.history(run_id, category, name)
            bad = self.quarantined(run_id, category, name)
            last = history[-1] if history else None
            if last is not None and last.version not in bad:
                problem = self.check_version(run_id, last)
                if problem is None and last.sha256 == digest:
                    return last, False
                if problem is not None:
                    self._quarantine_version(run_id, last, problem)
            version = len(history) + 1
            suffix = Path(name).suffix
            file_path = directory / f"v{version}{suffix}"
            if file_path.exists():
                quarantine(file_path, "orphaned version file: no index entry (a write was interrupted)")
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
            append_line(directory / INDEX, record.model_dump_json())
        return record, True

    def _repair_index(self, directory: Path) -> bool:
        """Quarantine a torn trailing index line (a crash mid-append); True if one was found."""
        index = directory / INDEX
        if not index.is_file():
            return False
        raw = index.read_bytes()
        lines = raw.split(b"\n")
        tail = lines[-1]
        if not tail.strip():
            return False
        try:
            VersionRecord.model_validate_json(tail)
        except ValueError:
            pass
        else:
            return False
        torn = directory / f"{INDEX}.torn"
        torn.write_bytes(tail)
        quarantine(torn, "torn last line of versions.jsonl (a write was interrupted)")
        replace_atomic(index, b"\n".join(lines[:-1]) + b"\n" if len(lines) > 1 else b"")
        return True

    def history(self, run_id: str, category: str, name: str) -> list[VersionRecord]:
        index = self._artifact_dir(run_id, category, name) / INDEX
        if not index.is_file():
            return []
        lines = index.read_text(encoding="utf-8", errors="replace").split("\n")
        records = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                records.append(VersionRecord.model_validate_json(line))
            except ValueError:
                if number == len(lines):  # a torn last line: the write it belongs to never finished
                    break
                raise StoreError(
                    f"{index}:{number}: damaged index line; run: docsgen verify {run_id} --repair"
                ) from None
        return records

    def quarantined(self, run_id: str, category: str, name: str) -> dict[int, str]:
        """version -> reason, for the versions of an artifact set aside as damaged."""
        log = self._artifact_dir(run_id, category, name) / QUARANTINE_DIR / QUARANTINE_LOG
        if not log.is_file():
            return {}
        out: dict[int, str] = {}
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                entry = json.loads(line)
                out[int(entry["version"])] = str(entry.get("reason", ""))
            except (ValueError, KeyError, TypeError):
                continue
        return out

    def check_version(self, run_id: str, record: VersionRecord) -> str | None:
        """What is wrong with a recorded version on disk, or None when it is intact."""
        path = self.run_dir(run_id) / record.path
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return "file is missing"
        except OSError as exc:
            return f"unreadable: {exc}"
        if len(data) != record.size:
            return f"content does not match its recorded sha256 ({len(data)} bytes, {record.size} recorded)"
        if sha256_hex(data) != record.sha256:
            return "content does not match its recorded sha256"
        return None

    def _quarantine_version(self, run_id: str, record: VersionRecord, reason: str) -> None:
        directory = self._artifact_dir(run_id, record.category, record.name)
        path = self.run_dir(run_id) / record.path
        moved = quarantine(path, reason).name if path.exists() else ""
        append_line(
            directory / QUARANTINE_DIR / QUARANTINE_LOG,
            json.dumps({"version": record.version, "reason": reason, "moved_to": moved, "at": utc_now()}),
        )

    def quarantine_version(self, run_id: str, record: VersionRecord, reason: str) -> None:
        """Set a damaged version aside (never deleted); a quarantined latest version reads as missing."""
        directory = self._artifact_dir(run_id, record.category, record.name)
        with _locked(directory / ".lock"):
            if record.version not in self.quarantined(run_id, record.category, record.name):
                self._quarantine_version(run_id, record, reason)

    def inspect_artifact(self, run_id: str, category: str, name: str, repair: bool = False) -> list[str]:
        """Every problem of one artifact (index, versions, orphans, leftovers); ``repair`` sets them aside."""
        directory = self._artifact_dir(run_id, category, name)
        problems: list[str] = []
        with _locked(directory / ".lock"):
            index = directory / INDEX
            if index.is_file() and not index.read_bytes().endswith(b"\n") and index.stat().st_size:
                torn = True
                try:
                    VersionRecord.model_validate_json(index.read_bytes().split(b"\n")[-1])
                    torn = False
                except ValueError:
                    pass
                if torn:
                    problems.append(f"{INDEX}: torn last line (interrupted write)")
                    if repair:
                        self._repair_index(directory)
            try:
                history = self.history(run_id, category, name)
            except StoreError as exc:
                return [*problems, str(exc)]
            bad = self.quarantined(run_id, category, name)
            indexed = {Path(r.path).name for r in history}
            for record in history:
                if record.version in bad:
                    continue
                problem = self.check_version(run_id, record)
                if problem is not None:
                    problems.append(f"v{record.version}: {problem}")
                    if repair:
                        self._quarantine_version(run_id, record, problem)
            for path in sorted(directory.iterdir()):
                if path.is_file() and _VERSION_FILE_RE.match(path.name) and path.name not in indexed:
                    problems.append(f"{path.name}: orphaned version file (no index entry)")
                    if repair:
                        quarantine(path, "orphaned version file: no index entry (a write was interrupted)")
                elif is_temp(path) and not temp_owner_alive(path):
                    problems.append(f"{path.name}: leftover temporary file of a killed write")
                    if repair:
                        quarantine(path, "leftover temporary file of a killed write")
        return problems

    def artifacts(self, run_id: str) -> list[tuple[str, str]]:
        """(category, name) of every versioned artifact of a run (indexed, or only orphaned files)."""
        run_dir = self.run_dir(run_id)
        out = set()
        for directory in run_dir.rglob("*"):
            relative = directory.relative_to(run_dir).parts
            if not directory.is_dir() or len(relative) < 2 or relative[0] == "bundles" or QUARANTINE_DIR in relative:
                continue
            if (directory / INDEX).is_file() or any(
                _VERSION_FILE_RE.match(p.name) for p in directory.iterdir() if p.is_file()
            ):
                out.add(("/".join(relative[:-1]), relative[-1]))
        return sorted(out)

    def latest(self, run_id: str, category: str, name: str) -> VersionRecord | None:
        """The latest version, or None when there is none or it was quarantined as damaged."""
        history = self.history(run_id, category, name)
        if not history:
            return None
        last = history[-1]
        if last.version in self.quarantined(run_id, category, name):
            return None
        return last

    def version(self, run_id: str, category: str, name: str, version: int) -> VersionRecord:
        history = self.history(run_id, category, name)
        if not 1 <= version <= len(history):
            raise StoreError(f"{name} has no version {version} in docs run '{run_id}' (latest is v{len(history)})")
        return history[version - 1]

    def read_bytes(self, run_id: str, record: VersionRecord) -> bytes:
        problem = self.check_version(run_id, record)
        if problem is not None:
            raise StoreError(
                f"{record.path} in docs run '{run_id}': {problem} (recorded sha256 {record.sha256[:12]}); "
                f"set it aside with: docsgen verify {run_id} --repair"
            )
        return (self.run_dir(run_id) / record.path).read_bytes()

    def read_text(self, run_id: str, record: VersionRecord) -> str:
        return self.read_bytes(run_id, record).decode("utf-8")

    def names(self, run_id: str, category: str) -> list[str]:
        directory = self.run_dir(run_id) / category
        if not directory.is_dir():
            return []
        return sorted(p.name for p in directory.iterdir() if (p / INDEX).is_file())

    # -- append-only event logs (regenerations, approvals, feedback) --------------------------
    def append_event(self, run_id: str, log: str, event: dict[str, Any]) -> dict[str, Any]:
        path = self.run_dir(run_id) / "events" / f"{log}.jsonl"
        record = {"at": utc_now(), **event}
        with _locked(path.with_suffix(".lock")):
            append_line(path, json.dumps(record, sort_keys=True))
        return record

    def events(self, run_id: str, log: str) -> list[dict[str, Any]]:
        path = self.run_dir(run_id) / "events" / f"{log}.jsonl"
        if not path.is_file():
            return []
        out = []
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if not line.strip():
                continue
            try:
                out.append(json.loads(line))
            except ValueError:  # a torn line from a killed append: the event was never recorded
                continue
        return out

    def write_tree(self, run_id: str, category: str, files: dict[str, bytes]) -> tuple[Path, int]:
        """Write a new immutable directory version (e.g. a bundle): ``<category>/v<K>/…``.

        The tree is staged in a hidden folder and renamed into place whole, so a bundle folder
        that exists is always complete.
        """
        base = self.run_dir(run_id) / category
        for relative in files:
            if relative.startswith("/") or ".." in Path(relative).parts:
                raise StoreError(f"invalid bundle path {relative!r}")
        with _locked(base / ".lock"):
            existing = [int(p.name[1:]) for p in base.glob("v*") if p.is_dir() and p.name[1:].isdigit()]
            set_aside = [
                int(m.group(1)) for p in (base / QUARANTINE_DIR).glob("v*") if (m := re.match(r"^v(\d+)\.", p.name))
            ]
            version = max([*existing, *set_aside], default=0) + 1
            target = base / f"v{version}"
            staged = base / f".v{version}.{os.getpid()}.staging"
            if staged.exists():
                quarantine(staged, "leftover staging folder of a killed bundle write")
            for relative, data in sorted(files.items()):
                _write_once(staged / relative, data)
            os.rename(staged, target)
            fsync_dir(base)
        return target, version

    def tree_versions(self, run_id: str, category: str) -> list[Path]:
        base = self.run_dir(run_id) / category
        if not base.is_dir():
            return []
        found = [p for p in base.glob("v*") if p.is_dir() and p.name[1:].isdigit()]
        return sorted(found, key=lambda p: int(p.name[1:]))

    def quarantine_tree(self, run_id: str, category: str, version_dir: Path, reason: str) -> Path:
        base = self.run_dir(run_id) / category
        with _locked(base / ".lock"):
            return quarantine(version_dir, reason)
