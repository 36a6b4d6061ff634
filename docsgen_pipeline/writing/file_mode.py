"""``generation: file``: one call writes the whole file (strong models; the default)."""

from __future__ import annotations

from docsgen_pipeline.agents.base import Agent, FileReply, WriteRequest
from docsgen_pipeline.writing.base import Repair


class FileMode:
    name = "file"

    def write(self, agent: Agent, request: WriteRequest, repair: Repair | None) -> FileReply:
        if repair is not None:
            request = request.model_copy(update={"feedback": [*request.feedback, *repair.feedback]})
        return agent.write_file(request)
