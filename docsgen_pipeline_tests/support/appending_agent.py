"""The offline template agent with extra Markdown appended to one planned file (broken links, say).

Gate-failure tests need a real docs run whose gate fails for a known reason; this writer keeps
every other file exactly as the template agent writes it.
"""

from __future__ import annotations

from pathlib import Path

from docsgen_pipeline.agents.base import Agent, FileReply, PlanReply, PlanRequest, WriteRequest
from docsgen_pipeline.agents.template.agent import TemplateAgent
from docsgen_pipeline.dagster_layer.resources import AgentResource


class AppendingAgent:
    """The template agent, except that the file with key ``file_key`` ends with ``extra``."""

    name = "appending"

    def __init__(self, file_key: str, extra: str) -> None:
        self._inner = TemplateAgent()
        self._file_key = file_key
        self._extra = extra

    def identity(self) -> dict[str, str]:
        return {"agent": self.name}

    def plan_phase(self, request: PlanRequest) -> PlanReply:
        return self._inner.plan_phase(request)

    def write_file(self, request: WriteRequest) -> FileReply:
        reply = self._inner.write_file(request)
        if request.file.key == self._file_key:
            return reply.model_copy(update={"markdown": reply.markdown + self._extra})
        return reply


class AppendingAgentResource(AgentResource):
    """The ``agent`` resource that builds an :class:`AppendingAgent`."""

    file_key: str
    extra: str

    def build(self, run_agent: dict[str, object] | None = None, budget_ledger: Path | None = None) -> Agent:
        return AppendingAgent(self.file_key, self.extra)
