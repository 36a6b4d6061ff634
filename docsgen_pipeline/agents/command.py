"""The command agent: any program that reads a prompt on stdin and writes Markdown on stdout.

Lets a team plug in a CLI they already trust (``llm``, ``ollama run``, an in-house wrapper)
without an HTTP server.  The prompt is the system prompt and the user prompt joined; stderr is
kept (its tail) for the error message, because that is where such tools say what went wrong.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Mapping

from docsgen_pipeline.agents.completion import CallOptions, Completion, Message
from docsgen_pipeline.agents.metering import estimate_tokens
from docsgen_pipeline.agents.resilience import RetryableError
from docsgen_pipeline.errors import AgentError

STDERR_TAIL_CHARS = 2000


def join_messages(messages: list[Message]) -> str:
    parts = []
    for m in messages:
        # A re-ask conversation is flattened with role labels so the tool still sees the exchange.
        label = "" if m["role"] in ("system", "user") and len(messages) <= 2 else f"[{m['role']}]\n"
        parts.append(label + m["content"].strip())
    return "\n\n".join(parts) + "\n"


class CommandCompleter:
    def __init__(
        self,
        argv: tuple[str, ...],
        timeout_s: float,
        model: str = "command",
        env: Mapping[str, str] | None = None,
    ) -> None:
        if not argv:
            raise AgentError("command agent: no command configured (settings.command is empty)")
        self.argv = argv
        self.timeout_s = timeout_s
        self.model = model
        self.endpoint = f"command:{argv[0]}"
        self._env = dict(env) if env is not None else None

    def identity(self) -> dict[str, str]:
        return {"agent": "command", "command": shlex.join(self.argv), "model": self.model}

    def context_window(self) -> int | None:
        return None  # a command does not say; set context_window in the settings

    def complete(
        self, messages: list[Message], *, max_tokens: int, json_mode: bool = False, options: CallOptions | None = None
    ) -> Completion:
        prompt = join_messages(messages)
        wants_json = json_mode or bool(options and options.response_format)
        env = {**(self._env if self._env is not None else os.environ), "DOCSGEN_MAX_TOKENS": str(max_tokens),
               "DOCSGEN_JSON_MODE": "1" if wants_json else "0"}
        try:
            proc = subprocess.run(  # the argv is the deployment's own configuration, never model output
                self.argv,
                input=prompt,
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                timeout=self.timeout_s,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise RetryableError(
                f"command {shlex.join(self.argv)!r} did not finish within timeout_s={self.timeout_s:g}s"
            ) from None
        except FileNotFoundError:
            raise AgentError(f"command agent: {self.argv[0]!r} not found; check settings.command and PATH") from None
        except PermissionError:
            raise AgentError(f"command agent: {self.argv[0]!r} is not executable") from None
        if proc.returncode != 0:
            stderr = proc.stderr.strip()[-STDERR_TAIL_CHARS:] or "(no stderr)"
            raise AgentError(f"command {shlex.join(self.argv)!r} exited with code {proc.returncode}: {stderr}")
        return Completion(proc.stdout, estimate_tokens(prompt), estimate_tokens(proc.stdout), self.model)
