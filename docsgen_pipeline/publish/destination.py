"""What every publish destination can do, and the values they exchange (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


@dataclass(frozen=True)
class BundleRef:
    """One verified bundle version of a docs run, ready to publish."""

    run_id: str
    version: int
    directory: Path
    manifest_sha256: str
    project: str = ""

    def files(self) -> dict[str, bytes]:
        """Relative path -> bytes of every file in the bundle folder."""
        return {
            p.relative_to(self.directory).as_posix(): p.read_bytes()
            for p in sorted(self.directory.rglob("*"))
            if p.is_file()
        }


@dataclass(frozen=True)
class Placement:
    """Where a bundle is at a destination: a commit on a branch, a folder, an object prefix."""

    destination: str
    manifest_sha256: str
    location: str  # what a person opens: URL with commit, folder path, object prefix
    revision: str = ""  # git commit sha, object version id; empty for a folder
    at: str = ""  # when the destination says it was published
    created: bool = True  # False: it was already there, nothing was changed

    def as_record(self) -> dict[str, Any]:
        return {"location": self.location, "revision": self.revision, "published_at": self.at}


class Destination(Protocol):
    """A place a bundle can be published to.

    ``publish`` must itself be idempotent on the destination's current content (publishing the
    bundle that is already the current one changes nothing and returns ``created=False``), and
    ``locate`` must find a bundle published earlier from the destination alone (git trailer,
    marker file, object metadata): reconciliation after a crash depends on nothing else.
    """

    url: str  # canonical form, the ledger's key for this destination

    def locate(self, manifest_sha256: str) -> Placement | None:
        """Where the bundle with this manifest is at the destination, if it was published there."""
        ...

    def current(self) -> Placement | None:
        """The bundle the destination holds now (None: none, or changed by hand since)."""
        ...

    def publish(self, bundle: BundleRef) -> Placement:
        """Make ``bundle`` the destination's content in one step (one commit, one rename)."""
        ...
