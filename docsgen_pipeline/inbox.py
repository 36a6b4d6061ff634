"""The requests inbox: briefs waiting to become docs runs (pure; no Dagster).

A request is one brief, identified by the sha256 of its bytes.  Layout of the inbox folder::

    <inbox>/<any file>                      briefs dropped by a person or another system (left in place)
    <inbox>/requests/<sha>/brief.<yaml|md>  the brief as received (write once)
    <inbox>/requests/<sha>/request.json     how it was requested: review mode, scheduled, blueprint (write once)
    <inbox>/requests/<sha>/blueprint.yaml   the blueprint it was submitted with, if any (write once)
    <inbox>/requests/ledger.jsonl           append-only status changes of every request

Nothing is ever deleted or rewritten: a request's status is the last ledger line naming it, and
every change is appended under an ``fcntl`` lock, so the sensor, the schedule and ``docsgen skip``
can race safely.  The same bytes dropped twice are one request; an edited brief is a new one.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from docsgen_pipeline.blueprint import Blueprint
from docsgen_pipeline.brief import guess_format, parse_brief_text
from docsgen_pipeline.errors import BlueprintError, DocsGenError
from docsgen_pipeline.registration import register_docs_run
from docsgen_pipeline.settings import docsgen_home
from docsgen_pipeline.store import ArtifactStore, RunRegistration, sha256_hex, utc_now, validate_run_id

RequestStatus = Literal["pending", "consumed", "skipped", "rejected"]
ReviewMode = Literal["interactive", "batch"]

REQUESTS = "requests"
LEDGER = "ledger.jsonl"
# Files a copy in progress leaves behind; never taken for a brief.
_PARTIAL_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".swp", "~")
DEFAULT_PENDING_DAYS = 7.0
ID_LENGTH = 12


class RequestError(DocsGenError):
    """A request cannot be found, or the asked change is not allowed in its current status."""


def inbox_dir() -> Path:
    """``$DOCSGEN_INBOX`` or ``$DOCSGEN_HOME/inbox``: where briefs are dropped."""
    return Path(os.environ.get("DOCSGEN_INBOX") or docsgen_home() / "inbox").expanduser()


def pending_threshold() -> timedelta:
    """How long a request may stay pending before it is flagged (``$DOCSGEN_PENDING_DAYS``, default 7)."""
    raw = os.environ.get("DOCSGEN_PENDING_DAYS", "")
    try:
        days = float(raw) if raw else DEFAULT_PENDING_DAYS
    except ValueError:
        raise RequestError(f"DOCSGEN_PENDING_DAYS={raw!r} is not a number of days") from None
    return timedelta(days=days)


def run_id_for(slug: str, sha: str) -> str:
    """The docs run a request becomes: stable for the same brief, new for an edited one."""
    return f"{slug[:40].strip('-') or 'project'}-{sha[:8]}"


class RequestSpec(BaseModel):
    """How a brief was requested (recorded once, when the request is created)."""

    sha256: str
    brief_file: str
    brief_format: Literal["yaml", "markdown"]
    source: str = Field(description="the file it came from (a path for submit, a file name for a drop)")
    review_mode: ReviewMode | None = Field(default=None, description="None: the brief's choice, else batch")
    scheduled: bool = Field(default=False, description="wait for the scheduled batch instead of the sensor")
    blueprint_sha256: str | None = None
    blueprint_name: str | None = None
    blueprint_version: int | None = None
    run_id: str | None = Field(default=None, description="the docs-run id asked for; None: <slug>-<sha8>")
    submitted_at: str = Field(default_factory=utc_now)
    submitted_by: str = "drop"


@dataclass(frozen=True)
class Request:
    spec: RequestSpec
    history: tuple[dict[str, Any], ...]
    directory: Path

    @property
    def sha(self) -> str:
        return self.spec.sha256

    @property
    def id(self) -> str:
        return self.sha[:ID_LENGTH]

    @property
    def status(self) -> RequestStatus:
        status: RequestStatus = self.history[-1]["status"] if self.history else "pending"
        return status

    @property
    def run_id(self) -> str | None:
        return next((e.get("run_id") for e in reversed(self.history) if e.get("run_id")), None)

    @property
    def reason(self) -> str:
        return str(self.history[-1].get("reason", "")) if self.history else ""

    @property
    def brief_path(self) -> Path:
        return self.directory / self.spec.brief_file

    def brief_bytes(self) -> bytes:
        return self.brief_path.read_bytes()

    def brief_text(self) -> str:
        """The brief as text; a brief that is not UTF-8 raises :class:`RequestError` (the request is rejected)."""
        try:
            return self.brief_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RequestError(
                f"{self.spec.source}: not a UTF-8 text file ({exc.reason} at byte {exc.start}); "
                "save the brief as UTF-8 YAML or Markdown and drop it again"
            ) from None

    def blueprint_yaml(self) -> str | None:
        path = self.directory / "blueprint.yaml"
        return path.read_text(encoding="utf-8") if path.is_file() else None

    def waiting(self, now: datetime) -> timedelta:
        """Time since the request became pending (submitted, or reopened)."""
        since = next((e["at"] for e in reversed(self.history) if e.get("status") == "pending"), None)
        return now - datetime.fromisoformat(str(since or self.spec.submitted_at))

    def overdue(self, now: datetime, threshold: timedelta) -> bool:
        return self.status == "pending" and self.waiting(now) > threshold

    def unblock_hint(self) -> str:
        """The command that moves a pending request on."""
        if self.spec.scheduled:
            waits = "waits for the scheduled batch (schedule 'scheduled_batch' must be running: `dagster dev`)"
        else:
            waits = "waits for the inbox sensor (start it: `dagster dev` or `dagster-daemon run`)"
        return f"{waits}, or skip it: docsgen skip {self.id}"

    def as_json(self, now: datetime | None = None, threshold: timedelta | None = None) -> dict[str, Any]:
        now = now or datetime.now(UTC)
        data: dict[str, Any] = {
            "id": self.id,
            "sha256": self.sha,
            "status": self.status,
            "run_id": self.run_id,
            "reason": self.reason,
            "source": self.spec.source,
            "brief": str(self.brief_path),
            "review_mode": self.spec.review_mode,
            "scheduled": self.spec.scheduled,
            "blueprint_sha256": self.spec.blueprint_sha256,
            "submitted_at": self.spec.submitted_at,
            "submitted_by": self.spec.submitted_by,
            "history": list(self.history),
        }
        if threshold is not None:
            overdue = self.overdue(now, threshold)
            data["overdue"] = overdue
            data["unblock"] = self.unblock_hint() if overdue else None
        return data


def _is_candidate(path: Path) -> bool:
    name = path.name
    return path.is_file() and not name.startswith(".") and not name.endswith(_PARTIAL_SUFFIXES)


class Inbox:
    """The requests inbox folder; safe for concurrent writers (sensor, schedule, CLI)."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).expanduser()

    @property
    def requests_dir(self) -> Path:
        return self.root / REQUESTS

    @property
    def ledger_path(self) -> Path:
        return self.requests_dir / LEDGER

    # -- locking and the ledger ----------------------------------------------------------------
    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the inbox lock (not re-entrant: never nest it)."""
        self.requests_dir.mkdir(parents=True, exist_ok=True)
        with open(self.requests_dir / ".lock", "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _ledger(self) -> dict[str, list[dict[str, Any]]]:
        events: dict[str, list[dict[str, Any]]] = {}
        if not self.ledger_path.is_file():
            return events
        for line in self.ledger_path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                event = json.loads(line) if line.strip() else None
            except json.JSONDecodeError:
                event = None  # a line cut short by a crash: the change it recorded never completed
            if isinstance(event, dict) and isinstance(event.get("request"), str):
                events.setdefault(event["request"], []).append(event)
        return events

    def _append(self, sha: str, status: RequestStatus, by: str, **fields: Any) -> dict[str, Any]:
        event = {"at": utc_now(), "request": sha, "status": status, "by": by, **fields}
        line = json.dumps(event, sort_keys=True) + "\n"
        with open(self.ledger_path, "a+b") as handle:
            handle.seek(0, os.SEEK_END)
            if handle.tell() > 0:
                handle.seek(-1, os.SEEK_END)
                if handle.read(1) != b"\n":
                    line = "\n" + line  # close a line a crash cut short, so this one stays readable
            handle.write(line.encode())
            handle.flush()
            os.fsync(handle.fileno())
        return event

    # -- reading -------------------------------------------------------------------------------
    def _spec(self, sha: str) -> RequestSpec | None:
        path = self.requests_dir / sha / "request.json"
        if not path.is_file():
            return None
        return RequestSpec.model_validate_json(path.read_text(encoding="utf-8"))

    def requests(self) -> list[Request]:
        """Every request, oldest first."""
        if not self.requests_dir.is_dir():
            return []
        ledger = self._ledger()
        out = []
        for directory in self.requests_dir.iterdir():
            spec = self._spec(directory.name) if directory.is_dir() else None
            if spec is not None:
                out.append(Request(spec=spec, history=tuple(ledger.get(spec.sha256, [])), directory=directory))
        return sorted(out, key=lambda r: (r.spec.submitted_at, r.sha))

    def get(self, ref: str) -> Request:
        """A request by its id or any unambiguous prefix of its sha256 (at least 4 characters)."""
        ref = ref.strip().lower()
        if len(ref) < 4 or any(c not in "0123456789abcdef" for c in ref):
            raise RequestError(f"'{ref}' is not a request id: use the id shown by `docsgen requests`")
        matches = [r for r in self.requests() if r.sha.startswith(ref)]
        if not matches:
            raise RequestError(f"no request '{ref}' in {self.root} (list them: docsgen requests)")
        if len(matches) > 1:
            raise RequestError(f"request id '{ref}' is ambiguous ({len(matches)} requests); give more characters")
        return matches[0]

    # -- creating ------------------------------------------------------------------------------
    def _create(self, data: bytes, spec: RequestSpec, blueprint_yaml: str | None) -> tuple[Request, bool]:
        """Under the lock: write the request once; the same bytes again return the existing one."""
        directory = self.requests_dir / spec.sha256
        existing = self._spec(spec.sha256)
        if existing is None:
            directory.mkdir(parents=True, exist_ok=True)
            _write_atomic(directory / spec.brief_file, data)
            if blueprint_yaml is not None:
                _write_atomic(directory / "blueprint.yaml", blueprint_yaml.encode())
            _write_atomic(directory / "request.json", spec.model_dump_json(indent=2).encode())
            self._append(spec.sha256, "pending", spec.submitted_by, source=spec.source)
        ledger = self._ledger()
        final = existing or spec
        return Request(spec=final, history=tuple(ledger.get(final.sha256, [])), directory=directory), existing is None

    def submit(
        self,
        data: bytes,
        source: str,
        *,
        brief_format: Literal["yaml", "markdown"],
        review_mode: ReviewMode | None = None,
        scheduled: bool = False,
        blueprint_yaml: str | None = None,
        blueprint_sha256: str | None = None,
        blueprint_name: str | None = None,
        blueprint_version: int | None = None,
        by: str = "cli",
        run_id: str | None = None,
    ) -> tuple[Request, bool]:
        """Record a request for ``data``; returns (request, created).  Validate the brief before calling.

        With ``run_id`` the request is identified by the brief's bytes *and* that id, so the same
        brief can be asked for again under another name; the id is checked here, where it enters.
        """
        key = data if run_id is None else data + b"\0docsgen-run-id=" + validate_run_id(run_id).encode()
        spec = RequestSpec(
            sha256=sha256_hex(key),
            run_id=run_id,
            brief_file="brief.md" if brief_format == "markdown" else "brief.yaml",
            brief_format=brief_format,
            source=source,
            review_mode=review_mode,
            scheduled=scheduled,
            blueprint_sha256=blueprint_sha256,
            blueprint_name=blueprint_name,
            blueprint_version=blueprint_version,
            submitted_by=by,
        )
        with self.locked():
            return self._create(data, spec, blueprint_yaml)

    def scan(self, settle_seconds: float = 2.0, now: float | None = None) -> list[Request]:
        """Turn briefs dropped into the folder into pending requests; returns the new ones.

        Files changed less than ``settle_seconds`` ago are left for the next scan (a copy may be in
        progress); the dropped files themselves are never moved or removed.
        """
        if not self.root.is_dir():
            return []
        now = time.time() if now is None else now
        created = []
        with self.locked():
            for path in sorted(self.root.iterdir()):
                if not _is_candidate(path):
                    continue
                try:
                    if now - path.stat().st_mtime < settle_seconds:
                        continue
                    data = path.read_bytes()
                except OSError:
                    continue  # vanished or unreadable right now; the next scan retries
                sha = sha256_hex(data)
                if self._spec(sha) is not None:
                    continue
                fmt = guess_format(path.name, data.decode("utf-8", errors="replace"))
                spec = RequestSpec(
                    sha256=sha,
                    brief_file="brief.md" if fmt == "markdown" else "brief.yaml",
                    brief_format=fmt,
                    source=path.name,
                    submitted_by="drop",
                )
                request, new = self._create(data, spec, None)
                if new:
                    created.append(request)
        return created

    # -- status changes ------------------------------------------------------------------------
    def settle(self, sha: str, by: str, decide: Callable[[Request], str]) -> Request:
        """Consume a pending request: ``decide`` returns the docs-run id it launched.

        Runs under the inbox lock, so a concurrent skip cannot interleave.  A :class:`DocsGenError`
        from ``decide`` rejects the request with the error as its reason; a request no longer
        pending is returned unchanged.
        """
        with self.locked():
            request = self._by_sha(sha)
            if request.status != "pending":
                return request
            try:
                run_id = decide(request)
            except DocsGenError as exc:
                self._append(sha, "rejected", by, reason=str(exc))
            else:
                self._append(sha, "consumed", by, run_id=run_id)
            return self._by_sha(sha)

    def skip(self, ref: str, by: str, reason: str = "") -> Request:
        with self.locked():
            request = self.get(ref)
            if request.status != "pending":
                detail = f" as docs run {request.run_id}" if request.run_id else ""
                raise RequestError(f"request {request.id} is already {request.status}{detail}; only pending ones skip")
            self._append(request.sha, "skipped", by, reason=reason or "skipped by hand")
            return self._by_sha(request.sha)

    def reopen(self, sha: str, by: str) -> Request:
        """Make a skipped or rejected request pending again (e.g. once the code location serves its blueprint)."""
        with self.locked():
            request = self._by_sha(sha)
            if request.status not in ("skipped", "rejected"):
                detail = f" as docs run {request.run_id}" if request.run_id else ""
                raise RequestError(
                    f"request {request.id} is {request.status}{detail}; only skipped or rejected requests reopen"
                )
            self._append(sha, "pending", by, reopened=True, previous=request.status)
            return self._by_sha(sha)

    def _by_sha(self, sha: str) -> Request:
        spec = self._spec(sha)
        if spec is None:
            raise RequestError(f"no request {sha[:ID_LENGTH]} in {self.root}")
        return Request(spec=spec, history=tuple(self._ledger().get(sha, [])), directory=self.requests_dir / sha)


def _write_atomic(path: Path, data: bytes) -> None:
    """Write a new file in one step (temporary name, then rename); an existing file is left as it is."""
    if path.exists():
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def check_blueprint(request: Request, served: Blueprint) -> None:
    """A request pinned to a blueprint can only run where that blueprint is served (asset keys come from it)."""
    wanted = request.spec.blueprint_sha256
    if wanted is None or wanted == served.content_hash():
        return
    raise BlueprintError(
        f"request {request.id} was submitted with blueprint '{request.spec.blueprint_name}' "
        f"v{request.spec.blueprint_version} (sha256 {wanted[:12]}), but this Dagster code location serves "
        f"'{served.name}' v{served.version} (sha256 {served.content_hash()[:12]}): start the code location with "
        "DOCSGEN_BLUEPRINT pointing at that blueprint, or submit the brief again without --blueprint"
    )


def register_request(
    store: ArtifactStore,
    request: Request,
    blueprint: Blueprint,
    created_by: str,
    review_mode: ReviewMode | None = None,
) -> RunRegistration:
    """Validate a request and register its docs run (``<slug>-<sha8>``); raises a DocsGenError if invalid.

    ``review_mode`` overrides the request's (the scheduled batch forces ``batch``).  Registering the same
    request again returns the existing registration, so a retried tick is harmless.
    """
    check_blueprint(request, blueprint)
    text = request.brief_text()
    source = f"inbox request {request.id} ({request.spec.source})"
    try:
        brief = parse_brief_text(text, source, request.spec.brief_format)
    except DocsGenError:
        raise
    except Exception as exc:  # a brief that trips the parser itself must still only reject its request
        raise RequestError(f"{source}: cannot read this brief ({type(exc).__name__}: {exc})") from exc
    registration, _ = register_docs_run(
        store,
        brief_text=text,
        brief_format=request.spec.brief_format,
        brief_source=source,
        blueprint=blueprint,
        run_id=request.spec.run_id or run_id_for(brief.slug, request.sha),
        review_mode=review_mode or request.spec.review_mode,
        created_by=created_by,
    )
    return registration
