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

Where the bytes live is :mod:`docsgen_pipeline.blobs`: a local folder (the default) or an object
store addressed by URL (``s3://bucket/prefix``, ``gs://…``, ``az://…``), where the index is one
write-once object per version (``versions.jsonl/<K>``) and every object is created with
If-None-Match.  Every read is checked against the recorded sha256.

Crash safety of the local folder (see :mod:`docsgen_pipeline.atomic_files`):
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
import random
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from docsgen_pipeline.atomic_files import (
    QUARANTINE_DIR,
    fsync_dir,
    is_temp,
    quarantine,
    temp_owner_alive,
    write_once_atomic,
)
from docsgen_pipeline.blobs.local import LocalBlobs
from docsgen_pipeline.blobs.protocol import Blobs
from docsgen_pipeline.blobs.registry import open_blobs, working_root
from docsgen_pipeline.errors import RunIdError, StoreError, UnknownRunError
from docsgen_pipeline.limits import number_setting

RUN_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_CATEGORY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)*$")
# v3.md in a folder; v3.<12 hex>.md in an object store (each writer uploads an object of its own)
_VERSION_FILE_RE = re.compile(r"^v(\d+)(\.[0-9a-f]{12})?(\.[A-Za-z0-9]+)?$")
# In an object store a writer uploads its version, then records it: an unindexed upload younger
# than this may still be recorded by a writer on another machine (no lock spans machines).
DEFAULT_UNINDEXED_GRACE_S = 600.0
INDEX = "versions.jsonl"
QUARANTINE_LOG = "quarantined.jsonl"
# How often a writer looks again after writers on other machines took the version it meant to add.
_RACE_ATTEMPTS = 20
BUNDLES_CATEGORY = "bundles"  # tree versions, not versioned artifacts (docs_run.BUNDLES)


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


def _record_name() -> str:
    """A record's name in an object store's log: time-ordered, unique across machines."""
    return f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%fZ')}-{uuid.uuid4().hex[:8]}"


def unindexed_grace_s() -> float:
    """``$DOCSGEN_UNINDEXED_GRACE_S``: how old an unrecorded upload must be before verify calls it orphaned."""
    return number_setting("DOCSGEN_UNINDEXED_GRACE_S", DEFAULT_UNINDEXED_GRACE_S, float, "a number of seconds", 0, "s")


