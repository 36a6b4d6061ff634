"""The publish ledger of one docs run: append-only intents and outcomes in the artifact store (pure).

``runs/<run-id>/events/publish.jsonl``, one JSON object a line:

* ``{"kind": "intent", "attempt", "destination", "bundle_version", "manifest_sha256", "by", ...}``
  written *before* the destination is touched;
* ``{"kind": "outcome", "attempt", "result", "location", "revision", "published_at",
  "reconciled", ...}`` written after it, where ``result`` is ``published`` (the bundle is at the
  destination), ``not_published`` (it is not: safe to try again) or ``failed`` (the mutation
  raised and the destination shows nothing).

An intent without an outcome means the outcome is unknown (the process died, the network dropped
after the push): the next publish, or ``docsgen publish --reconcile``, asks the destination
before doing anything. Writers of one docs run take :meth:`Ledger.lock` for the whole
decide-intent-mutate-outcome sequence, so two publishers never race on one bundle.
"""

from __future__ import annotations

import fcntl
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docsgen_pipeline.locks import file_is_locked
from docsgen_pipeline.publish.destination import BundleRef, Placement
from docsgen_pipeline.store import ArtifactStore

LOG = "publish"
LOCK_FILE = ".publish.lock"


@dataclass(frozen=True)
class Publication:
    """An intent with its outcome (``outcome`` None: unknown, to reconcile)."""

    intent: dict[str, Any]
    outcome: dict[str, Any] | None

    @property
    def destination(self) -> str:
        return str(self.intent["destination"])

    @property
    def manifest_sha256(self) -> str:
        return str(self.intent["manifest_sha256"])

    @property
    def bundle_version(self) -> int:
        return int(self.intent["bundle_version"])

    @property
    def published(self) -> bool:
        return self.outcome is not None and self.outcome.get("result") == "published"

    def as_dict(self) -> dict[str, Any]:
        out = {
            "destination": self.destination,
            "bundle_version": self.bundle_version,
            "manifest_sha256": self.manifest_sha256,
            "attempt": self.intent["attempt"],
            "intended_at": self.intent["at"],
            "by": self.intent.get("by", ""),
        }
        if self.outcome is not None:
            out.update(
                result=self.outcome["result"],
                location=self.outcome.get("location", ""),
                revision=self.outcome.get("revision", ""),
                published_at=self.outcome.get("published_at", ""),
                recorded_at=self.outcome["at"],
                reconciled=self.outcome.get("reconciled", False),
            )
        return out


class Ledger:
    def __init__(self, store: ArtifactStore, run_id: str) -> None:
        self.store = store
        self.run_id = run_id

    @property
    def _lock_path(self) -> Path:
        return self.store.run_dir(self.run_id) / LOCK_FILE

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive for the docs run's publishers; released however the process ends (even SIGKILL)."""
        path = self._lock_path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def busy(self) -> bool:
        """Whether a publisher of this docs run is at work right now (its intent is not stuck)."""
        return file_is_locked(self._lock_path)

    # -- writing ----------------------------------------------------------------------------
    def intend(self, destination: str, bundle: BundleRef, by: str, force: bool = False, **extra: Any) -> str:
        attempt = uuid.uuid4().hex
        self.store.append_event(
            self.run_id,
            LOG,
            {
                "kind": "intent",
                "attempt": attempt,
                "destination": destination,
                "bundle_version": bundle.version,
                "manifest_sha256": bundle.manifest_sha256,
                "by": by,
                "force": force,
                "pid": os.getpid(),
                **extra,
            },
        )
        return attempt

    def record(
        self, attempt: str, result: str, placement: Placement | None = None, reconciled: bool = False, error: str = ""
    ) -> None:
        event: dict[str, Any] = {"kind": "outcome", "attempt": attempt, "result": result, "reconciled": reconciled}
        if placement is not None:
            event.update(placement.as_record(), created=placement.created)
        if error:
            event["error"] = error
        self.store.append_event(self.run_id, LOG, event)

    def set_auto(self, destination: str, by: str) -> None:
        """Publish this docs run to ``destination`` after every Complete (auto_publish_sensor); "" stops it."""
        self.store.append_event(self.run_id, LOG, {"kind": "auto", "destination": destination, "by": by})

    # -- reading ----------------------------------------------------------------------------
    def auto_destination(self) -> str:
        autos = [e for e in self.store.events(self.run_id, LOG) if e.get("kind") == "auto"]
        return str(autos[-1]["destination"]) if autos else ""

    def publications(self) -> list[Publication]:
        """Every intent in the order written, each with its outcome if one was recorded."""
        intents: list[dict[str, Any]] = []
        outcomes: dict[str, dict[str, Any]] = {}
        for event in self.store.events(self.run_id, LOG):
            if event.get("kind") == "intent":
                intents.append(event)
            elif event.get("kind") == "outcome":
                outcomes.setdefault(str(event["attempt"]), event)  # the first outcome of an attempt stands
        return [Publication(i, outcomes.get(str(i["attempt"]))) for i in intents]

    def pending(self, destination: str | None = None) -> list[Publication]:
        return [p for p in self.publications() if p.outcome is None and destination in (None, p.destination)]

    def last_published(self, destination: str | None = None) -> Publication | None:
        done = [p for p in self.publications() if p.published and destination in (None, p.destination)]
        if not done:
            return None
        return max(done, key=lambda p: str(p.outcome["at"] if p.outcome else ""))
