"""The generation-mode protocol and what a repair hands to it (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from docsgen_pipeline.agents.base import Agent, FileReply, WriteRequest
from docsgen_pipeline.validators.model import Issue


@dataclass(frozen=True)
class Repair:
    """A repair round's view of one file: its stored text and the findings to answer."""

    round: int
    previous: str
    findings: tuple[Issue, ...]
    feedback: tuple[str, ...] = field(default=())  # the findings as instructions (file, line, rule, message, targets)


class GenerationMode(Protocol):
    name: str

    def write(self, agent: Agent, request: WriteRequest, repair: Repair | None) -> FileReply:
        """The file's body (H1 first, no nav block); ``repair`` set when answering findings."""
        ...
