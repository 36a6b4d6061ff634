"""Progress of a docs run in flight, per file and per repair round (pure).

The phase step appends one event per stored file to the run's ``progress`` log (artifact store),
so any process can follow a run: ``docsgen run`` draws it as it happens, ``docsgen status`` shows
the latest line for a run launched elsewhere (UI, daemon).  Totals are cumulative for the docs run.
"""

from __future__ import annotations

import time
from typing import Literal

from pydantic import BaseModel

from docsgen_pipeline.agents.base import Usage
from docsgen_pipeline.store import ArtifactStore

PROGRESS_LOG = "progress"
Stage = Literal["write", "repair"]


class Progress(BaseModel):
    phase: int
    stage: Stage
    round: int = 0
    file: str
    done: int
    total: int
    calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0
    model_s: float = 0.0  # time spent waiting for the model (sum over calls)
    elapsed_s: float = 0.0
    dagster_run_id: str = ""
    at: str = ""

    def line(self) -> str:
        what = "write" if self.stage == "write" else f"repair round {self.round}"
        return (
            f"phase {self.phase} {what}: {self.done}/{self.total} {self.file} — {self.elapsed_s:.1f} s, "
            f"{self.calls} calls, {self.tokens_in}+{self.tokens_out} tokens, ${self.cost_usd:.4f}"
        )


class ProgressTracker:
    """Counts one phase step's work and appends it to the progress log after each stored file."""

    def __init__(self, store: ArtifactStore, run_id: str, phase: int, dagster_run_id: str) -> None:
        self.store, self.run_id, self.phase, self.dagster_run_id = store, run_id, phase, dagster_run_id
        last = latest_progress(store, run_id)
        self.calls = last.calls if last else 0
        self.tokens_in = last.tokens_in if last else 0
        self.tokens_out = last.tokens_out if last else 0
        self.cost_usd = last.cost_usd if last else 0.0
        self.model_s = last.model_s if last else 0.0
        self.started = time.monotonic()

    def add(
        self, usage: Usage, file: str, done: int, total: int, stage: Stage = "write", repair_round: int = 0
    ) -> Progress:
        if not usage.cached:
            self.calls += usage.calls
            self.tokens_in += usage.tokens_in
            self.tokens_out += usage.tokens_out
            self.cost_usd += usage.cost_usd
            self.model_s += usage.duration_s
        event = Progress(
            phase=self.phase, stage=stage, round=repair_round, file=file, done=done, total=total, calls=self.calls,
            tokens_in=self.tokens_in, tokens_out=self.tokens_out, cost_usd=round_cost(self.cost_usd),
            model_s=round(self.model_s, 3),
            elapsed_s=round(time.monotonic() - self.started, 2), dagster_run_id=self.dagster_run_id,
        )
        stored = self.store.append_event(self.run_id, PROGRESS_LOG, event.model_dump(exclude={"at"}))
        return Progress.model_validate(stored)


def round_cost(value: float) -> float:
    return round(value, 6)


def progress_events(store: ArtifactStore, run_id: str) -> list[Progress]:
    return [Progress.model_validate(e) for e in store.events(run_id, PROGRESS_LOG)]


def latest_progress(store: ArtifactStore, run_id: str) -> Progress | None:
    events = progress_events(store, run_id)
    return events[-1] if events else None
