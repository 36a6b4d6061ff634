"""Agent flags shared by ``docsgen run``, ``doctor`` and ``estimate``.

Flags override a base :class:`AgentSettings` (defaults, or the deployment's resource config)
only where given, so ``--model`` alone keeps every other setting.  The API key is never a flag:
it stays in the environment variable named by ``--api-key-env``.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from typing import Any, TypeVar

import click
from pydantic import ValidationError

from docsgen_pipeline.agents.settings import AgentSettings, describe_error
from docsgen_pipeline.errors import ConfigError

F = TypeVar("F", bound=Callable[..., Any])

_OPTIONS = [
    click.option("--agent", "kind", type=click.Choice(["template", "openai", "command"]), envvar="DOCSGEN_AGENT",
                 help="writer: offline template (default), an OpenAI-compatible endpoint, or a command"),
    click.option("--base-url", envvar="DOCSGEN_BASE_URL", help="API root, e.g. http://localhost:11434/v1"),
    click.option("--model", envvar="DOCSGEN_MODEL", help="model name (Azure: the deployment name)"),
    click.option("--api-key-env", help="environment variable holding the API key (default OPENAI_API_KEY)"),
    click.option("--azure-api-version", help="talk to Azure OpenAI with this api-version"),
    click.option("--agent-command", "command", help="command agent argv, e.g. 'ollama run llama3.1' (prompt on stdin)"),
    click.option("--temperature", type=float),
    click.option("--max-tokens", type=click.IntRange(min=16), help="output cap per call"),
    click.option("--timeout", "timeout_s", type=click.FloatRange(min=0, min_open=True), help="seconds per attempt"),
    click.option("--max-retries", type=click.IntRange(min=0, max=20)),
    click.option(
        "--budget", "budget_usd", type=click.FloatRange(min=0, min_open=True), help="cost cap per docs run (USD)"
    ),
    click.option("--concurrency", "max_concurrency", type=click.IntRange(1, 64), help="calls in flight per phase"),
    click.option("--generation", type=click.Choice(["file", "section"]),
                 help="file: a call per file (default); section: headings by the orchestrator, a call per section"),
    click.option("--section-max-tokens", type=click.IntRange(min=16), help="output cap per section call"),
    click.option("--repair-rounds", type=click.IntRange(0, 10), help="automatic repair rounds per phase (default 2)"),
    click.option(
        "--structured-output",
        type=click.Choice(["auto", "json_schema", "json_object_schema", "json_object", "prompt"]),
        help="how phase plans are asked for (auto: the strongest mode the endpoint takes; see `docsgen doctor`)",
    ),
    click.option("--context-window", type=click.IntRange(min=256),
                 help="the model's context window in tokens (default: read from the server where it says)"),
    click.option("--json-mode/--no-json-mode", default=None, deprecated="use --structured-output json_object",
                 help="same as --structured-output json_object"),
]


def agent_options(fn: F) -> F:
    for option in reversed(_OPTIONS):
        fn = option(fn)
    return fn


AGENT_OPTION_NAMES = ("kind", "base_url", "model", "api_key_env", "azure_api_version", "command", "temperature",
                      "max_tokens", "timeout_s", "max_retries", "budget_usd", "max_concurrency", "json_mode",
                      "generation", "section_max_tokens", "repair_rounds", "structured_output", "context_window")


def agent_overrides(**options: Any) -> dict[str, Any]:
    """Only the agent flags that were given, validated; what a docs run's registration records
    (``register_docs_run(agent=...)``) so the deployment's resource config fills in the rest."""
    given: dict[str, Any] = {}
    for name in AGENT_OPTION_NAMES:
        value = options.get(name)
        if value is not None:
            given[name] = list(shlex.split(value)) if name == "command" else value
    if given.get("base_url") and "kind" not in given:
        given["kind"] = "openai"
    settings_from_options(**options)  # fail on a bad combination now, not in the first step
    return given


def settings_from_options(base: AgentSettings | None = None, **options: Any) -> AgentSettings:
    """Apply the flags that were given onto ``base``; raises ConfigError naming the bad flag."""
    values = (base or AgentSettings()).model_dump()
    for name in AGENT_OPTION_NAMES:
        value = options.get(name)
        if value is None:
            continue
        values[name] = tuple(shlex.split(value)) if name == "command" else value
    if options.get("base_url") and not options.get("kind") and values["kind"] == "template":
        values["kind"] = "openai"  # --base-url alone clearly means a real endpoint
    try:
        return AgentSettings.model_validate(values)
    except ValidationError as exc:
        raise ConfigError(describe_error(exc, "agent option")) from None
