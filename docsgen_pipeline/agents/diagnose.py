"""`docsgen doctor`'s checks: is the configured agent reachable and able to answer?

Each check makes at most one attempt (no retries, no breaker): the point is to show the first
real error, with what to do about it, not to hide it behind backoff.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from docsgen_pipeline.agents.command import CommandCompleter
from docsgen_pipeline.agents.completion import CallOptions, Completer
from docsgen_pipeline.agents.settings import AgentSettings
from docsgen_pipeline.agents.structured import MODES, StructuredMode, response_format
from docsgen_pipeline.errors import AgentError, ConfigError, StructuredOutputUnsupported

Status = Literal["ok", "warn", "fail"]

PING = [
    {"role": "system", "content": "You are a health check."},
    {"role": "user", "content": "Reply with the single word OK."},
]


# A value no model writes unless the server enforces the schema: the probe's proof of enforcement.
PROBE_SCHEMA = {
    "type": "object",
    "properties": {"docsgen_probe": {"type": "string", "enum": ["structured"]}},
    "required": ["docsgen_probe"],
    "additionalProperties": False,
}
PROBE = [{"role": "user", "content": "Reply with a JSON object."}]


@dataclass(frozen=True)
class ModeProbe:
    mode: StructuredMode
    outcome: Literal["enforced", "accepted", "refused", "error"]
    detail: str
    seconds: float = 0.0


def probe_structured_output(completer: Completer) -> list[ModeProbe]:
    """Ask a tiny question in each structured mode, strongest first, and judge what came back.

    ``enforced``: the server refused nothing and the answer is exactly the schema's only value
    (or, for ``json_object``, a JSON object); ``accepted``: taken but not enforced; ``refused``:
    the server rejected the response_format itself.  Real calls, no retries.
    """
    out = []
    for mode in MODES[:-1]:
        started = time.perf_counter()
        fmt = response_format(mode, PROBE_SCHEMA, "docsgen_probe")
        try:
            completion = completer.complete(PROBE, max_tokens=24, options=CallOptions(fmt, temperature=0.0))
        except StructuredOutputUnsupported as exc:
            out.append(ModeProbe(mode, "refused", " ".join(str(exc).split())[:90]))
            continue
        except AgentError as exc:
            out.append(ModeProbe(mode, "error", str(exc)[:160]))
            continue
        took = time.perf_counter() - started
        try:
            value = json.loads(completion.text)
        except ValueError:
            value = None
        enforced = isinstance(value, dict) if mode == "json_object" else value == {"docsgen_probe": "structured"}
        shown = completion.text.strip().replace("\n", " ")[:40]
        out.append(ModeProbe(mode, "enforced" if enforced else "accepted", f"answered {shown!r}", took))
    return out


def best_mode(probes: list[ModeProbe]) -> StructuredMode:
    return next((p.mode for p in probes if p.outcome == "enforced"), "prompt")


def _structured_check(completer: Completer, settings: AgentSettings) -> Check:
    probes = probe_structured_output(completer)
    best = best_mode(probes)
    parts = [f"{p.mode}: {p.outcome}" + (f" in {p.seconds:.2f}s" if p.seconds else "")
             + (f" ({p.detail})" if p.outcome != "refused" else "") for p in probes]
    refusals = [p.detail for p in probes if p.outcome == "refused"]
    detail = "; ".join(parts) + f" -> plans use {best}" + (f" [{refusals[0]}]" if refusals else "")
    setting = settings.plan_mode
    if setting not in ("auto", best) and MODES.index(setting) < MODES.index(best):
        return Check("structured output", "warn", detail,
                     f"--structured-output {setting} is not enforced here; use {best} (or auto)")
    fix = "" if setting in ("auto", best) else f"--structured-output {best} (or auto) would be stronger"
    return Check("structured output", "ok", detail, fix)


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
    checks.append(ping := _ping(completer, settings))
    if ping.status == "ok":
        checks.append(_structured_check(completer, settings))
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
