"""The command agent with real subprocesses: prompt on stdin, Markdown on stdout."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from docsgen_pipeline.agents.prompted import PromptedAgent
from docsgen_pipeline.agents.registry import build_agent
from docsgen_pipeline.agents.settings import AgentSettings
from docsgen_pipeline.brief import Brief
from docsgen_pipeline.errors import AgentError
from docsgen_pipeline_tests.agents.helpers import Sleeps
from docsgen_pipeline_tests.agents.requests import plan_request, write_requests

# A "model" CLI: the fake model answering whatever arrives on stdin, like `llm` or `ollama run`.
FAKE_CLI = """
import json, sys
from docsgen_pipeline_tests.fakes.fake_model import answer
prompt = sys.stdin.read()
print(answer([{"role": "user", "content": prompt}]), end="")
"""


def command_agent(tmp_path: Path, script: str, **overrides: object) -> PromptedAgent:
    path = tmp_path / "model_cli.py"
    path.write_text(script, encoding="utf-8")
    values: dict[str, object] = {"kind": "command", "command": (sys.executable, str(path)), "model": "cli-model"}
    values.update(overrides)
    agent = build_agent(AgentSettings.model_validate(values), environ={}, retry_sleep=Sleeps())
    assert isinstance(agent, PromptedAgent)
    return agent


def test_command_agent_plans_and_writes(tmp_path: Path, example_brief: Brief, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).resolve().parents[2]))
    agent = command_agent(tmp_path, FAKE_CLI)
    reply = agent.plan_phase(plan_request(example_brief, 1))
    assert reply.usage.model == "cli-model" and reply.usage.tokens_in > 0
    written = agent.write_file(write_requests(example_brief, reply.plan)[3])
    assert written.markdown.startswith("# Canonical Schemas\n")
    assert "\n## Order\n" in written.markdown  # entity sections suggested by the plan prompt


def test_exit_code_and_stderr_reach_the_error(tmp_path: Path, example_brief: Brief) -> None:
    script = (
        "import sys\nsys.stdin.read()\n"
        "print('model foo is not installed; run: pull foo', file=sys.stderr)\nsys.exit(3)\n"
    )
    agent = command_agent(tmp_path, script)
    with pytest.raises(AgentError, match=r"exited with code 3: model foo is not installed; run: pull foo"):
        agent.plan_phase(plan_request(example_brief, 0))


def test_timeout_is_retried_then_reported(tmp_path: Path, example_brief: Brief) -> None:
    counter = tmp_path / "runs"
    script = (
        "import sys, time, pathlib\n"
        f"p = pathlib.Path({str(counter)!r})\n"
        "p.write_text(p.read_text() + 'x' if p.exists() else 'x')\n"
        "time.sleep(5)\n"
    )
    agent = command_agent(tmp_path, script, timeout_s=0.3, max_retries=1)
    with pytest.raises(AgentError, match=r"did not finish within timeout_s=0.3s.*gave up after 2 attempt"):
        agent.plan_phase(plan_request(example_brief, 0))
    assert counter.read_text() == "xx"


def test_missing_program_is_a_clear_error(example_brief: Brief) -> None:
    settings = AgentSettings(kind="command", command=("/nonexistent/model-cli",))
    with pytest.raises(AgentError, match=r"'/nonexistent/model-cli' not found; check settings.command"):
        build_agent(settings, environ={}).plan_phase(plan_request(example_brief, 0))


def test_command_kind_needs_a_command() -> None:
    with pytest.raises(ValueError, match="needs 'command'"):
        AgentSettings(kind="command")
