"""Agent settings from flags and from resource config + a docs run's registration."""

from __future__ import annotations

import pytest

from docsgen_pipeline.agents.settings import AgentSettings, merge_settings
from docsgen_pipeline.cli.agent_options import agent_overrides, settings_from_options
from docsgen_pipeline.errors import ConfigError


def test_flags_override_only_what_is_given() -> None:
    base = AgentSettings(kind="openai", model="deployment-model", temperature=0.5)
    settings = settings_from_options(base, model="llama3.1", temperature=None)
    assert settings.model == "llama3.1" and settings.temperature == 0.5


def test_base_url_alone_means_openai() -> None:
    assert settings_from_options(base_url="http://localhost:11434/v1").kind == "openai"
    assert agent_overrides(base_url="http://localhost:11434/v1", model="m") == {
        "kind": "openai", "base_url": "http://localhost:11434/v1", "model": "m"
    }


def test_command_flag_is_split_like_a_shell() -> None:
    settings = settings_from_options(kind="command", command="ollama run 'llama3.1:8b'")
    assert settings.command == ("ollama", "run", "llama3.1:8b")
    assert agent_overrides(kind="command", command="llm -m x") == {"kind": "command", "command": ["llm", "-m", "x"]}


def test_bad_flags_name_the_setting() -> None:
    with pytest.raises(ConfigError, match=r"agent options: agent kind 'command' needs 'command' \(--agent-command"):
        settings_from_options(kind="command")


def test_run_choice_overrides_deployment() -> None:
    deployment = {"kind": "openai", "base_url": "http://vllm:8000/v1", "model": "qwen", "max_concurrency": 8}
    merged = merge_settings(deployment, {"model": "llama", "budget_usd": 2.5})
    assert (merged.base_url, merged.model, merged.max_concurrency, merged.budget_usd) == (
        "http://vllm:8000/v1", "llama", 8, 2.5
    )
    with pytest.raises(ConfigError, match="agent setting 'temperature'"):
        merge_settings(deployment, {"temperature": 7})


def test_public_dict_has_no_prices_and_no_key() -> None:
    public = AgentSettings(kind="openai").public_dict()
    assert "prices" not in public and public["api_key_env"] == "OPENAI_API_KEY"
    assert not any("key" in k and k != "api_key_env" for k in public)
