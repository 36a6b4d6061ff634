"""Publish a docs run's bundle exactly once per destination; reconcile what a crash left unknown (pure).

The sequence, under the docs run's ledger lock:

1. the bundle must verify against its manifest (the caller has checked that the run is Complete);
2. every intent to this destination without an outcome is reconciled: the destination is asked
   (:meth:`Destination.locate`) and what it says is recorded; nothing is retried blindly;
3. the same bundle as the destination's last publication: a no-op that says where it is; an older
   bundle version than the last one published there: refused unless ``force``;
4. intent, mutation, outcome. If the mutation raises, the destination is asked again before the
   failure is recorded, so "the push went through but the answer was lost" ends up as published.
"""

from __future__ import annotations

import json
import os
import signal
from dataclasses import dataclass, field
from typing import Any, Literal

from docsgen_pipeline.bundle import MANIFEST, verify_bundle
from docsgen_pipeline.docs_run import BUNDLES
from docsgen_pipeline.errors import DestinationUnavailableError, DocsGenError, PublishError
from docsgen_pipeline.publish.destination import BundleRef, Destination, Placement
from docsgen_pipeline.publish.ledger import Ledger, Publication
from docsgen_pipeline.publish.registry import destination_for
from docsgen_pipeline.store import ArtifactStore, sha256_hex

# Test-only fault injection: DOCSGEN_FAULT=before_push|after_push makes the publishing process
# SIGKILL itself right after recording the intent, or right after the destination changed and
# before the outcome is recorded, the two crashes reconciliation exists for. Nothing sets it in use.
FAULT_ENV = "DOCSGEN_FAULT"


def _fault(point: str) -> None:
    if os.environ.get(FAULT_ENV) == point:
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass(frozen=True)
class Reconciled:
    publication: Publication
    placement: Placement | None  # None: the destination does not hold that bundle

    def line(self) -> str:
        what = f"bundle v{self.publication.bundle_version} to {self.publication.destination}"
        if self.placement is None:
            return f"reconciled: {what} was not published (intent {self.publication.intent['attempt'][:8]})"
        return f"reconciled: {what} was published: {self.placement.location}"


@dataclass(frozen=True)
class PublishResult:
    action: Literal["published", "already_published"]
    bundle: BundleRef
    placement: Placement
    reconciled: list[Reconciled] = field(default_factory=list)

    def line(self) -> str:
        what = f"docs run {self.bundle.run_id} bundle v{self.bundle.version}"
        if self.action == "already_published":
            when = f" (since {self.placement.at})" if self.placement.at else ""
            return f"already published: {what} is at {self.placement.location}{when}"
        return f"published {what}: {self.placement.location}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "docs_run": self.bundle.run_id,
            "bundle_version": self.bundle.version,
            "manifest_sha256": self.bundle.manifest_sha256,
            "destination": self.placement.destination,
            "location": self.placement.location,
            "revision": self.placement.revision,
            "published_at": self.placement.at,
            "reconciled": [r.line() for r in self.reconciled],
        }


def bundle_versions(store: ArtifactStore, run_id: str) -> list[int]:
    base = store.tree_base(run_id, BUNDLES)
    if not base.is_dir():
        return []
    return sorted(int(p.name[1:]) for p in base.glob("v*") if p.name[1:].isdigit() and (p / MANIFEST).is_file())


def parse_bundle_version(text: str) -> int:
    raw = text.strip().lower().removeprefix("v")
    if not raw.isdigit() or int(raw) < 1:
        raise PublishError(f"--bundle {text!r}: give a bundle version such as v2")
    return int(raw)


