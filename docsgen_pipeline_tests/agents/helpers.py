"""Build real agents against a fake server, with retry waits recorded instead of slept."""

from __future__ import annotations

from typing import Any

from docsgen_pipeline.agents.prompted import PromptedAgent
from docsgen_pipeline.agents.registry import build_agent
from docsgen_pipeline.agents.settings import AgentSettings
from docsgen_pipeline_tests.fakes.openai_server import FakeOpenAIServer


class Sleeps(list[float]):
    """Stands in for time.sleep: the waits the retry policy asked for, in order."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def openai_settings(server: FakeOpenAIServer, **overrides: Any) -> AgentSettings:
    values: dict[str, Any] = {"kind": "openai", "base_url": server.base_url, "model": "fake-model", "timeout_s": 5.0}
    values.update(overrides)
    return AgentSettings(**values)


def openai_agent(server: FakeOpenAIServer, sleeps: Sleeps | None = None, **overrides: Any) -> PromptedAgent:
    sleep = sleeps if sleeps is not None else Sleeps()
    agent = build_agent(openai_settings(server, **overrides), environ={}, retry_sleep=sleep)
    assert isinstance(agent, PromptedAgent)
    return agent
