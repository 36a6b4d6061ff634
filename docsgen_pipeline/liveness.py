"""When a Celery worker running a step counts as lost (pure: the caller pings and says when).

A worker that dies with its pool (SIGKILL, out of memory, a machine gone) never reports the end
of the step it was running, so without this the coordinator would wait for that result forever.
The coordinator pings each worker that runs one of its steps, at most every ``ping_every_s``; a
worker that has not answered for ``lost_after_s`` since the coordinator first saw it busy (or
since its last answer) is lost, and stays lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from docsgen_pipeline.limits import number_setting

LOST_AFTER_ENV = "DOCSGEN_CELERY_WORKER_LOST_S"
DEFAULT_LOST_AFTER_S = 60.0


def lost_after_s() -> float:
    """``$DOCSGEN_CELERY_WORKER_LOST_S``: seconds of silence after which a busy worker is lost (default 60)."""
    # At least 2: a ping itself may take a second.
    return number_setting(LOST_AFTER_ENV, DEFAULT_LOST_AFTER_S, float, "a number of seconds", 2, "seconds")


@dataclass
class Liveness:
    lost_after_s: float
    _last_ping: dict[str, float] = field(default_factory=dict)
    _last_answer: dict[str, float] = field(default_factory=dict)
    _lost: dict[str, float] = field(default_factory=dict)

    @property
    def ping_every_s(self) -> float:
        # A few pings within the timeout, so one lost reply never decides; never more than one
        # a second (each unanswered ping holds the coordinator's loop for its one-second wait).
        return max(1.0, min(5.0, self.lost_after_s / 4))

    def should_ping(self, worker: str, now: float) -> bool:
        last = self._last_ping.get(worker)
        return worker not in self._lost and (last is None or now - last >= self.ping_every_s)

    def pinged(self, worker: str, now: float, answered: bool) -> None:
        self._last_ping[worker] = now
        # First sight counts as an answer: the worker has just recorded that it started a step.
        self._last_answer.setdefault(worker, now)
        if answered:
            self._last_answer[worker] = now
        elif now - self._last_answer[worker] >= self.lost_after_s:
            self._lost.setdefault(worker, now)

    def silent_for(self, worker: str, now: float) -> float:
        return now - self._last_answer.get(worker, now)

    def is_lost(self, worker: str) -> bool:
        return worker in self._lost

    def first_loss(self) -> float | None:
        """When the first worker was found lost (``now`` of that ping), or None."""
        return min(self._lost.values(), default=None)
