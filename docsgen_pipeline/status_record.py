"""Per-docs-run status records: a cache of the pure lifecycle function, never a source of truth.

A record is what ``docsgen status --json`` prints for one docs run, minus what depends on the
clock (``stale`` is worked out when the record is read).  It is rewritten from the recorded facts
whenever DocsGen records one (an execution, approval, cancel, regeneration, archive) and by the
advance sensor for docs runs whose Dagster runs changed, so ``docsgen list`` reads N small files
instead of collecting the facts of every run.  ``docsgen status --recompute`` rebuilds records
from the facts and says whether they agreed.

Layout: ``<store root>/status/<run-id>.json``, replaced atomically (write a temporary file, rename).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from docsgen_pipeline.lifecycle import (
    RunFacts,
    RunState,
    Status,
    approval_covers,
    derive,
    gate_state,
    is_stale,
    next_action,
)
from docsgen_pipeline.store import validate_run_id

# Cache bookkeeping, not facts (never compared by --recompute, never shown): when the record was
# written, and the size and mtime of the run's run.json it was written beside.
VOLATILE = ("recorded_at", "registration_stamp")
# Shown instead of a lifecycle status: the run's folder cannot be read, or the Dagster instance
# has no record of a run the artifact store has work for (a reset or restored instance).
BROKEN = "Broken"
UNRECONCILED = "Unreconciled"


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


def describe(facts: RunFacts, archived: bool = False) -> dict[str, Any]:
    """One docs run's status as plain data, from its facts (the record's content)."""
    state = derive(facts)
    phases = []
    for phase in facts.phases:
        approval = phase.approval
        phases.append(
            {
                "phase": phase.number,
                "files": f"{len(phase.current_files)}/{phase.expected_files}",
                "gate": gate_state(phase),
                "approved_by": approval.approver if approval else None,
                "approval_current": bool(approval and approval_covers(approval.files, phase.current_files)),
                "revision_rounds": phase.revision_rounds,
            }
        )
    last = facts.last_event_at()
    status, detail, action = state.status.value, state.detail, next_action(state, facts.run_id)
    if facts.instance_lost and state.status is not Status.CANCELED:
        # Do not guess Running from an instance that forgot the run: say so and how to reconcile.
        status = UNRECONCILED
        detail = (
            "the Dagster instance has no record of this run (reset or restored instance?); "
            f"from the artifact store alone it would be {state.status.value}"
        )
        action = f"reconcile (reuses every stored file): docsgen approve {facts.run_id} --resume"
    return {
        "run_id": facts.run_id,
        "status": status,
        "phase": state.phase_label(),
        "detail": detail,
        "review_mode": facts.review_mode,
        "last_event_at": iso(last),
        "last_event_epoch": last,
        "archived": archived,
        "next_action": action,
        "phases": phases,
    }


def broken_record(run_id: str, reason: str) -> dict[str, Any]:
    """The row of a docs run whose folder cannot be read: shown, never fatal for the other runs."""
    return {
        "run_id": run_id,
        "status": BROKEN,
        "phase": "-",
        "detail": f"Broken: {reason}",
        "review_mode": "-",
        "last_event_at": "-",
        "last_event_epoch": 0.0,
        "archived": False,
        "next_action": f"inspect and set damaged files aside: docsgen verify {run_id} --repair",
        "phases": [],
    }


def with_staleness(record: dict[str, Any], stale_after_days: float, now: float | None = None) -> dict[str, Any]:
    """The record as shown: ``stale`` worked out for this moment, cache bookkeeping left out."""
    known = record["status"] in {s.value for s in Status}
    state = RunState(Status(record["status"]) if known else Status.RUNNING, 0, 0)
    moment = time.time() if now is None else now
    row = {k: v for k, v in record.items() if k not in (*VOLATILE, "last_event_epoch")}
    row["stale"] = is_stale(state, float(record["last_event_epoch"]), moment, stale_after_days)
    return row


def agree(cached: dict[str, Any] | None, fresh: dict[str, Any]) -> bool:
    if cached is None:
        return False
    strip = set(VOLATILE)
    return {k: v for k, v in cached.items() if k not in strip} == {k: v for k, v in fresh.items() if k not in strip}


class StatusBook:
    """The folder of status records (one JSON file per docs run)."""

    def __init__(self, store_root: str | Path) -> None:
        self.root = Path(store_root).expanduser() / "status"
        # Plain strings for the per-run reads: `docsgen list` does them once per docs run.
        self._records = str(self.root)
        self._runs = str(self.root.parent / "runs")

    def path(self, run_id: str) -> Path:
        return self.root / f"{validate_run_id(run_id)}.json"

    def registration_stamp(self, run_id: str) -> list[int] | None:
        """Size and mtime of a folder store's ``run.json`` (None elsewhere, or when it is missing).

        A cached record whose stamp still matches was written beside this very registration, so a
        listing need not read and validate every run.json again (run.json is write-once).
        """
        try:
            found = os.stat(f"{self._runs}/{validate_run_id(run_id)}/run.json")
        except OSError:
            return None
        return [found.st_size, found.st_mtime_ns]

    def read(self, run_id: str) -> dict[str, Any] | None:
        try:
            with open(f"{self._records}/{validate_run_id(run_id)}.json", encoding="utf-8") as handle:
                data = json.load(handle)
        except (FileNotFoundError, json.JSONDecodeError):
            return None  # missing or unreadable cache: the caller recomputes
        return data if isinstance(data, dict) else None

    def write(self, record: dict[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        stamp = self.registration_stamp(record["run_id"])
        payload = json.dumps(
            {**record, "recorded_at": time.time(), "registration_stamp": stamp}, indent=1, sort_keys=True
        )
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(payload)
            os.replace(tmp, self.path(record["run_id"]))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
