"""build_agent: explicit kinds, settings that never hold the key."""

from __future__ import annotations

import pytest

from docsgen_pipeline.agents.base import Usage
from docsgen_pipeline.agents.registry import FACTORIES, build_agent, usage_metadata
from docsgen_pipeline.agents.settings import AgentSettings
from docsgen_pipeline.errors import ConfigError


def test_kinds() -> None:
    assert set(FACTORIES) == {"template", "openai", "command"}


def test_azure_needs_a_key() -> None:
    settings = AgentSettings(
        kind="openai", base_url="https://x.openai.azure.com", model="dep", azure_api_version="2024-06-01"
    )
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        build_agent(settings, environ={})
    agent = build_agent(settings, environ={"OPENAI_API_KEY": "k"})
    assert agent.identity()["model"] == "dep"


def test_local_servers_need_no_key() -> None:
    settings = AgentSettings(kind="openai", base_url="http://127.0.0.1:11434/v1", model="llama3.1")
    agent = build_agent(settings, environ={})
    assert agent.identity() == {
        "agent": "openai", "base_url": "http://127.0.0.1:11434/v1", "model": "llama3.1",
        "temperature": "0.2", "max_tokens": "4000",
    }


def test_settings_reject_unknown_fields() -> None:
    with pytest.raises(ValueError, match="api_key"):
        AgentSettings.model_validate({"kind": "openai", "api_key": "sk-123"})


def test_usage_metadata() -> None:
    meta = usage_metadata(Usage(model="m", tokens_in=3, tokens_out=4, retries=2, cost_usd=0.1234567))
    assert meta == {"model": "m", "tokens_in": 3, "tokens_out": 4, "agent_duration_s": 0.0, "retries": 2,
                    "calls": 1, "cost_usd": 0.123457, "cached": False}
