"""The one thing real backends differ in: send messages, get text back (one attempt)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

Message = dict[str, str]


@dataclass(frozen=True)
class Completion:
    text: str
    tokens_in: int
    tokens_out: int
    model: str
    finish_reason: str | None = None


class Completer(Protocol):
    """One attempt at a completion.  Raise ``RetryableError`` for failures a retry may fix and
    ``AgentError`` for the rest; never retry internally (resilience.py is the only retry layer)."""

    endpoint: str  # circuit-breaker key, e.g. the base URL; never contains secrets
    model: str

    def identity(self) -> dict[str, str]: ...

    def complete(self, messages: list[Message], *, max_tokens: int, json_mode: bool) -> Completion: ...
