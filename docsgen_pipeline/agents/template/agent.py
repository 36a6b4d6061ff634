"""The offline template agent: the embedded default writer.

Plans and writes every file of a blueprint from the brief alone, with Jinja templates per file
kind.  No network, no randomness, no clock: the same request always yields the same bytes, and
nothing is shared between calls except the read-only template environment, so concurrent
``write_file`` calls are safe.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources

from docsgen_pipeline.agents.base import FileReply, PlanReply, PlanRequest, Usage, WriteRequest
from docsgen_pipeline.agents.template.facts import Facts
from docsgen_pipeline.agents.template.planner import plan_phase
from docsgen_pipeline.agents.template.render import render_file
from docsgen_pipeline.agents.template.text import normalise_brief

# Bump when the planning or prose logic changes in a way the template digest cannot see.
TEMPLATE_SET_VERSION = "1"


@cache
def template_digest() -> str:
    """Hash of the shipped templates, so a template edit invalidates cached output."""
    digest = hashlib.sha256()
    root = resources.files("docsgen_pipeline.agents.template").joinpath("templates")
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".j2"):
            digest.update(entry.name.encode())
            digest.update(entry.read_bytes())
    return digest.hexdigest()[:12]


def _usage() -> Usage:
    return Usage(model="template", calls=1, tokens_in=0, tokens_out=0)


class TemplateAgent:
    """Implements :class:`docsgen_pipeline.agents.base.Agent` without a model."""

    name: str = "template"

    def identity(self) -> dict[str, str]:
        return {"agent": self.name, "version": f"{TEMPLATE_SET_VERSION}+{template_digest()}"}

    def plan_phase(self, request: PlanRequest) -> PlanReply:
        facts = Facts(normalise_brief(request.brief))
        plan = plan_phase(request.blueprint, request.phase, facts, request.filenames, request.feedback)
        return PlanReply(plan=plan, usage=_usage())

    def write_file(self, request: WriteRequest) -> FileReply:
        return FileReply(markdown=render_file(request), usage=_usage())
