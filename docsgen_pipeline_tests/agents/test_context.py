"""Prompts fitted to the context window: upstream first, then the brief's least relevant parts, else a clear error."""

from __future__ import annotations

import pytest

from docsgen_pipeline.agents.context import TokenCounter, context_from_error, fit_prompt, trim_order
from docsgen_pipeline.agents.prompts import write_prompt
from docsgen_pipeline.blueprint import default_blueprint
from docsgen_pipeline.brief import Brief
from docsgen_pipeline.errors import ContextWindowError
from docsgen_pipeline.planning import blueprint_plan
from docsgen_pipeline_tests.agents.helpers import openai_agent
from docsgen_pipeline_tests.agents.requests import plan_request, write_requests
from docsgen_pipeline_tests.fakes.openai_server import running_fake_server


def _screens_request(brief: Brief):  # type: ignore[no-untyped-def]
    blueprint = default_blueprint()
    phase = next(p for p in blueprint.phases if any(f.key == "screens" for f in p.files))
    plan = blueprint_plan(brief, blueprint, phase)
    request = next(r for r in write_requests(brief, plan) if r.file.key == "screens")
    return request.model_copy(update={"upstream": {"acme-15-data-model.md": "An upstream paragraph.\n\n" * 400}})


def test_server_messages_name_the_window() -> None:
    assert context_from_error("This model's maximum context length is 2048 tokens. However, you requested") == 2048
    assert context_from_error("Requested tokens (3000) exceed context window of 4096") == 4096
    assert context_from_error("the request exceeds the available context size (n_ctx: 8192)") == 8192
    assert context_from_error("model not found") is None


def test_least_relevant_parts_go_first() -> None:
    order = trim_order("screens ui screens Order List Order Detail")
    assert order.index("workflows") < order.index("screens")  # a UI page keeps its screens longest
    assert order[0] == "notes"
    assert trim_order("data model schemas")[-1] == "entities"


def test_upstream_then_brief_is_trimmed(example_brief: Brief) -> None:
    request = _screens_request(example_brief)
    counter = TokenCounter()

    def render(brief: Brief, upstream: int):  # type: ignore[no-untyped-def]
        return write_prompt(request.model_copy(update={"brief": brief}), upstream)

    full = fit_prompt(render, example_brief, upstream_chars=12000, topic="screens ui", window=None, max_tokens=800,
                      counter=counter, what="w")
    roomy = fit_prompt(render, example_brief, upstream_chars=12000, topic="screens ui", window=3000,
                       max_tokens=800, counter=counter, what="w")
    assert roomy.trimmed == ["upstream excerpts"] and "Order List: lets support staff" in roomy.prompt.user
    tight = fit_prompt(render, example_brief, upstream_chars=12000, topic="screens ui", window=2048,
                       max_tokens=800, counter=counter, what="w")
    assert tight.prompt_tokens < roomy.prompt_tokens < full.prompt_tokens
    assert tight.prompt_tokens + tight.max_tokens <= 2048 and 256 <= tight.max_tokens <= 800
    # upstream first, then the brief's parts; the screens a screens page is about go last
    assert tight.trimmed[0] == "upstream excerpts" and tight.trimmed[1] == "brief workflows"
    assert tight.trimmed[-1] == "brief screens"
    assert "Workflows:" not in tight.prompt.user and "Screens:" not in tight.prompt.user
    assert "- Order\n" in tight.prompt.user or "- Order" in tight.prompt.user  # entity names stay


def test_a_brief_that_cannot_fit_is_an_error_before_any_call(example_brief: Brief) -> None:
    with running_fake_server() as server:
        agent = openai_agent(server, context_window=512, max_tokens=400)
        with pytest.raises(ContextWindowError, match=r"context window is 512 tokens .*--n_ctx"):
            agent.plan_phase(plan_request(example_brief, 1))
        assert server.chat_requests() == []


def test_the_window_is_read_from_the_server(example_brief: Brief) -> None:
    with running_fake_server(context_window=2048, report_context=True) as server:
        agent = openai_agent(server, max_tokens=1500)
        reply = agent.write_file(_screens_request(example_brief))
        assert agent.context_window() == 2048
        (sent,) = server.chat_requests()
    prompt_chars = sum(len(m["content"]) for m in sent.body["messages"])
    assert prompt_chars // 4 + sent.body["max_tokens"] <= 2048  # the server's own count
    assert reply.prompt_trimmed[0] == "upstream excerpts" and reply.markdown.startswith("# ")


def test_a_refusal_that_names_the_window_is_learned(example_brief: Brief) -> None:
    # llama-cpp-python reports no context size; its refusal does, and the agent fits to it.
    with running_fake_server(context_window=1600) as server:
        agent = openai_agent(server, max_tokens=400)
        reply = agent.plan_phase(plan_request(example_brief, 1))
        assert agent.context_window() == 1600
        first, second = server.chat_requests()
    sizes = [sum(len(m["content"]) for m in r.body["messages"]) for r in (first, second)]
    assert sizes[1] < sizes[0]
    assert reply.source == "agent"
