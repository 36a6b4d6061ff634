"""The OpenAI-compatible agent over real HTTP (real SDK) against the fake server on 127.0.0.1."""

from __future__ import annotations

import socket

import pytest

from docsgen_pipeline.agents.registry import build_agent, usage_metadata
from docsgen_pipeline.agents.settings import AgentSettings
from docsgen_pipeline.brief import Brief
from docsgen_pipeline.errors import AgentError, ConfigError
from docsgen_pipeline_tests.agents.helpers import Sleeps, openai_agent, openai_settings
from docsgen_pipeline_tests.agents.requests import plan_request, write_requests
from docsgen_pipeline_tests.fakes.openai_server import FakeOpenAIServer, Reply, running_fake_server


def test_plan_and_write_with_good_answers(fake_openai_server: FakeOpenAIServer, example_brief: Brief) -> None:
    agent = openai_agent(fake_openai_server)
    reply = agent.plan_phase(plan_request(example_brief, 1))
    assert [f.key for f in reply.plan.files] == ["base_index", "foundations", "terminology", "canonical_schemas",
                                                  "requirements"]
    assert reply.usage.calls == 1 and reply.usage.tokens_in > 0 and reply.usage.model == "fake-model"

    request = write_requests(example_brief, reply.plan)[1]
    written = agent.write_file(request)
    assert written.markdown.startswith("# Foundations\n")
    for heading in ("Problem statement", "Design principles", "Scope"):
        assert f"\n## {heading}\n" in written.markdown
    meta = usage_metadata(written.usage)
    assert meta["retries"] == 0 and written.usage.tokens_out > 0 and meta["model"] == "fake-model"


def test_request_carries_model_parameters(fake_openai_server: FakeOpenAIServer, example_brief: Brief) -> None:
    agent = openai_agent(fake_openai_server, temperature=0.7, max_tokens=321, json_mode=True)
    agent.plan_phase(plan_request(example_brief, 0))
    body = fake_openai_server.chat_requests()[0].body
    assert body["model"] == "fake-model" and body["temperature"] == 0.7 and body["max_tokens"] == 321
    assert body["response_format"] == {"type": "json_object"}
    assert [m["role"] for m in body["messages"]] == ["system", "user"]


def test_fenced_markdown_is_unwrapped(fake_openai_server: FakeOpenAIServer, example_brief: Brief) -> None:
    agent = openai_agent(fake_openai_server)
    plan = agent.plan_phase(plan_request(example_brief, 1)).plan
    fake_openai_server.push(Reply(fence=True))
    written = agent.write_file(write_requests(example_brief, plan)[2])
    assert written.markdown.startswith("# Terminology\n")
    assert "```" not in written.markdown and "Let me know" not in written.markdown


def test_429_honours_retry_after_and_counts_retries(fake_openai_server: FakeOpenAIServer, example_brief: Brief) -> None:
    sleeps = Sleeps()
    agent = openai_agent(fake_openai_server, sleeps)
    fake_openai_server.push(
        Reply(status=429, headers={"Retry-After": "7"}), Reply(status=429, headers={"retry-after-ms": "250"})
    )
    reply = agent.plan_phase(plan_request(example_brief, 0))
    assert sleeps == [7.0, 0.25]
    assert reply.usage.retries == 2
    assert len(fake_openai_server.chat_requests()) == 3  # SDK retries are off: only ours happened


def test_retry_after_is_capped(fake_openai_server: FakeOpenAIServer, example_brief: Brief) -> None:
    sleeps = Sleeps()
    agent = openai_agent(fake_openai_server, sleeps, backoff_max_s=10)
    fake_openai_server.push(Reply(status=429, headers={"Retry-After": "3600"}))
    agent.plan_phase(plan_request(example_brief, 0))
    assert sleeps == [10.0]


def test_5xx_backs_off_exponentially_then_succeeds(fake_openai_server: FakeOpenAIServer, example_brief: Brief) -> None:
    sleeps = Sleeps()
    agent = openai_agent(fake_openai_server, sleeps, backoff_initial_s=1, backoff_max_s=60)
    fake_openai_server.push(Reply(status=500), Reply(status=502), Reply(status=503))
    reply = agent.plan_phase(plan_request(example_brief, 0))
    assert reply.usage.retries == 3
    # exponential with jitter in [0, initial): 1, 2, 4 plus jitter
    assert [int(s) for s in sleeps] == [1, 2, 4]


