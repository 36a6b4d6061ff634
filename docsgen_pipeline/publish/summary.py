"""What ``docsgen status`` says about a docs run's publications (pure)."""

from __future__ import annotations

from typing import Any

from docsgen_pipeline.publish.ledger import Ledger
from docsgen_pipeline.store import ArtifactStore


def publication_status(store: ArtifactStore, run_id: str) -> dict[str, Any]:
    """The last publication, and intents whose outcome is unknown with the command that resolves them."""
    ledger = Ledger(store, run_id)
    last = ledger.last_published()
    busy = ledger.busy()
    pending = [p.as_dict() for p in ledger.pending()]
    return {
        "last": last.as_dict() if last is not None else None,
        "publishing_now": busy and bool(pending),
        "unreconciled": [] if busy else pending,
        "resolve": f"docsgen publish {run_id} --reconcile" if pending and not busy else None,
    }


def publication_lines(info: dict[str, Any]) -> list[str]:
    lines = []
    last = info.get("last")
    if last:
        lines.append(
            f"published: bundle v{last['bundle_version']} to {last['destination']}: {last['location']}"
            f" at {last['published_at'] or last['recorded_at']}"
        )
    if info.get("publishing_now"):
        lines.append("publishing: a publish of this docs run is in progress")
    for pending in info.get("unreconciled", []):
        lines.append(
            f"unreconciled: bundle v{pending['bundle_version']} to {pending['destination']} "
            f"(intent {pending['attempt'][:8]} at {pending['intended_at']}, outcome unknown): "
            f"resolve with {info['resolve']}"
        )
    return lines
