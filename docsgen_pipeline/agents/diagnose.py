"""`docsgen doctor`'s checks: is the configured agent reachable and able to answer?

Each check makes at most one attempt (no retries, no breaker): the point is to show the first
real error, with what to do about it, not to hide it behind backoff.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from docsgen_pipeline.agents.command import CommandCompleter
from docsgen_pipeline.agents.completion import Completer
from docsgen_pipeline.agents.settings import AgentSettings
from docsgen_pipeline.errors import AgentError, ConfigError

Status = Literal["ok", "warn", "fail"]

PING = [
    {"role": "system", "content": "You are a health check."},
    {"role": "user", "content": "Reply with the single word OK."},
]


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str = ""


def _connection_fix(settings: AgentSettings) -> str:
    return (
        f"start the server or correct --base-url ({settings.base_url}); defaults: Ollama http://localhost:11434/v1, "
        "vLLM http://localhost:8000/v1, llama.cpp server http://localhost:8080/v1"
    )


def _ping(completer: Completer, settings: AgentSettings) -> Check:
    started = time.perf_counter()
    try:
        completion = completer.complete(PING, max_tokens=16, json_mode=False)
    except AgentError as exc:
        return Check("completion", "fail", str(exc), "see the message; `docsgen doctor` retries nothing on purpose")
    took = time.perf_counter() - started
    answer = completion.text.strip().replace("\n", " ")[:40]
    return Check(
        "completion",
        "ok",
        f"{completion.model} answered {answer!r} in {took:.2f}s ({completion.tokens_in} tokens in, "
        f"{completion.tokens_out} out)",
    )


def _openai_checks(settings: AgentSettings, environ: Mapping[str, str]) -> list[Check]:
    from docsgen_pipeline.agents.openai_compat import OpenAICompatCompleter
    from docsgen_pipeline.agents.registry import api_key_for

    checks = []
    try:
        key = api_key_for(settings, environ)
    except ConfigError as exc:
        return [Check("api key", "fail", str(exc), f"export {settings.api_key_env}=<your key>")]
    if settings.api_key_env in environ:
        checks.append(Check("api key", "ok", f"${settings.api_key_env} is set (value not shown)"))
    else:
        checks.append(Check("api key", "ok", f"${settings.api_key_env} not set; fine for a local server"))
    completer = OpenAICompatCompleter(settings, key)
    try:
        models = completer.list_models()
    except AgentError as exc:
        message = str(exc)
        if "cannot connect" in message or "no answer within" in message:
            return [*checks, Check("endpoint", "fail", message, _connection_fix(settings))]
        if "401" in message or "403" in message:
            return [*checks, Check("endpoint", "fail", message, f"put a valid key in ${settings.api_key_env}")]
        # Some servers (Azure deployments, older proxies) have no model listing: try a call instead.
        checks.append(Check("endpoint", "warn", f"{settings.base_url} lists no models ({message.split(': ', 1)[-1]})"))
    else:
        checks.append(Check("endpoint", "ok", f"{settings.base_url} is reachable and serves {len(models)} model(s)"))
        if models and settings.model not in models:
            shown = ", ".join(sorted(models)[:10])
            checks.append(
                Check("model", "fail", f"model {settings.model!r} is not served here; available: {shown}",
                      "pass one of them with --model (Ollama: `ollama pull <name>` first)")
            )
            return checks
        checks.append(Check("model", "ok", f"{settings.model!r} is served"))
    checks.append(_ping(completer, settings))
    return checks


def _command_checks(settings: AgentSettings) -> list[Check]:
    program = settings.command[0]
    if shutil.which(program) is None:
        return [Check("command", "fail", f"{program!r} is not on PATH", "install it or give its full path")]
    completer = CommandCompleter(settings.command, settings.timeout_s, model=settings.model)
    return [Check("command", "ok", f"{shutil.which(program)} found"), _ping(completer, settings)]


def diagnose(settings: AgentSettings, environ: Mapping[str, str]) -> list[Check]:
    if settings.kind == "template":
        return [Check("agent", "ok", "template agent: offline, nothing to reach")]
    if settings.kind == "command":
        return _command_checks(settings)
    return _openai_checks(settings, environ)
