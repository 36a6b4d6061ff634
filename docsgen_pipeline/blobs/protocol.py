"""The operations :class:`docsgen_pipeline.store.ArtifactStore` needs from where its bytes live (pure).

Keys are ``/``-separated paths relative to the store root (``runs/<id>/files/a.md/v1.md``).
Every object is written once (:meth:`Blobs.put_if_absent`); the only thing that grows is a
*record log* (an index or an event log), which a folder appends to one file and an object store
keeps as one write-once object per record, because objects cannot be appended to.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol


class Blobs(Protocol):
    url: str  # what the user configured (a folder or an object-store URL), for messages
    is_local: bool  # True when the keys are files under a local folder

    def where(self, key: str) -> str:
        """``key`` as a person finds it (a path, or the object's URL)."""
        ...

    def check(self) -> None:
        """Raise StoreError (one line naming the URL) when the store cannot be reached."""
        ...

    def get(self, key: str) -> bytes | None:
        """The object's bytes, or None when there is none."""
        ...

    def exists(self, key: str) -> bool: ...

    def age_s(self, key: str) -> float:
        """Seconds since ``key`` was written (0 when it is not there)."""
        ...

    def put_if_absent(self, key: str, data: bytes) -> bool:
        """Write ``key`` once, whole or not at all; False (nothing written) when it already exists."""
        ...

    def children(self, prefix: str) -> tuple[list[str], list[str]]:
        """(folder names, object names) directly under ``prefix``, sorted."""
        ...

    def walk(self, prefix: str) -> list[str]:
        """Every object key under ``prefix`` (recursively), sorted."""
        ...

    def one_listing(self, prefix: str) -> AbstractContextManager[None]:
        """A block in which this thread's listings under ``prefix`` may come from one listing of it,
        dropped at each write of this thread (an object store's LISTs are slow and billed; a folder's
        listings are cheap, so it lists as usual)."""
        ...

    def add_record(self, key: str, name: str, line: str) -> bool:
        """Append one line to the record log ``key``; ``name`` orders it (and makes it unique) in an object store.

        False when a record of that name exists already (another writer won), nothing written.
        """
        ...

    def records(self, key: str) -> list[str]:
        """The record log's lines in order (a folder's log may end in a torn line after a crash)."""
        ...

    def record_logs(self, prefix: str, logs: list[str]) -> dict[str, list[str]]:
        """:meth:`records` of each ``prefix/<log>``, in one look (one listing in an object store)."""
        ...

    def has_records(self, key: str) -> bool: ...

    def torn_tail(self, key: str) -> bool:
        """Whether the record log ends in an unterminated, unparsable line (an interrupted append)."""
        ...

    def drop_torn_tail(self, key: str) -> None:
        """Set a torn last line aside (quarantined with a reason, never deleted)."""
        ...

    def quarantine(self, key: str, reason: str) -> str:
        """Move ``key`` into ``.quarantine/`` beside it with a reason; the name it got there."""
        ...
