"""Keeping status records current: recompute a docs run's record from its facts and store it.

The record (:mod:`docsgen_pipeline.status_record`) is derived by the pure lifecycle from
:func:`~docsgen_pipeline.dagster_layer.facts.collect`; this module decides *when*: after every
in-process execution, cancel and archive, and for the docs runs whose Dagster runs changed since
a sensor's cursor (:func:`changed_docs_runs`).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import dagster as dg
from dagster._core.storage.tags import PARTITION_NAME_TAG

from docsgen_pipeline.archive import is_archived
from docsgen_pipeline.dagster_layer.facts import collect
from docsgen_pipeline.dagster_layer.keys import approval_key
from docsgen_pipeline.dagster_layer.partitions import RUN_TAG
from docsgen_pipeline.dagster_layer.staleness import GraphSource, PhaseStaleness, stale_phases
from docsgen_pipeline.dagster_layer.ui_status import report_ui_events
from docsgen_pipeline.docs_run import DocsRun
from docsgen_pipeline.status_record import StatusBook, describe
from docsgen_pipeline.store import ArtifactStore

# The record's per-phase staleness (only known where the asset graph is at hand).
STALENESS_KEYS = ("upstream_changed", "inputs_changed", "refresh", "stale_because")


def recompute(
    instance: dg.DagsterInstance,
    store: ArtifactStore,
    run_id: str,
    count_lock: bool = True,
    defs: GraphSource | None = None,
    staleness_of: int | None = None,
) -> dict[str, Any]:
    """The record from a full collection of the docs run's facts (not stored).

    ``count_lock=False``: the caller holds the execution lock and has finished its step.
    ``defs``: also record which phases an earlier regeneration made stale (Dagster's stale status
    needs the asset graph; without it the record says nothing about staleness).
    ``staleness_of``: ask only about that phase (a check of one phase inside a run; each asked
    asset costs Dagster event-log queries, about 50 ms): the record is then not for storing.
    """
    facts = collect(instance, store, run_id, count_lock=count_lock)
    record = describe(facts, archived=is_archived(store, run_id))
    if defs is not None:
        built = [p.number for p in facts.phases if p.planned or p.current_files or p.gate or p.approval]
        if staleness_of is not None:
            built = [n for n in built if n == staleness_of]
        add_staleness(instance, defs, store, record, built)
    return record


def add_staleness(
    instance: dg.DagsterInstance,
    defs: GraphSource,
    store: ArtifactStore,
    record: dict[str, Any],
    built: list[int],
) -> None:
    """Mark phases whose inputs changed after they were built, with why and the command that
    refreshes them; later phases are never rewritten on their own.

    Only ``built`` phases (something of theirs was materialized) are asked: nothing else can be
    stale, and each asked asset costs Dagster an event-log query (about 40 per docs run).
    """
    run = DocsRun.load(store, record["run_id"])
    asked = stale_phases(instance, defs, run.blueprint, run.run_id, phases=built) if built else []
    stale = {p.phase: p for p in asked}
    for phase in record["phases"]:
        found = stale.get(phase["phase"])
        is_stale = bool(found and found.is_stale)
        phase["upstream_changed"] = is_stale
        # Stale only because its own approval predates its current files: the approval check says
        # that; what the phase was built from is unchanged.
        own = approval_key(phase["phase"]).to_user_string()
        only_approval = found is not None and found.behind is None and all(a.asset == own for a in found.stale)
        phase["inputs_changed"] = is_stale and not only_approval
        phase["refresh"] = found.command if found and is_stale else None
        phase["stale_because"] = _why_stale(found) if found and is_stale else None


def _why_stale(found: PhaseStaleness) -> str:
    """What changed under a stale phase, in a line: its stale assets and their first cause."""
    if not found.stale:
        return f"it builds on phase {found.behind}, whose inputs changed"
    shown = [f"{a.asset} ({a.causes[0]})" if a.causes else a.asset for a in found.stale[:3]]
    more = len(found.stale) - len(shown)
    return "stale: " + "; ".join(shown) + (f"; and {more} more" if more else "")


def refresh(
    instance: dg.DagsterInstance,
    store: ArtifactStore,
    run_id: str,
    count_lock: bool = True,
    defs: GraphSource | None = None,
    report: bool = True,
) -> dict[str, Any]:
    """Recompute the docs run's record and store it; returns it.

    Without ``defs`` (a cancel, an archive) no file was materialized, so which phases are stale
    cannot have changed: the previous record's staleness is kept.
    ``report``: also show the record in the web UI (``docs_run/status`` and the approval checks,
    only what changed); a sensor passes False and returns those events in its result instead.
    """
    book = StatusBook(store.root)
    record = recompute(instance, store, run_id, count_lock, defs)
    previous = book.read(run_id) if defs is None else None
    if previous is not None:
        earlier = {p["phase"]: p for p in previous.get("phases", [])}
        for phase in record["phases"]:
            for key in STALENESS_KEYS:
                if key in earlier.get(phase["phase"], {}):
                    phase[key] = earlier[phase["phase"]][key]
    book.write(record)
    if report:
        report_ui_events(instance, record)
    return record


def changed_docs_runs(instance: dg.DagsterInstance, cursor: str | None) -> tuple[set[str], str]:
    """Docs runs with a Dagster run created or changed since ``cursor``; returns (ids, new cursor).

    The cursor holds the newest run-update time seen and the (run, status, update time) stamps seen
    in the last seconds before it: the query overlaps by two seconds, so runs updated within the same
    instant as the previous tick are not missed, and those already seen are not counted twice.
    The query is bounded by what changed, not by history.
    """
    state = json.loads(cursor) if cursor else None
    newest = float(state["t"]) if state else 0.0
    seen = {tuple(pair) for pair in state["seen"]} if state else set()
    after = datetime.fromtimestamp(newest - _OVERLAP, UTC) if state else None
    records = instance.get_run_records(dg.RunsFilter(updated_after=after) if after else None)
    changed: set[str] = set()
    stamps = []
    for record in records:
        # SQLite keeps update times in whole seconds: a run that starts and finishes within one
        # second keeps its time, so its status is part of what counts as news.
        stamp = (record.dagster_run.run_id, record.dagster_run.status.value, record.update_timestamp.timestamp())
        stamps.append(stamp)
        if stamp in seen:
            continue
        tags = record.dagster_run.tags
        docs_run = tags.get(RUN_TAG) or tags.get(PARTITION_NAME_TAG)
        if docs_run:
            changed.add(docs_run)
    newest = max([newest, *(t for _, _, t in stamps)])
    recent = sorted([run, status, t] for run, status, t in stamps if t > newest - _OVERLAP)
    return changed, json.dumps({"t": newest, "seen": recent})


_OVERLAP = 2.0  # update times may be truncated to whole seconds
