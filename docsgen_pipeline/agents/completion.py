"""The one thing real backends differ in: send messages, get text back (one attempt)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

Message = dict[str, str]


@dataclass(frozen=True)
class Completion:
    text: str
    tokens_in: int
    tokens_out: int
    model: str
    finish_reason: str | None = None


@dataclass(frozen=True)
class CallOptions:
    """Per-call choices on top of the settings.

    ``response_format`` is sent as is (see :mod:`structured`); ``temperature`` overrides the
    setting; ``penalize_repetition`` asks for a repetition penalty (OpenAI's
    ``frequency_penalty``, llama.cpp's ``repeat_penalty``) — used to retry a looping answer.
    """

    response_format: dict[str, Any] | None = None
    temperature: float | None = None
    penalize_repetition: bool = False

    def cache_identity(self) -> dict[str, str]:
        return {
            "response_format": repr(self.response_format),
            "temperature_override": repr(self.temperature),
            "penalize_repetition": str(self.penalize_repetition),
        }


class Completer(Protocol):
    """One attempt at a completion.  Raise ``RetryableError`` for failures a retry may fix and
    ``AgentError`` for the rest; never retry internally (resilience.py is the only retry layer).
    A server that refuses ``options.response_format`` raises ``StructuredOutputUnsupported``."""

    endpoint: str  # circuit-breaker key, e.g. the base URL; never contains secrets
    model: str

    def identity(self) -> dict[str, str]: ...

    def context_window(self) -> int | None:
        """The model's context size in tokens, if the backend can tell (None otherwise)."""
        ...

    def complete(
        self, messages: list[Message], *, max_tokens: int, json_mode: bool = False, options: CallOptions | None = None
    ) -> Completion: ...