def load_bundle(store: ArtifactStore, run_id: str, version: int | None = None) -> BundleRef:
    """The bundle to publish (default the latest), verified against its manifest."""
    versions = bundle_versions(store, run_id)
    if not versions:
        raise PublishError(f"docs run '{run_id}' has no bundle yet; finish it first (docsgen status {run_id})")
    chosen = versions[-1] if version is None else version
    if chosen not in versions:
        have = ", ".join(f"v{v}" for v in versions)
        raise PublishError(f"docs run '{run_id}' has no bundle v{chosen} (it has {have})")
    directory = store.run_dir(run_id) / BUNDLES / f"v{chosen}"  # brought here by bundle_versions
    problems = verify_bundle(directory)
    if problems:
        raise PublishError(
            f"bundle v{chosen} of docs run '{run_id}' does not verify against its manifest, so it is not "
            f"published: {'; '.join(problems[:5])}"
        )
    manifest_bytes = (directory / MANIFEST).read_bytes()
    project = str(json.loads(manifest_bytes).get("project", ""))
    return BundleRef(run_id, chosen, directory, sha256_hex(manifest_bytes), project)


def _reconcile(ledger: Ledger, pending: list[Publication]) -> list[Reconciled]:
    done = []
    for publication in pending:
        destination = destination_for(publication.destination)
        placement = destination.locate(publication.manifest_sha256)
        attempt = str(publication.intent["attempt"])
        if placement is None:
            ledger.record(attempt, "not_published", reconciled=True)
        else:
            ledger.record(attempt, "published", placement, reconciled=True)
        done.append(Reconciled(publication, placement))
    return done


def reconcile(store: ArtifactStore, run_id: str) -> list[Reconciled]:
    """Ask each destination with an unknown outcome what happened, and record it."""
    ledger = Ledger(store, run_id)
    with ledger.lock():
        return _reconcile(ledger, ledger.pending())


def _mutate(ledger: Ledger, destination: Destination, bundle: BundleRef, attempt: str) -> Placement:
    try:
        placement = destination.publish(bundle)
    except (DocsGenError, OSError) as exc:
        try:
            found = destination.locate(bundle.manifest_sha256)
        except (DocsGenError, OSError):
            raise DestinationUnavailableError(
                f"{exc}; whether bundle v{bundle.version} reached {destination.url} is unknown: "
                f"resolve with docsgen publish {bundle.run_id} --reconcile"
            ) from None
        if found is None:
            ledger.record(attempt, "failed", error=str(exc))
            if isinstance(exc, DocsGenError):
                raise
            raise DestinationUnavailableError(f"cannot publish to {destination.url}: {exc}") from None
        placement = found
    _fault("after_push")
    ledger.record(attempt, "published", placement)
    return placement


def publish(
    store: ArtifactStore,
    run_id: str,
    to: str,
    version: int | None = None,
    force: bool = False,
    by: str = "cli",
    **context: Any,
) -> PublishResult:
    """Publish one bundle of a Complete docs run to ``to``; see the module docstring for the rules."""
    destination = destination_for(to)
    bundle = load_bundle(store, run_id, version)
    ledger = Ledger(store, run_id)
    with ledger.lock():
        reconciled = _reconcile(ledger, ledger.pending(destination.url))
        last = ledger.last_published(destination.url)
        if last is not None and last.manifest_sha256 == bundle.manifest_sha256 and last.outcome is not None:
            placement = Placement(
                destination=destination.url,
                manifest_sha256=bundle.manifest_sha256,
                location=str(last.outcome.get("location", "")),
                revision=str(last.outcome.get("revision", "")),
                at=str(last.outcome.get("published_at", "")),
                created=False,
            )
            return PublishResult("already_published", bundle, placement, reconciled)
        if last is not None and last.bundle_version > bundle.version and not force:
            raise PublishError(
                f"bundle v{bundle.version} is older than v{last.bundle_version}, which docs run '{run_id}' "
                f"published to {destination.url}; pass --force to publish the older one anyway"
            )
        attempt = ledger.intend(destination.url, bundle, by=by, force=force, **context)
        _fault("before_push")
        placement = _mutate(ledger, destination, bundle, attempt)
    action: Literal["published", "already_published"] = "published" if placement.created else "already_published"
    return PublishResult(action, bundle, placement, reconciled)
