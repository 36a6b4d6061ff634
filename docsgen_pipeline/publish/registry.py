"""Destination URL scheme -> implementation: the one list of places a bundle can go (pure)."""

from __future__ import annotations

from collections.abc import Callable

from docsgen_pipeline.errors import DestinationError
from docsgen_pipeline.publish.destination import Destination
from docsgen_pipeline.publish.directory import DirectoryDestination
from docsgen_pipeline.publish.git import GitDestination

DESTINATIONS: dict[str, Callable[[str], Destination]] = {
    "git+file": GitDestination,
    "git+ssh": GitDestination,
    "git+https": GitDestination,
    "git+http": GitDestination,
    "git+git": GitDestination,
    "file": DirectoryDestination,
}


def scheme_of(url: str) -> str:
    head, sep, _ = url.partition("://")
    if sep:
        return head.lower()
    return "file" if not url.startswith(("git+", "s3:")) else url.partition(":")[0].lower()


def destination_for(url: str) -> Destination:
    """The destination a URL names; a plain path is a folder on this machine."""
    url = url.strip()
    if not url:
        raise DestinationError("no destination given: use --to git+file:///srv/docs.git#main:docs or --to /srv/docs")
    scheme = scheme_of(url)
    factory = DESTINATIONS.get(scheme)
    if factory is None and scheme in ("s3", "gs", "az"):
        raise DestinationError(
            f"{url}: object store destinations are not available yet (the artifact store has no object-store "
            "backend to reuse); publish to a git repository or a folder"
        )
    if factory is None:
        known = ", ".join(f"{s}://" for s in sorted(DESTINATIONS))
        raise DestinationError(f"{url}: unknown destination scheme {scheme!r}; use one of {known} or a folder path")
    return factory(url)