def test_gives_up_after_max_retries(fake_openai_server: FakeOpenAIServer, example_brief: Brief) -> None:
    agent = openai_agent(fake_openai_server, max_retries=2)
    fake_openai_server.push(*[Reply(status=500)] * 5)
    with pytest.raises(AgentError, match=r"server error 500.*gave up after 3 attempt\(s\).*docsgen doctor"):
        agent.plan_phase(plan_request(example_brief, 0))
    assert len(fake_openai_server.chat_requests()) == 3


def test_slow_reply_past_timeout_is_retried(fake_openai_server: FakeOpenAIServer, example_brief: Brief) -> None:
    agent = openai_agent(fake_openai_server, timeout_s=0.2)
    fake_openai_server.push(Reply(delay_s=1.0))
    reply = agent.plan_phase(plan_request(example_brief, 0))
    assert reply.usage.retries == 1
    assert len(fake_openai_server.chat_requests()) == 2


def test_timeouts_exhausted_name_the_setting(fake_openai_server: FakeOpenAIServer, example_brief: Brief) -> None:
    agent = openai_agent(fake_openai_server, timeout_s=0.2, max_retries=1)
    fake_openai_server.push(Reply(delay_s=1.0), Reply(delay_s=1.0))
    with pytest.raises(AgentError, match=r"no answer within timeout_s=0.2s"):
        agent.plan_phase(plan_request(example_brief, 0))


def test_401_is_not_retried_and_names_the_variable(example_brief: Brief) -> None:
    with running_fake_server(api_key="right") as server:
        agent = build_agent(openai_settings(server, api_key_env="MY_KEY"), environ={"MY_KEY": "wrong"})
        with pytest.raises(AgentError, match=r"401 unauthorized: set a valid API key in \$MY_KEY"):
            agent.plan_phase(plan_request(example_brief, 0))
        assert len(server.chat_requests()) == 1
        good = build_agent(openai_settings(server, api_key_env="MY_KEY"), environ={"MY_KEY": "right"})
        good.plan_phase(plan_request(example_brief, 0))
        assert server.chat_requests()[-1].authorization == "Bearer right"


def test_unknown_model_404_says_what_to_check(fake_openai_server: FakeOpenAIServer, example_brief: Brief) -> None:
    agent = openai_agent(fake_openai_server, model="no-such-model")
    with pytest.raises(AgentError, match=r"404 not found: check the model name"):
        agent.plan_phase(plan_request(example_brief, 0))
    assert len(fake_openai_server.chat_requests()) == 1


def test_connection_refused_is_retried_then_reported(example_brief: Brief) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sleeps = Sleeps()
    agent = build_agent(
        openai_settings_for_url(f"http://127.0.0.1:{port}/v1", max_retries=2), environ={}, retry_sleep=sleeps
    )
    with pytest.raises(AgentError, match=r"cannot connect .*is the server running\?.*gave up after 3 attempt"):
        agent.plan_phase(plan_request(example_brief, 0))
    assert len(sleeps) == 2


def openai_settings_for_url(url: str, **overrides: object) -> AgentSettings:
    return AgentSettings.model_validate({"kind": "openai", "base_url": url, "model": "m", **overrides})


def test_api_key_is_read_from_env_and_never_in_settings(fake_openai_server: FakeOpenAIServer) -> None:
    settings = openai_settings(fake_openai_server)
    agent = build_agent(settings, environ={"OPENAI_API_KEY": "sk-secret-value"})
    assert "sk-secret-value" not in settings.model_dump_json()
    assert "sk-secret-value" not in str(settings.public_dict())
    assert "sk-secret-value" not in str(agent.identity())


def test_hosted_openai_without_key_fails_before_any_call() -> None:
    with pytest.raises(ConfigError, match=r"\$OPENAI_API_KEY is not set"):
        build_agent(AgentSettings(kind="openai"), environ={})
