"""Bounded, survivable calls: tenacity retries with backoff and a circuit breaker per endpoint.

This is the *only* retry layer: adapters build their SDK clients with ``max_retries=0`` so a
rate-limited endpoint sees ``max_retries + 1`` attempts per call, not their product.  Adapters
translate their failures into :class:`RetryableError` (worth retrying, optionally with the
server's Retry-After) or a plain :class:`AgentError` (a retry cannot help: 401, 404, bad request).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter

from docsgen_pipeline.errors import AgentError, CircuitOpenError, TransientAgentError

log = logging.getLogger("docsgen.agents")

T = TypeVar("T")


class RetryableError(TransientAgentError):
    """A failed attempt a retry may fix; ``retry_after_s`` is the server's hint, if it gave one."""

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Opens after ``failure_threshold`` consecutive failed attempts, fails fast while open, and
    lets one trial call through once ``cooldown_s`` has passed (half-open).  Thread-safe."""

    def __init__(
        self,
        endpoint: str,
        failure_threshold: int = 5,
        cooldown_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.endpoint = endpoint
        self.failure_threshold = failure_threshold
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._trial_in_flight = False
        self.times_opened = 0

    def _current(self) -> BreakerState:
        if self._state is BreakerState.OPEN and self._clock() - self._opened_at >= self.cooldown_s:
            self._state = BreakerState.HALF_OPEN
            self._trial_in_flight = False
            log.warning("circuit breaker for %s is half-open: letting one trial call through", self.endpoint)
        return self._state

    @property
    def state(self) -> BreakerState:
        with self._lock:
            return self._current()

    def before_call(self) -> None:
        with self._lock:
            state = self._current()
            if state is BreakerState.CLOSED:
                return
            if state is BreakerState.HALF_OPEN and not self._trial_in_flight:
                self._trial_in_flight = True
                return
            wait = max(0.0, self.cooldown_s - (self._clock() - self._opened_at))
            raise CircuitOpenError(
                f"circuit breaker for {self.endpoint} is open after {self._failures} consecutive failures; "
                f"failing fast (next trial in {wait:.0f}s). Check the endpoint with `docsgen doctor`, then re-run"
            )

    def record_success(self) -> None:
        with self._lock:
            if self._state is not BreakerState.CLOSED:
                log.warning("circuit breaker for %s closed: the endpoint answered again", self.endpoint)
            self._state = BreakerState.CLOSED
            self._failures = 0
            self._trial_in_flight = False

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            reopen = self._state is BreakerState.HALF_OPEN
            if reopen or (self._state is BreakerState.CLOSED and self._failures >= self.failure_threshold):
                self._state = BreakerState.OPEN
                self._opened_at = self._clock()
                self._trial_in_flight = False
                self.times_opened += 1
                log.error(
                    "circuit breaker for %s opened after %d consecutive failures; failing fast for %.0fs",
                    self.endpoint,
                    self._failures,
                    self.cooldown_s,
                )

    def snapshot(self) -> dict[str, str | int | float]:
        """For materialization metadata."""
        with self._lock:
            return {
                "breaker_endpoint": self.endpoint,
                "breaker_state": self._current().value,
                "breaker_consecutive_failures": self._failures,
                "breaker_times_opened": self.times_opened,
            }


_BREAKERS: dict[str, CircuitBreaker] = {}
_BREAKERS_LOCK = threading.Lock()


def breaker_for(endpoint: str, failure_threshold: int, cooldown_s: float) -> CircuitBreaker:
    """The process-wide breaker of an endpoint: every agent (and thread) talking to it shares it."""
    with _BREAKERS_LOCK:
        breaker = _BREAKERS.get(endpoint)
        if breaker is None:
            breaker = _BREAKERS[endpoint] = CircuitBreaker(endpoint, failure_threshold, cooldown_s)
        return breaker


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 4
    initial_s: float = 1.0
    max_s: float = 60.0
    # Injectable so tests can observe the waits (and not spend them).
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def wait_for(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RetryableError) and exc.retry_after_s is not None:
            return min(max(0.0, exc.retry_after_s), self.max_s)
        backoff = wait_exponential_jitter(multiplier=self.initial_s, max=self.max_s, jitter=self.initial_s)
        return float(backoff(state))


@dataclass
class CallStats:
    attempts: int = 0

    @property
    def retries(self) -> int:
        return max(0, self.attempts - 1)


def call_resiliently(fn: Callable[[], T], policy: RetryPolicy, breaker: CircuitBreaker, what: str) -> tuple[T, int]:
    """Run ``fn`` with retries and the breaker; return (result, retries used)."""
    stats = CallStats()

    def attempt() -> T:
        stats.attempts += 1
        breaker.before_call()
        try:
            result = fn()
        except TransientAgentError:
            breaker.record_failure()
            raise
        except AgentError:
            # The endpoint answered (401, 404, bad request): it is up, the request is wrong.
            breaker.record_success()
            raise
        except BaseException:
            # Anything unexpected still ends the attempt: a half-open trial must not stay in flight.
            breaker.record_failure()
            raise
        breaker.record_success()
        return result

    def before_sleep(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        log.warning("%s: attempt %d failed (%s); retrying in %.1fs", what, state.attempt_number, exc, wait)

    retrying = Retrying(
        stop=stop_after_attempt(policy.max_retries + 1),
        wait=policy.wait_for,
        retry=retry_if_exception_type(TransientAgentError),
        sleep=policy.sleep,
        before_sleep=before_sleep,
        reraise=True,
    )
    try:
        return retrying(attempt), stats.retries
    except CircuitOpenError:
        raise
    except TransientAgentError as exc:
        raise AgentError(
            f"{what}: {exc} — gave up after {stats.attempts} attempt(s). Check the endpoint with `docsgen doctor`, "
            "raise timeout_s/max_retries if the model is just slow, then re-run (completed files are cached)"
        ) from exc
