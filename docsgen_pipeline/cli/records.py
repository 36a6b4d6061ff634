"""Status rows for ``docsgen list`` / ``status``: read from the status records, not recomputed.

Reading N records costs one query, one ``stat`` per run and no Dagster import; only a docs run without a
record (registered but never executed here, or an unreadable cache) or ``--recompute`` pays for
collecting facts from the instance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docsgen_pipeline.errors import DocsGenError, UnknownRunError
from docsgen_pipeline.settings import store_root
from docsgen_pipeline.status_record import StatusBook, agree, broken_record, with_staleness
from docsgen_pipeline.store import RUN_ID_RE, ArtifactStore

if TYPE_CHECKING:
    import dagster as dg


class _Recomputer:
    """Collects facts on demand; imports Dagster and builds Definitions only when first needed."""

    def __init__(self, store: ArtifactStore) -> None:
        self.store = store
        self._instance: dg.DagsterInstance | None = None
        self._defs: dict[str, dg.Definitions] = {}

    def __call__(self, run_id: str) -> dict[str, Any]:
        from docsgen_pipeline.cli.instance import get_definitions, get_instance
        from docsgen_pipeline.dagster_layer.status_records import refresh
        from docsgen_pipeline.docs_run import DocsRun

        if self._instance is None:
            self._instance = get_instance()
        run = DocsRun.load(self.store, run_id)
        key = run.registration.blueprint_sha256
        if key not in self._defs:
            self._defs[key] = get_definitions(run.blueprint)
        return refresh(self._instance, self.store, run_id, defs=self._defs[key])


def _sqlite_instance_reset() -> bool:
    """The default SQLite instance lost its run database (deleted, reset, restored without it).

    Cached records would then repeat what the instance no longer knows: recompute them, so the
    rows say the instance has no record of the run instead of guessing.
    """
    from docsgen_pipeline.settings import dagster_home

    home = dagster_home()
    config = home / "dagster.yaml"
    try:
        text = config.read_text(encoding="utf-8")
    except OSError:
        text = ""
    if "postgres" in text or ("storage:" in text and "sqlite" not in text):
        return False
    return not (home / "history" / "runs.db").exists()


def status_rows(
    run_ids: list[str], stale_after_days: float, include_archived: bool = False, recompute: bool = False
) -> tuple[list[dict[str, Any]], list[str]]:
    """(rows as printed, ids whose stored record disagreed with a recomputation — only with ``recompute``)."""
    store = ArtifactStore(store_root())
    book = StatusBook(store.root)
    compute = _Recomputer(store)
    for run_id in run_ids:
        if not store.has_run(run_id) and run_id not in store.damaged_run_dirs():
            store.registration(run_id)  # an unknown id fails with the command that registers it
    rows = []
    differed = []
    recompute = recompute or _sqlite_instance_reset()
    cached_records: dict[str, dict[str, Any] | None]
    if run_ids:
        order, damaged, stamps = run_ids, None, None
        cached_records = {run_id: book.read(run_id) for run_id in run_ids}
    else:
        order, damaged, stamps = _all_runs(store, book)
        # The listing shows no per-phase detail: one query for every summary.
        cached_records = {**(book.read_all() if recompute else book.summaries())}
    for run_id in order:
        try:
            cached = cached_records.get(run_id)
            stamp = book.registration_stamp(run_id) if stamps is None else stamps.get(run_id)
            if cached is None or stamp is None or cached.get("registration_stamp") != stamp:
                store.registration(run_id)  # a damaged run.json is Broken even when a record is cached
            record = cached
            if recompute or cached is None:
                record = compute(run_id)
                if recompute and not agree(cached, record):
                    differed.append(run_id)
        except (DocsGenError, OSError, ValueError, KeyError) as exc:
            known_damaged = store.damaged_run_dirs() if damaged is None else damaged
            if isinstance(exc, UnknownRunError) and run_id not in known_damaged:
                raise
            # One damaged run folder never breaks the listing of the others.
            rows.append(with_staleness(broken_record(run_id, str(exc).splitlines()[0] or type(exc).__name__), 0))
            continue
        assert record is not None
        if record.get("archived") and not (include_archived or run_ids):
            continue
        rows.append(with_staleness(record, stale_after_days))
    return rows, differed


def _all_runs(store: ArtifactStore, book: StatusBook) -> tuple[list[str], list[str], dict[str, list[int]] | None]:
    """(every run id in order, the damaged run folders, run.json stamps when one scan could take them).

    A folder store answers "registered?" and "record still current?" with one stat per run; an
    object store is listed through its blobs (and its records are checked against run.json).
    """
    if not store.is_local:
        registered, damaged = store.run_folders()
        return sorted([*registered, *damaged]), damaged, None
    stamps, others = book.registrations()
    registered = [name for name in stamps if RUN_ID_RE.match(name)]
    damaged = [name for name in others if RUN_ID_RE.match(name) and store.is_damaged_run_folder(name)]
    return sorted([*registered, *damaged]), damaged, stamps
