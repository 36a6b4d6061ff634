"""Publish to a folder on this machine, swapped in whole with a rename (pure).

URL: ``file:///srv/www/docs/acme`` or a plain path. The bundle is written to a staging folder
beside the target, with a marker file ``.docsgen-bundle.json`` (docs run, bundle version,
manifest sha256, time), then exchanged with the target in one ``renameat2(RENAME_EXCHANGE)``
(Linux) or, where that is missing, two renames. Readers see the old folder or the new one, never
a half-written one. The marker is how a later process finds out what the folder holds.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import uuid
from pathlib import Path
from urllib.parse import unquote, urlsplit

from docsgen_pipeline.errors import DestinationError, DestinationUnavailableError, PublishError
from docsgen_pipeline.publish.destination import BundleRef, Placement
from docsgen_pipeline.store import utc_now

MARKER = ".docsgen-bundle.json"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: filesystem or kernel without it
        return False
    raise PublishError(f"cannot swap {a} into {b}: {os.strerror(errno)}")


class DirectoryDestination:
    def __init__(self, url: str) -> None:
        if url.startswith("file:"):
            parts = urlsplit(url)
            if parts.netloc not in ("", "localhost"):
                raise DestinationError(f"{url}: a file:// destination must be on this machine")
            raw = unquote(parts.path)
        else:
            raw = url
        if not raw:
            raise DestinationError(f"{url!r}: name a folder, e.g. file:///srv/www/docs")
        self.target = Path(raw).expanduser().absolute()
        if self.target == self.target.parent:
            raise DestinationError(f"{url}: refusing to publish over the file system root")
        self.url = self.target.as_uri()

    def _staging(self, kind: str) -> Path:
        return self.target.parent / f".{self.target.name}.docsgen-{kind}-{uuid.uuid4().hex[:12]}"

    def current(self) -> Placement | None:
        marker = self.target / MARKER
        try:
            info = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return Placement(
            destination=self.url,
            manifest_sha256=str(info.get("manifest_sha256", "")),
            location=str(self.target),
            at=str(info.get("published_at", "")),
            created=False,
        )

    def locate(self, manifest_sha256: str) -> Placement | None:
        current = self.current()
        return current if current is not None and current.manifest_sha256 == manifest_sha256 else None

    def publish(self, bundle: BundleRef) -> Placement:
        existing = self.locate(bundle.manifest_sha256)
        if existing is not None:
            return existing
        if self.target.exists() and not self.target.is_dir():
            raise PublishError(f"{self.target} exists and is not a folder; choose another destination")
        self.target.parent.mkdir(parents=True, exist_ok=True)
        for leftover in self.target.parent.glob(f".{self.target.name}.docsgen-*"):
            shutil.rmtree(leftover, ignore_errors=True)  # an earlier attempt that died midway
        staging = self._staging("staging")
        at = utc_now()
        try:
            for relative, data in bundle.files().items():
                out = staging / relative
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(data)
            marker = {
                "docs_run": bundle.run_id,
                "bundle_version": bundle.version,
                "manifest_sha256": bundle.manifest_sha256,
                "published_at": at,
            }
            (staging / MARKER).write_text(json.dumps(marker, indent=2) + "\n", encoding="utf-8")
            if not self.target.exists():
                os.rename(staging, self.target)
            elif _exchange(staging, self.target):
                shutil.rmtree(staging)  # now the old content
            else:
                old = self._staging("old")
                os.rename(self.target, old)
                os.rename(staging, self.target)
                shutil.rmtree(old)
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise DestinationUnavailableError(f"cannot publish to {self.target}: {exc}") from None
        return Placement(
            destination=self.url, manifest_sha256=bundle.manifest_sha256, location=str(self.target), at=at
        )
