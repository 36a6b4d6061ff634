"""Which execution lock a docs run takes: the shared instance's, or this machine's.

A PostgreSQL-backed instance is shared by every machine of a deployment, so the lock lives there
(see :mod:`docsgen_pipeline.locks`); on a SQLite instance a file lock in the store is enough.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from docsgen_pipeline import locks
from docsgen_pipeline.store import ArtifactStore


def shared_database_url(instance: dg.DagsterInstance) -> str | None:
    """The PostgreSQL URL of the instance's run storage (dagster-postgres), or None for a local instance."""
    url = getattr(instance.run_storage, "postgres_url", None)
    return url if isinstance(url, str) and url else None


@contextmanager
def execution_lock(instance: dg.DagsterInstance, store: ArtifactStore, run_id: str, command: str) -> Iterator[None]:
    url = shared_database_url(instance)
    if url is None:
        with locks.execution_lock(store, run_id, command):
            yield
    else:
        with locks.shared_execution_lock(url, run_id, command):
            yield


def is_locked(instance: dg.DagsterInstance, store: ArtifactStore, run_id: str) -> bool:
    """Whether some process (this one included; on any machine when the instance is shared) holds it."""
    url = shared_database_url(instance)
    return locks.is_locked(store, run_id) if url is None else locks.shared_is_locked(url, run_id)
