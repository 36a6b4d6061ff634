"""One docs run never stops a tick: the partitions a sensor may look at, and per-run error isolation.

Dynamic partition keys accept almost anything (the UI's "Add partition" takes ``Bad_Run.1``), and a
docs run's files can be damaged by hand.  Every sensor walks the partitions through
:func:`docs_run_partitions` and evaluates each one inside :func:`isolated`: an invalid or unknown
partition is skipped, a docs run whose evaluation raises is skipped, and each is logged once per
code-location process (not on every tick), with what to do about it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

import dagster as dg

from docsgen_pipeline.dagster_layer.partitions import DOCS_RUNS
from docsgen_pipeline.errors import RunIdError
from docsgen_pipeline.store import ArtifactStore, validate_run_id

T = TypeVar("T")
Log = logging.Logger | dg.DagsterLogManager

_warned: set[tuple[str, str, str]] = set()
REMOVE_HINT = "remove it with the remove_docs_run_partition job (or `dagster` UI: Partitions > delete)"


def warn_once(log: Log, sensor: str, partition: str, message: str) -> None:
    """Log ``message`` about ``partition`` the first time this sensor meets it with this message."""
    key = (sensor, partition, message)
    if key in _warned:
        return
    _warned.add(key)
    log.warning(f"{sensor}: skipping docs run {partition!r}: {message}")


def docs_run_partitions(
    instance: dg.DagsterInstance, store: ArtifactStore, log: Log, sensor: str, only: Iterable[str] | None = None
) -> Iterator[str]:
    """The docs_runs partitions that are valid docs-run ids registered in the store (others: skipped).

    ``only``: just these partitions (a tick's docs runs with news, see ``sensors/work.py``).
    """
    for partition in instance.get_dynamic_partitions(DOCS_RUNS) if only is None else only:
        try:
            validate_run_id(partition)
        except RunIdError as exc:
            warn_once(log, sensor, partition, f"{exc}; {REMOVE_HINT}")
            continue
        if not store.has_run(partition):
            warn_once(log, sensor, partition, f"no docs run is registered under this id; {REMOVE_HINT}")
            continue
        yield partition


def isolated(log: Log, sensor: str, run_id: str, evaluate: Callable[[], T]) -> T | None:
    """``evaluate()`` for one docs run; an error is logged once and yields None instead of failing the tick."""
    try:
        return evaluate()
    except Exception as exc:  # one damaged docs run must not stop automation for the others
        warn_once(log, sensor, run_id, f"{type(exc).__name__}: {exc} (see `docsgen status {run_id}`)")
        return None
