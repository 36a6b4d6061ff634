"""Agent kinds by name: an explicit dict, so the list of writers is readable in one place.

``build_agent`` is the single entry point the CLI and the Dagster resource call.  The API key
is read from the environment here, at build time, and handed to the SDK client only.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from docsgen_pipeline.agents.base import Agent, Usage
from docsgen_pipeline.agents.cache import ResponseCache
from docsgen_pipeline.agents.command import CommandCompleter
from docsgen_pipeline.agents.completion import Completer
from docsgen_pipeline.agents.metering import Budget, PriceTable, SpendLedger
from docsgen_pipeline.agents.prompted import PromptedAgent
from docsgen_pipeline.agents.resilience import RetryPolicy, breaker_for
from docsgen_pipeline.agents.settings import AgentSettings
from docsgen_pipeline.errors import ConfigError

# "module:attribute" of the offline agent's class; imported lazily (it pulls in its templates).
TEMPLATE_AGENT = "docsgen_pipeline.agents.template.agent:TemplateAgent"


@dataclass(frozen=True)
class BuildContext:
    budget: Budget
    environ: Mapping[str, str]
    retry_sleep: Callable[[float], None] | None = None


AgentFactory = Callable[[AgentSettings, BuildContext], Agent]


def _template(settings: AgentSettings, ctx: BuildContext) -> Agent:
    module_name, attr = TEMPLATE_AGENT.split(":")
    agent: Agent = getattr(import_module(module_name), attr)()
    return agent


def api_key_for(settings: AgentSettings, environ: Mapping[str, str]) -> str:
    from docsgen_pipeline.agents.openai_compat import LOCAL_KEY

    key = environ.get(settings.api_key_env, "")
    if key:
        return key
    if "api.openai.com" in settings.base_url or settings.azure_api_version:
        raise ConfigError(
            f"agent 'openai' at {settings.base_url}: the environment variable ${settings.api_key_env} is not set; "
            "export your API key there (or point api_key_env at the variable that holds it)"
        )
    return LOCAL_KEY  # Ollama, vLLM and llama.cpp usually run without a key


def _prompted(name: str, completer: Completer, settings: AgentSettings, ctx: BuildContext) -> Agent:
    policy = RetryPolicy(settings.max_retries, settings.backoff_initial_s, settings.backoff_max_s)
    if ctx.retry_sleep is not None:
        policy = RetryPolicy(policy.max_retries, policy.initial_s, policy.max_s, ctx.retry_sleep)
    return PromptedAgent(
        name,
        completer,
        settings,
        budget=ctx.budget,
        breaker=breaker_for(completer.endpoint, settings.breaker_failures, settings.breaker_cooldown_s),
        policy=policy,
        cache=ResponseCache(settings.cache_dir) if settings.cache_dir else None,
        prices=PriceTable(settings.prices),
    )


def _openai(settings: AgentSettings, ctx: BuildContext) -> Agent:
    from docsgen_pipeline.agents.openai_compat import OpenAICompatCompleter

    return _prompted("openai", OpenAICompatCompleter(settings, api_key_for(settings, ctx.environ)), settings, ctx)


def _command(settings: AgentSettings, ctx: BuildContext) -> Agent:
    completer = CommandCompleter(settings.command, settings.timeout_s, model=settings.model)
    return _prompted("command", completer, settings, ctx)


FACTORIES: dict[str, AgentFactory] = {
    "template": _template,
    "openai": _openai,
    "command": _command,
}


def build_agent(
    settings: AgentSettings,
    *,
    budget: Budget | None = None,
    budget_ledger: Path | SpendLedger | None = None,
    environ: Mapping[str, str] | None = None,
    retry_sleep: Callable[[float], None] | None = None,
) -> Agent:
    """Build the configured agent.  Pass one ``budget`` (or a ``budget_ledger`` path under the docs
    run's directory) per docs run so the cap spans every phase of that run."""
    factory = FACTORIES.get(settings.kind)
    if factory is None:
        raise ConfigError(f"unknown agent '{settings.kind}'; choose one of: {', '.join(sorted(FACTORIES))}")
    ctx = BuildContext(
        budget=budget if budget is not None else Budget(settings.budget_usd, budget_ledger),
        environ=os.environ if environ is None else environ,
        retry_sleep=retry_sleep,
    )
    return factory(settings, ctx)


def agent_metadata(agent: Agent) -> dict[str, str | int | float | None]:
    """Breaker and budget state of a real agent ({} for the template agent)."""
    return agent.metadata() if isinstance(agent, PromptedAgent) else {}


def usage_metadata(usage: Usage) -> dict[str, str | int | float | bool]:
    """Per-file metering for materialization metadata (same keys as the Dagster layer's, plus calls)."""
    return {
        "model": usage.model,
        "tokens_in": usage.tokens_in,
        "tokens_out": usage.tokens_out,
        "agent_duration_s": round(usage.duration_s, 3),
        "retries": usage.retries,
        "calls": usage.calls,
        "cost_usd": round(usage.cost_usd, 6),
        "cached": usage.cached,
    }
