"""Which backend serves a store location: an explicit map from URL scheme to backend (pure)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from docsgen_pipeline.blobs.local import LocalBlobs
from docsgen_pipeline.blobs.object_store import ObjectBlobs
from docsgen_pipeline.blobs.protocol import Blobs
from docsgen_pipeline.errors import ConfigError


def _file_url(url: str) -> Blobs:
    # file:// keeps the local folder backend (fsync, hard links, torn-line repair), not obstore's.
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise ConfigError(f"DOCSGEN_STORE={url}: a file:// URL names a local folder (file:///path/to/store)")
    return LocalBlobs(unquote(parts.path))


BACKENDS: dict[str, Callable[[str], Blobs]] = {
    "file": _file_url,
    "s3": ObjectBlobs,
    "gs": ObjectBlobs,
    "az": ObjectBlobs,
}


def is_url(location: str | Path) -> bool:
    return isinstance(location, str) and re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", location) is not None


def open_blobs(location: str | Path) -> Blobs:
    """A plain path is a local folder; ``scheme://…`` goes to the backend registered for the scheme."""
    if not is_url(location):
        return LocalBlobs(location)
    scheme = str(location).split("://", 1)[0].lower()
    backend = BACKENDS.get(scheme)
    if backend is None:
        known = ", ".join(f"{s}://" for s in BACKENDS)
        raise ConfigError(f"DOCSGEN_STORE={location}: unknown store scheme {scheme}:// (use a folder or {known})")
    return backend(str(location))


def working_root(location: str | Path, home: Path) -> Path:
    """The machine-local folder beside a remote store: locks, the status cache, bundle copies.

    One per store URL, so two stores used from one machine never share locks or caches.
    """
    url = str(location).rstrip("/")
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", url.split("://", 1)[-1]).strip("-")[:80]
    return home / "store-local" / f"{slug}-{hashlib.sha256(url.encode()).hexdigest()[:8]}"
