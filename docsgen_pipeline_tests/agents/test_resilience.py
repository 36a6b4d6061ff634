"""Circuit breaker: opens after consecutive failures, fails fast while open, half-opens, recovers."""

from __future__ import annotations

import logging

import pytest

from docsgen_pipeline.agents.metering import Budget
from docsgen_pipeline.agents.openai_compat import OpenAICompatCompleter
from docsgen_pipeline.agents.prompted import PromptedAgent
from docsgen_pipeline.agents.registry import agent_metadata
from docsgen_pipeline.agents.resilience import BreakerState, CircuitBreaker, RetryPolicy, breaker_for, call_resiliently
from docsgen_pipeline.brief import Brief
from docsgen_pipeline.errors import AgentError, CircuitOpenError
from docsgen_pipeline_tests.agents.helpers import Sleeps, openai_agent, openai_settings
from docsgen_pipeline_tests.agents.requests import plan_request
from docsgen_pipeline_tests.fakes.openai_server import FakeOpenAIServer, Reply


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def state(breaker: CircuitBreaker) -> BreakerState:
    """Read through a call so the type checker does not narrow the property between steps."""
    return breaker.state


def test_breaker_state_machine() -> None:
    clock = Clock()
    breaker = CircuitBreaker("http://x", failure_threshold=2, cooldown_s=30, clock=clock)
    breaker.before_call()
    breaker.record_failure()
    assert state(breaker) is BreakerState.CLOSED
    breaker.record_failure()
    assert state(breaker) is BreakerState.OPEN
    with pytest.raises(CircuitOpenError, match=r"http://x is open after 2 consecutive failures.*next trial in 30s"):
        breaker.before_call()
    clock.now += 30
    assert state(breaker) is BreakerState.HALF_OPEN
    breaker.before_call()  # the one trial
    with pytest.raises(CircuitOpenError):
        breaker.before_call()  # others still fail fast while the trial is in flight
    breaker.record_failure()  # trial failed: open again for a full cool-down
    assert state(breaker) is BreakerState.OPEN
    clock.now += 30
    breaker.before_call()
    breaker.record_success()
    assert state(breaker) is BreakerState.CLOSED
    assert breaker.snapshot() == {
        "breaker_endpoint": "http://x",
        "breaker_state": "closed",
        "breaker_consecutive_failures": 0,
        "breaker_times_opened": 2,
    }


def test_success_resets_the_count() -> None:
    breaker = CircuitBreaker("e", failure_threshold=2)
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED


def test_one_breaker_per_endpoint() -> None:
    assert breaker_for("http://a/v1", 3, 1) is breaker_for("http://a/v1", 3, 1)
    assert breaker_for("http://a/v1", 3, 1) is not breaker_for("http://b/v1", 3, 1)


def _agent_with_clock(server: FakeOpenAIServer, clock: Clock, **overrides: object) -> PromptedAgent:
    settings = openai_settings(server, **overrides)
    return PromptedAgent(
        "openai",
        OpenAICompatCompleter(settings, "unused"),
        settings,
        budget=Budget(None),
        breaker=CircuitBreaker(server.base_url, settings.breaker_failures, settings.breaker_cooldown_s, clock),
        policy=RetryPolicy(settings.max_retries, 0, 0, Sleeps()),
        cache=None,
    )


def test_breaker_opens_fails_fast_and_recovers_over_http(
    fake_openai_server: FakeOpenAIServer, example_brief: Brief, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    agent = _agent_with_clock(fake_openai_server, clock, breaker_failures=3, breaker_cooldown_s=60, max_retries=10)
    fake_openai_server.push(*[Reply(status=500)] * 3)
    with caplog.at_level(logging.WARNING, logger="docsgen.agents"), pytest.raises(CircuitOpenError):
        agent.plan_phase(plan_request(example_brief, 0))
    assert len(fake_openai_server.chat_requests()) == 3  # retries stopped when the breaker opened
    assert agent_metadata(agent)["breaker_state"] == "open"
    assert "circuit breaker for http://127.0.0.1" in caplog.text
    assert "opened after 3 consecutive failures" in caplog.text

    with pytest.raises(CircuitOpenError, match="failing fast"):
        agent.plan_phase(plan_request(example_brief, 0))
    assert len(fake_openai_server.chat_requests()) == 3  # nothing was sent while open

    clock.now += 60  # cool-down over: one trial goes through and succeeds
    reply = agent.plan_phase(plan_request(example_brief, 0))
    assert reply.plan.files and agent_metadata(agent)["breaker_state"] == "closed"
    assert agent_metadata(agent)["breaker_times_opened"] == 1


def test_permanent_errors_do_not_open_the_breaker(fake_openai_server: FakeOpenAIServer, example_brief: Brief) -> None:
    agent = openai_agent(fake_openai_server, model="missing", breaker_failures=1)
    for _ in range(3):
        with pytest.raises(AgentError, match="404"):
            agent.plan_phase(plan_request(example_brief, 0))
    assert agent.breaker.state is BreakerState.CLOSED



def test_unexpected_error_releases_the_half_open_trial() -> None:
    clock = Clock()
    breaker = CircuitBreaker("e", failure_threshold=1, cooldown_s=5, clock=clock)
    breaker.record_failure()
    clock.now += 5

    def broken() -> None:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        call_resiliently(broken, RetryPolicy(0, 0, 0, Sleeps()), breaker, "x")
    clock.now += 5
    breaker.before_call()  # a new trial is allowed after the next cool-down
