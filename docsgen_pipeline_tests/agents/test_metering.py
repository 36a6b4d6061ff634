"""Cost from the price table, the per-docs-run budget (stops before a call), and the response cache."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from docsgen_pipeline.agents.metering import Budget, PriceTable, estimate_tokens
from docsgen_pipeline.agents.registry import agent_metadata, build_agent
from docsgen_pipeline.agents.settings import Price
from docsgen_pipeline.brief import Brief
from docsgen_pipeline.errors import BudgetExceededError
from docsgen_pipeline_tests.agents.helpers import openai_agent, openai_settings
from docsgen_pipeline_tests.agents.requests import plan_request, write_requests
from docsgen_pipeline_tests.fakes.openai_server import FakeOpenAIServer

PRICED = {"fake-model": Price(input_per_m=1000.0, output_per_m=2000.0)}


def test_price_table() -> None:
    table = PriceTable({"mine": Price(input_per_m=1, output_per_m=2)})
    assert table.cost("mine", 1_000_000, 500_000) == pytest.approx(2.0)
    assert table.cost("gpt-4o-mini-2024-07-18", 1_000_000, 0) == pytest.approx(0.15)  # family prefix
    assert table.cost("llama3:8b", 10**6, 10**6) == 0.0  # local models are free
    assert estimate_tokens("abcd" * 10) == 10


def test_cost_is_metered_per_call(fake_openai_server: FakeOpenAIServer, example_brief: Brief) -> None:
    agent = openai_agent(fake_openai_server, prices=PRICED)
    usage = agent.plan_phase(plan_request(example_brief, 0)).usage
    assert usage.cost_usd == pytest.approx((usage.tokens_in * 1000 + usage.tokens_out * 2000) / 1e6)
    assert agent_metadata(agent)["budget_spent_usd"] == pytest.approx(usage.cost_usd, abs=1e-6)


def test_budget_stops_before_the_call_that_would_exceed_it(
    fake_openai_server: FakeOpenAIServer, example_brief: Brief
) -> None:
    # worst case of one call = prompt (~1.5k tokens) at $1000/M + 2000 max tokens at $2000/M ≈ $5.5
    agent = openai_agent(fake_openai_server, prices=PRICED, max_tokens=2000, budget_usd=7.0)
    plan = agent.plan_phase(plan_request(example_brief, 1)).plan  # fits; actual cost is far below worst
    spent = agent.budget.spent_usd
    assert 0 < spent < 7.0
    with pytest.raises(BudgetExceededError, match=r"could cost up to \$.* of the \$7.00 cap.*raise budget_usd"):
        agent.write_file(write_requests(example_brief, plan)[0])
    assert len(fake_openai_server.chat_requests()) == 1  # the refused call was never sent
    assert agent.budget.spent_usd == spent


def test_budget_reservations_are_thread_safe() -> None:
    budget = Budget(10.0)
    admitted: list[float] = []
    refused: list[Exception] = []

    def take() -> None:
        try:
            admitted.append(budget.reserve(1.0, "call"))
        except BudgetExceededError as exc:
            refused.append(exc)

    threads = [threading.Thread(target=take) for _ in range(25)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(admitted) == 10 and len(refused) == 15
    for reservation in admitted:
        budget.settle(reservation, 0.5, "call")
    assert budget.spent_usd == pytest.approx(5.0)


def test_budget_ledger_spans_phases_and_processes(tmp_path: Path) -> None:
    ledger = tmp_path / "run" / "budget.jsonl"
    first = Budget(1.0, ledger)
    first.settle(first.reserve(0.4, "a"), 0.6, "a")
    second = Budget(1.0, ledger)  # e.g. the next phase's step, in a new process
    assert second.spent_usd == pytest.approx(0.6)
    with pytest.raises(BudgetExceededError):
        second.reserve(0.5, "b")


def test_response_cache_makes_reruns_free(
    tmp_path: Path, fake_openai_server: FakeOpenAIServer, example_brief: Brief
) -> None:
    settings = openai_settings(fake_openai_server, cache_dir=str(tmp_path / "cache"), prices=PRICED)
    first = build_agent(settings, environ={}).plan_phase(plan_request(example_brief, 2))
    assert not first.usage.cached and first.usage.cost_usd > 0
    # a new agent (a re-executed run after a crash) with the same prompt and parameters
    again = build_agent(settings, environ={}).plan_phase(plan_request(example_brief, 2))
    assert again.usage.cached and again.usage.cost_usd == 0.0 and again.plan == first.plan
    assert len(fake_openai_server.chat_requests()) == 1
    # a different parameter is a different answer
    hotter = settings.model_copy(update={"temperature": 0.9})
    build_agent(hotter, environ={}).plan_phase(plan_request(example_brief, 2))
    assert len(fake_openai_server.chat_requests()) == 2