class ArtifactStore:
    """The artifact store; safe for concurrent writers of different or the same artifact.

    ``location`` is a folder (the default) or an object-store URL (``s3://bucket/prefix``,
    ``gs://…``, ``az://…``; ``file:///path`` is the folder).  What every machine must share
    (registrations, versions, indexes, event logs, quarantine records, bundles) goes through
    :attr:`blobs`.  :attr:`root` is always a *local* folder: for a folder store it is that folder;
    for an object store it is this machine's working folder (``$DOCSGEN_HOME/store-local/…``),
    holding only machine-local things: file locks, the status cache, execution and publish
    locks, budget ledgers and verified copies of bundles.
    """

    def __init__(self, root: str | Path, local_root: str | Path | None = None) -> None:
        self.location = str(root)
        self.blobs: Blobs = open_blobs(root)
        if isinstance(self.blobs, LocalBlobs):
            self.root = self.blobs.root
        elif local_root is not None:
            self.root = Path(local_root).expanduser()
        else:
            from docsgen_pipeline.settings import docsgen_home

            self.root = working_root(root, docsgen_home())

    @property
    def is_local(self) -> bool:
        return self.blobs.is_local

    def check(self) -> None:
        """Raise StoreError (one line naming the URL) when the store cannot be reached."""
        self.blobs.check()

    # -- runs ---------------------------------------------------------------------------------
    def run_dir(self, run_id: str) -> Path:
        """The run's local folder (for a folder store: where its artifacts are)."""
        return self.root / "runs" / validate_run_id(run_id)

    @staticmethod
    def _run_key(run_id: str) -> str:
        return f"runs/{validate_run_id(run_id)}"

    def one_listing(self, run_id: str) -> AbstractContextManager[None]:
        """A block of reads about many artifacts of one docs run: one listing of the run in an object
        store instead of one per artifact (this thread's writes are seen at once)."""
        return self.blobs.one_listing(self._run_key(run_id))

    def has_run(self, run_id: str) -> bool:
        return self.blobs.exists(f"{self._run_key(run_id)}/run.json")

    def run_ids(self) -> list[str]:
        return self.run_folders()[0]

    def damaged_run_dirs(self) -> list[str]:
        """Folders under ``runs/`` that are not a readable registered run (shown as Broken, never fatal)."""
        return self.run_folders()[1]

    def run_folders(self) -> tuple[list[str], list[str]]:
        """(registered run ids, damaged run folders) from one listing of ``runs/``."""
        registered, damaged = [], []
        for name in self.blobs.children("runs")[0]:
            if not RUN_ID_RE.match(name):
                continue
            if self.blobs.exists(f"runs/{name}/run.json"):
                registered.append(name)
            elif self.is_damaged_run_folder(name):
                damaged.append(name)
        return registered, damaged

    def is_damaged_run_folder(self, name: str) -> bool:
        """A folder under ``runs/`` without a run.json that holds something (more than a failed registration's lock)."""
        folders, files = self.blobs.children(f"runs/{name}")
        return any(not child.startswith(".") for child in [*folders, *files])

    def _write_new(self, key: str, data: bytes) -> None:
        if not self.blobs.put_if_absent(key, data):
            raise StoreError(f"{self.blobs.where(key)}: artifact already exists and is immutable")

    def register_run(self, registration: RunRegistration, brief_text: str, blueprint_yaml: str) -> RunRegistration:
        """Record a new docs run; registering the same brief and blueprint again is a no-op."""
        run_key = self._run_key(registration.run_id)
        with _locked(self.run_dir(registration.run_id) / ".lock"):
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
            for leftover in (f"{run_key}/{registration.brief_file}", f"{run_key}/blueprint.yaml"):
                if self.blobs.exists(leftover):
                    self.blobs.quarantine(leftover, "left by an interrupted registration (no run.json)")
            self._write_new(f"{run_key}/{registration.brief_file}", brief_text.encode())
            self._write_new(f"{run_key}/blueprint.yaml", blueprint_yaml.encode())
            self._write_new(f"{run_key}/run.json", registration.model_dump_json(indent=2).encode())
        return registration

    def registration(self, run_id: str) -> RunRegistration:
        key = f"{self._run_key(run_id)}/run.json"
        try:
            data = self.blobs.get(key)
        except OSError as exc:
            raise StoreError(f"{self.blobs.where(key)}: unreadable registration ({exc})") from None
        if data is None:
            raise UnknownRunError(
                f"docs run '{run_id}' is not registered (start it with: docsgen run BRIEF --run-id {run_id})"
            )
        try:
            return RunRegistration.model_validate_json(data.decode("utf-8"))
        except ValueError as exc:
            raise StoreError(
                f"{self.blobs.where(key)}: damaged registration ({str(exc).splitlines()[0]}); "
                f"check it with: docsgen verify {run_id}"
            ) from None

    def has_run_file(self, run_id: str, relative: str) -> bool:
        return self.blobs.exists(f"{self._run_key(run_id)}/{relative}")

    def run_location(self, run_id: str) -> str:
        """Where a person finds the run's artifacts: its folder, or its prefix's URL."""
        return self.blobs.where(self._run_key(run_id))

    def where(self, run_id: str, record: VersionRecord) -> str:
        """Where a person finds a version: its file, or its object's URL."""
        return self.blobs.where(f"{self._run_key(run_id)}/{record.path}")

    def read_run_bytes(self, run_id: str, relative: str) -> bytes:
        """A file of the run's registration (brief, blueprint); FileNotFoundError when it is missing."""
        key = f"{self._run_key(run_id)}/{relative}"
        data = self.blobs.get(key)
        if data is None:
            raise FileNotFoundError(self.blobs.where(key))
        return data

    def read_run_file(self, run_id: str, relative: str) -> str:
        return self.read_run_bytes(run_id, relative).decode("utf-8")

    # -- versioned artifacts ------------------------------------------------------------------
    def _artifact_key(self, run_id: str, category: str, name: str) -> str:
        if not _CATEGORY_RE.match(category):
            raise StoreError(f"invalid artifact category {category!r}")
        if not _NAME_RE.match(name) or ".." in name:
            raise StoreError(f"invalid artifact name {name!r}")
        return f"{self._run_key(run_id)}/{category}/{name}"

    def _artifact_lock(self, run_id: str, category: str, name: str) -> Path:
        self._artifact_key(run_id, category, name)
        return self.run_dir(run_id) / category / name / ".lock"

    def put(
        self, run_id: str, category: str, name: str, content: bytes | str, meta: dict[str, Any] | None = None
    ) -> tuple[VersionRecord, bool]:
        """Store content as the next version; returns (record, created).

        If the content equals the latest version's (and that version is intact), nothing is
        written and ``created`` is False.  Orphans, a torn index line and a corrupt latest
        version left by a crash are quarantined first, so a crash never blocks the next write.

        The file lock only serialises writers on this machine.  In an object store each writer
        uploads its bytes to an object of its own (``v<K>.<token><ext>``) and the index record
        ``versions.jsonl/<K>``, created with If-None-Match, decides whose version K is: a writer on
        another machine that recorded K first wins, and this one looks again (its content may now
        be unchanged) and takes K+1, never overwriting anything.
        """
        data = content.encode() if isinstance(content, str) else content
        digest = sha256_hex(data)
        key = self._artifact_key(run_id, category, name)
        index = f"{key}/{INDEX}"
        with _locked(self._artifact_lock(run_id, category, name)):
            self.blobs.drop_torn_tail(index)
            for attempt in range(_RACE_ATTEMPTS):
                history, bad = self._state(run_id, category, name)
                last = history[-1] if history else None
                if last is not None and last.version not in bad:
                    problem = self.check_version(run_id, last)
                    if problem is None and last.sha256 == digest:
                        return last, False
                    if problem is not None:
                        self._quarantine_version(run_id, last, problem)
                version = len(history) + 1
                relative = self._new_version_path(run_id, category, name, version)
                file_key = f"{self._run_key(run_id)}/{relative}"
                if not self.blobs.put_if_absent(file_key, data):
                    raise StoreError(f"{self.blobs.where(file_key)}: artifact already exists and is immutable")
                record = VersionRecord(
                    category=category,
                    name=name,
                    version=version,
                    sha256=digest,
                    size=len(data),
                    path=relative,
                    created_at=utc_now(),
                    meta=dict(meta or {}),
                )
                if self.blobs.add_record(index, f"{version:08d}", record.model_dump_json()):
                    return record, True
                self.blobs.quarantine(file_key, f"another writer recorded version {version} first")
                time.sleep(random.uniform(0, 0.02 * (attempt + 1)))  # jitter: two losers do not collide again
        raise StoreError(
            f"{self.blobs.where(key)}: other writers kept adding versions; nothing was overwritten, retry the step"
        )

    def _new_version_path(self, run_id: str, category: str, name: str, version: int) -> str:
        """Where version ``version``'s bytes go, relative to the run; a folder's orphan there is set aside."""
        suffix = Path(name).suffix
        if not self.blobs.is_local:
            return f"{category}/{name}/v{version}.{uuid.uuid4().hex[:12]}{suffix}"
        relative = f"{category}/{name}/v{version}{suffix}"
        file_key = f"{self._run_key(run_id)}/{relative}"
        if self.blobs.exists(file_key):
            self.blobs.quarantine(file_key, "orphaned version file: no index entry (a write was interrupted)")
        return relative

    def history(self, run_id: str, category: str, name: str) -> list[VersionRecord]:
        index = f"{self._artifact_key(run_id, category, name)}/{INDEX}"
        return self._parse_history(run_id, index, self.blobs.records(index))

    def _parse_history(self, run_id: str, index: str, lines: list[str]) -> list[VersionRecord]:
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
                    f"{self.blobs.where(index)}:{number}: damaged index line; run: docsgen verify {run_id} --repair"
                ) from None
        return records

    def quarantined(self, run_id: str, category: str, name: str) -> dict[int, str]:
        """version -> reason, for the versions of an artifact set aside as damaged."""
        log = f"{self._artifact_key(run_id, category, name)}/{QUARANTINE_DIR}/{QUARANTINE_LOG}"
        return self._parse_quarantined(self.blobs.records(log))

    @staticmethod
    def _parse_quarantined(lines: list[str]) -> dict[int, str]:
        out: dict[int, str] = {}
        for line in lines:
            try:
                entry = json.loads(line)
                out[int(entry["version"])] = str(entry.get("reason", ""))
            except (ValueError, KeyError, TypeError):
                continue
        return out

    def _state(self, run_id: str, category: str, name: str) -> tuple[list[VersionRecord], dict[int, str]]:
        """(history, quarantined) in one look: one listing of the artifact in an object store."""
        key = self._artifact_key(run_id, category, name)
        quarantine_log = f"{QUARANTINE_DIR}/{QUARANTINE_LOG}"
        logs = self.blobs.record_logs(key, [INDEX, quarantine_log])
        return (
            self._parse_history(run_id, f"{key}/{INDEX}", logs[INDEX]),
            self._parse_quarantined(logs[quarantine_log]),
        )

    def _problem(self, record: VersionRecord, data: bytes | None) -> str | None:
        if data is None:
            return "file is missing"
        if len(data) != record.size:
            return f"content does not match its recorded sha256 ({len(data)} bytes, {record.size} recorded)"
        if sha256_hex(data) != record.sha256:
            return "content does not match its recorded sha256"
        return None

    def check_version(self, run_id: str, record: VersionRecord) -> str | None:
        """What is wrong with a recorded version, or None when it is intact."""
        try:
            data = self.blobs.get(f"{self._run_key(run_id)}/{record.path}")
        except OSError as exc:
            return f"unreadable: {exc}"
        return self._problem(record, data)

    def _quarantine_version(self, run_id: str, record: VersionRecord, reason: str) -> None:
        key = self._artifact_key(run_id, record.category, record.name)
        file_key = f"{self._run_key(run_id)}/{record.path}"
        moved = self.blobs.quarantine(file_key, reason) if self.blobs.exists(file_key) else ""
        self.blobs.add_record(
            f"{key}/{QUARANTINE_DIR}/{QUARANTINE_LOG}",
            f"{record.version:08d}-{_record_name()}",
            json.dumps({"version": record.version, "reason": reason, "moved_to": moved, "at": utc_now()}),
        )

    def quarantine_version(self, run_id: str, record: VersionRecord, reason: str) -> None:
        """Set a damaged version aside (never deleted); a quarantined latest version reads as missing."""
        with _locked(self._artifact_lock(run_id, record.category, record.name)):
            if record.version not in self.quarantined(run_id, record.category, record.name):
                self._quarantine_version(run_id, record, reason)

    def inspect_artifact(
        self,
        run_id: str,
        category: str,
        name: str,
        repair: bool = False,
        unindexed_grace: float = DEFAULT_UNINDEXED_GRACE_S,
    ) -> list[str]:
        """Every problem of one artifact (index, versions, orphans, leftovers); ``repair`` sets them aside.

        ``unindexed_grace``: seconds an unrecorded upload to an object store is left alone
        (``docsgen verify`` passes :func:`unindexed_grace_s`)."""
        key = self._artifact_key(run_id, category, name)
        problems: list[str] = []
        with _locked(self._artifact_lock(run_id, category, name)):
            if self.blobs.torn_tail(f"{key}/{INDEX}"):
                problems.append(f"{INDEX}: torn last line (interrupted write)")
                if repair:
                    self.blobs.drop_torn_tail(f"{key}/{INDEX}")
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
            for file_name in self.blobs.children(key)[1]:
                if _VERSION_FILE_RE.match(file_name) and file_name not in indexed:
                    if not self.blobs.is_local and self.blobs.age_s(f"{key}/{file_name}") < unindexed_grace:
                        continue  # an upload another machine is about to record, not (yet) an orphan
                    problems.append(f"{file_name}: orphaned version file (no index entry)")
                    if repair:
                        self.blobs.quarantine(
                            f"{key}/{file_name}", "orphaned version file: no index entry (a write was interrupted)"
                        )
                elif is_temp(Path(file_name)) and not temp_owner_alive(Path(file_name)):
                    problems.append(f"{file_name}: leftover temporary file of a killed write")
                    if repair:
                        self.blobs.quarantine(f"{key}/{file_name}", "leftover temporary file of a killed write")
        return problems

    def artifacts(self, run_id: str) -> list[tuple[str, str]]:
        """(category, name) of every versioned artifact of a run (indexed, or only orphaned files)."""
        run_key = self._run_key(run_id)
        out = set()
        for key in self.blobs.walk(run_key):
            parts = key[len(run_key) + 1 :].split("/")
            if parts[0] == BUNDLES_CATEGORY or QUARANTINE_DIR in parts:
                continue
            if INDEX in parts:
                artifact = parts[: parts.index(INDEX)]
            elif _VERSION_FILE_RE.match(parts[-1]):
                artifact = parts[:-1]
            else:
                continue
            if len(artifact) >= 2:
                out.add(("/".join(artifact[:-1]), artifact[-1]))
        return sorted(out)

    def latest(self, run_id: str, category: str, name: str) -> VersionRecord | None:
        """The latest version, or None when there is none or it was quarantined as damaged."""
        history, bad = self._state(run_id, category, name)
        if not history or history[-1].version in bad:
            return None
        return history[-1]

    def version(self, run_id: str, category: str, name: str, version: int) -> VersionRecord:
        history = self.history(run_id, category, name)
        if not 1 <= version <= len(history):
            raise StoreError(f"{name} has no version {version} in docs run '{run_id}' (latest is v{len(history)})")
        return history[version - 1]

    def read_bytes(self, run_id: str, record: VersionRecord) -> bytes:
        """The version's bytes, checked against its recorded size and sha256 on every read."""
        try:
            data = self.blobs.get(f"{self._run_key(run_id)}/{record.path}")
            problem = self._problem(record, data)
        except OSError as exc:
            data, problem = None, f"unreadable: {exc}"
        if problem is not None or data is None:
            raise StoreError(
                f"{record.path} in docs run '{run_id}': {problem} (recorded sha256 {record.sha256[:12]}); "
                f"set it aside with: docsgen verify {run_id} --repair"
            )
        return data

    def read_text(self, run_id: str, record: VersionRecord) -> str:
        return self.read_bytes(run_id, record).decode("utf-8")

    def names(self, run_id: str, category: str) -> list[str]:
        if not _CATEGORY_RE.match(category):
            raise StoreError(f"invalid artifact category {category!r}")
        base = f"{self._run_key(run_id)}/{category}"
        return [name for name in self.blobs.children(base)[0] if self.blobs.has_records(f"{base}/{name}/{INDEX}")]

    # -- append-only event logs (regenerations, approvals, feedback) --------------------------
    def append_event(self, run_id: str, log: str, event: dict[str, Any]) -> dict[str, Any]:
        key = f"{self._run_key(run_id)}/events/{log}.jsonl"
        record = {"at": utc_now(), **event}
        with _locked(self.run_dir(run_id) / "events" / f"{log}.lock"):
            self.blobs.add_record(key, _record_name(), json.dumps(record, sort_keys=True))
        return record

    def events(self, run_id: str, log: str) -> list[dict[str, Any]]:
        out = []
        for line in self.blobs.records(f"{self._run_key(run_id)}/events/{log}.jsonl"):
            if not line.strip():
                continue
            try:
                out.append(json.loads(line))
            except ValueError:  # a torn line from a killed append: the event was never recorded
                continue
        return out

    # -- immutable directory versions (bundles) -----------------------------------------------
    def write_tree(self, run_id: str, category: str, files: dict[str, bytes]) -> tuple[Path, int]:
        """Write a new immutable directory version (e.g. a bundle): ``<category>/v<K>/…``.

        The tree is staged in a hidden local folder and renamed into place whole, so a bundle
        folder that exists is always complete.  With an object store the files are then uploaded
        write-once, and last ``<category>/v<K>.tree.json`` (every file's sha256): a tree without
        it is incomplete and no machine uses it.
        """
        base = self.run_dir(run_id) / category
        for relative in files:
            if relative.startswith("/") or ".." in Path(relative).parts:
                raise StoreError(f"invalid bundle path {relative!r}")
        with _locked(base / ".lock"):
            self._sync_trees(run_id, category)
            existing = [int(p.name[1:]) for p in base.glob("v*") if p.is_dir() and p.name[1:].isdigit()]
            set_aside = [
                int(m.group(1)) for p in (base / QUARANTINE_DIR).glob("v*") if (m := re.match(r"^v(\d+)\.", p.name))
            ]
            version = max([*existing, *set_aside, *self._remote_tree_numbers(run_id, category)], default=0) + 1
            target = base / f"v{version}"
            staged = base / f".v{version}.{os.getpid()}.staging"
            if staged.exists():
                quarantine(staged, "leftover staging folder of a killed bundle write")
            for relative, data in sorted(files.items()):
                _write_once(staged / relative, data)
            if not self.blobs.is_local:
                self._upload_tree(run_id, category, version, files)
            os.rename(staged, target)
            fsync_dir(base)
        return target, version

    def _tree_key(self, run_id: str, category: str) -> str:
        if not _CATEGORY_RE.match(category):
            raise StoreError(f"invalid artifact category {category!r}")
        return f"{self._run_key(run_id)}/{category}"

    def _remote_tree_numbers(self, run_id: str, category: str) -> list[int]:
        """Tree versions known to the object store, complete or not, quarantined or not (never reused)."""
        if self.blobs.is_local:
            return []
        base = self._tree_key(run_id, category)
        folders, files = self.blobs.children(base)
        quarantined = self.blobs.children(f"{base}/{QUARANTINE_DIR}")[1]
        found = [int(m.group(1)) for n in folders if (m := re.match(r"^v(\d+)$", n))]
        found += [int(m.group(1)) for n in [*files, *quarantined] if (m := re.match(r"^v(\d+)\.tree\.json", n))]
        return found

    def _upload_tree(self, run_id: str, category: str, version: int, files: dict[str, bytes]) -> None:
        base = f"{self._tree_key(run_id, category)}/v{version}"
        for relative, data in sorted(files.items()):
            self._write_new(f"{base}/{relative}", data)
        listing = {relative: sha256_hex(data) for relative, data in sorted(files.items())}
        self._write_new(f"{base}.tree.json", json.dumps({"version": version, "files": listing}, indent=2).encode())

    def _sync_trees(self, run_id: str, category: str) -> None:
        """Copy the object store's complete trees this machine lacks into its local folder, each file checked."""
        if self.blobs.is_local:
            return
        key = self._tree_key(run_id, category)
        base = self.run_dir(run_id) / category
        for name in self.blobs.children(key)[1]:
            match = re.match(r"^v(\d+)\.tree\.json$", name)
            if not match or (base / f"v{match.group(1)}").exists():
                continue
            listing = json.loads(self.blobs.get(f"{key}/{name}") or b"{}").get("files", {})
            staged = base / f".v{match.group(1)}.{os.getpid()}.download"
            if staged.exists():
                quarantine(staged, "leftover folder of a killed bundle download")
            for relative, digest in sorted(listing.items()):
                data = self.blobs.get(f"{key}/v{match.group(1)}/{relative}")
                if data is None or sha256_hex(data) != digest:
                    raise StoreError(
                        f"{self.blobs.where(f'{key}/v{match.group(1)}/{relative}')}: "
                        f"{'missing' if data is None else 'does not match its sha256 in ' + name}; "
                        f"check it with: docsgen verify {run_id}"
                    )
                _write_once(staged / relative, data)
            base.mkdir(parents=True, exist_ok=True)
            os.rename(staged, base / f"v{match.group(1)}")
            fsync_dir(base)

    def tree_base(self, run_id: str, category: str) -> Path:
        """The local folder holding the run's tree versions (``<category>/v<K>``), brought up to date first."""
        base = self.run_dir(run_id) / category
        if not self.blobs.is_local:
            with _locked(base / ".lock"):
                self._sync_trees(run_id, category)
        return base

    def tree_versions(self, run_id: str, category: str) -> list[Path]:
        base = self.tree_base(run_id, category)
        if not base.is_dir():
            return []
        found = [p for p in base.glob("v*") if p.is_dir() and p.name[1:].isdigit()]
        return sorted(found, key=lambda p: int(p.name[1:]))

    def quarantine_tree(self, run_id: str, category: str, version_dir: Path, reason: str) -> Path:
        base = self.run_dir(run_id) / category
        with _locked(base / ".lock"):
            if not self.blobs.is_local:
                marker = f"{self._tree_key(run_id, category)}/{version_dir.name}.tree.json"
                if self.blobs.exists(marker):  # no machine syncs it again; its files stay where they are
                    self.blobs.quarantine(marker, reason)
            return quarantine(version_dir, reason)


class EventLedger:
    """A run's event log used as a line ledger (a budget's spend): shared by every machine of an object store."""

    def __init__(self, store: ArtifactStore, run_id: str, log: str) -> None:
        self.store, self.run_id, self.log = store, run_id, log

    def lines(self) -> list[str]:
        return [json.dumps(event) for event in self.store.events(self.run_id, self.log)]

    def append(self, line: str) -> None:
        self.store.append_event(self.run_id, self.log, json.loads(line))
