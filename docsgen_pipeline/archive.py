"""Archiving a docs run: reversible, recorded, and out of the default listing and sensor work (pure).

Archiving changes nothing about the run's artifacts or status; it is one event in the run's
append-only ``archive`` log, and the latest event wins (``docsgen unarchive`` brings it back).
"""

from __future__ import annotations

from typing import Any

from docsgen_pipeline.store import ArtifactStore

ARCHIVE_LOG = "archive"


def is_archived(store: ArtifactStore, run_id: str) -> bool:
    events = store.events(run_id, ARCHIVE_LOG)
    return bool(events) and events[-1].get("event") == "archived"


def set_archived(store: ArtifactStore, run_id: str, archived: bool, by: str) -> dict[str, Any]:
    store.registration(run_id)  # unknown runs fail with the usual message
    return store.append_event(run_id, ARCHIVE_LOG, {"event": "archived" if archived else "unarchived", "by": by})
