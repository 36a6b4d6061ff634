"""Progress a person can watch: per file and per repair round, with elapsed time, tokens and cost.

The phase step appends to the docs run's progress log (:mod:`docsgen_pipeline.progress`); this
view follows that log from the CLI's process: a ``rich`` progress bar on a terminal, one plain
line per event otherwise (CI logs, pipes).  Everything goes to stderr.
"""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.progress import Progress as Bar

from docsgen_pipeline.progress import Progress, progress_events
from docsgen_pipeline.store import ArtifactStore

POLL_S = 0.3


class ProgressView:
    def __init__(self, store: ArtifactStore, run_id: str, tty: bool | None = None) -> None:
        self.store, self.run_id = store, run_id
        self.tty = sys.stderr.isatty() if tty is None else tty
        self._seen = len(progress_events(store, run_id))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._follow, name="docsgen-progress", daemon=True)
        self._started = time.monotonic()

    def __enter__(self) -> ProgressView:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()

    def _new(self) -> list[Progress]:
        events = progress_events(self.store, self.run_id)
        fresh, self._seen = events[self._seen :], len(events)
        return fresh

    def _follow(self) -> None:
        if not self.tty:
            while True:
                stopping = self._stop.wait(POLL_S)
                for event in self._new():
                    click.echo(f"[{time.monotonic() - self._started:6.1f} s] {event.line()}", err=True)
                if stopping:
                    return

        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   TextColumn("{task.fields[usage]}"))
        with Bar(*columns, console=Console(stderr=True), transient=False) as bar:
            tasks: dict[tuple[int, str, int], TaskID] = {}
            while True:
                stopping = self._stop.wait(POLL_S)
                for event in self._new():
                    what = (event.phase, event.stage, event.round)
                    label = f"phase {event.phase} " + ("write" if event.stage == "write" else f"repair {event.round}")
                    usage = (f"{event.calls} calls, {event.tokens_in}+{event.tokens_out} tok, "
                             f"${event.cost_usd:.4f} — {event.file}")
                    if what not in tasks:
                        tasks[what] = bar.add_task(label, total=event.total, usage=usage)
                    bar.update(tasks[what], completed=event.done, usage=usage)
                if stopping:
                    return
