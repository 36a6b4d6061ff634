"""The offline template agent: the embedded default writer.

Plans and writes every file of a blueprint from the brief alone, with Jinja templates per file
kind.  No network, no randomness, no clock: the same request always yields the same bytes, and
nothing is shared between calls except read-only state (the template environment and caches of
pure functions), so concurrent ``write_file`` calls are safe.

Links: a file links only to ``request.link_targets`` (by ``filename``, never to itself except the
schema page's own ``#entity`` sections) and adds a ``#fragment`` only when the slug is in the
target's ``anchors``; without anchors (a later, unplanned phase) it links the bare file.  Entity
links use ``github_slug(entity name)``, which the schema page's plan announces as headings.
A plan lists every heading the writer emits, and its ``links``/``terms`` come from a draft of the
file; reviewer feedback is recorded in the version history, never written into the document.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from importlib import resources

from docsgen_pipeline.agents.base import (
    FileReply,
    LinkTarget,
    PlanReply,
    PlanRequest,
    SectionReply,
    SectionRequest,
    Usage,
    WriteRequest,
)
from docsgen_pipeline.agents.template.facts import Facts
from docsgen_pipeline.agents.template.planner import plan_phase
from docsgen_pipeline.agents.template.render import render_file
from docsgen_pipeline.agents.template.text import normalise_brief
from docsgen_pipeline.markdown.document import parse_document
from docsgen_pipeline.planning import FilePlan

# The template set's name; the digest below tells apart every edit of its templates or logic.
TEMPLATE_SET_VERSION = "1"


@cache
def template_digest() -> str:
    """Hash of the shipped templates and of the modules that feed them, so any edit to the
    writer changes ``identity()`` and invalidates output cached under the old one."""
    digest = hashlib.sha256()
    package = resources.files("docsgen_pipeline.agents.template")
    for folder in (package, package.joinpath("templates")):
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.name.endswith((".j2", ".py")):
                digest.update(entry.name.encode())
                digest.update(entry.read_bytes())
    return digest.hexdigest()[:12]


def _usage() -> Usage:
    return Usage(model="template", calls=1, tokens_in=0, tokens_out=0)


_LINK_RE = re.compile(r"\]\(([^)#\s]+)")
_CODE_RE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)


def _draft_targets(request: PlanRequest) -> list[LinkTarget]:
    phase_of = request.blueprint.phase_of
    return [
        LinkTarget(key=f.key, filename=request.filenames[f.key], title=f.title, phase=phase_of[f.key])
        for f in request.blueprint.all_files()
        if f.key in request.filenames
    ]


def _from_draft(plan: FilePlan, request: PlanRequest, facts: Facts) -> FilePlan:
    """Plan ``links`` and ``terms`` from a draft of the file itself, so the plan lists exactly
    what the writer will link and which glossary terms it will use (not a guess)."""
    spec = request.blueprint.files_by_key[plan.key]
    draft = render_file(
        WriteRequest(
            brief=request.brief,
            blueprint=request.blueprint,
            phase=request.phase,
            file=spec,
            plan=plan,
            link_targets=_draft_targets(request),
        )
    )
    planned = set(request.filenames.values())
    links = [name for name in dict.fromkeys(_LINK_RE.findall(draft)) if name in planned and name != plan.filename]
    prose = _CODE_RE.sub("", draft)
    terms = [
        t for t in facts.term_names if re.search(rf"(?<![\w-]){re.escape(t)}(?:s|es)?(?![\w-])", prose, re.IGNORECASE)
    ]
    return plan.model_copy(update={"links": links, "terms": terms})


class TemplateAgent:
    """Implements :class:`docsgen_pipeline.agents.base.Agent` without a model."""

    name: str = "template"

    def identity(self) -> dict[str, str]:
        return {"agent": self.name, "version": f"{TEMPLATE_SET_VERSION}+{template_digest()}"}

    def plan_phase(self, request: PlanRequest) -> PlanReply:
        facts = Facts(normalise_brief(request.brief))
        plan = plan_phase(request.blueprint, request.phase, facts, request.filenames, request.feedback)
        plan = plan.model_copy(update={"files": [_from_draft(p, request, facts) for p in plan.files]})
        return PlanReply(plan=plan, usage=_usage())

    def write_file(self, request: WriteRequest) -> FileReply:
        return FileReply(markdown=render_file(request) + _review_round_note(request.feedback), usage=_usage())

    def write_section(self, request: SectionRequest) -> SectionReply:
        """The body the whole-file render gives this section (deterministic, like write_file)."""
        text = render_file(request.file)
        lines = text.splitlines()
        headings = parse_document(text).headings
        wanted = request.section.heading.strip().lower()
        for position, heading in enumerate(headings):
            if heading.level == request.section.level and heading.text.strip().lower() == wanted:
                end = headings[position + 1].line - 1 if position + 1 < len(headings) else len(lines)
                return SectionReply(markdown="\n".join(lines[heading.line : end]).strip(), usage=_usage())
        return SectionReply(markdown="", usage=_usage())


def _review_round_note(feedback: list[str]) -> str:
    """A truthful trace of a review round: which round it was, never what the note said.

    The template writes from the brief alone, so it cannot act on a reviewer's note; saying so
    (with the round number) makes each round a visible new version instead of a silent no-op,
    while the note itself stays in the version and regeneration records.
    """
    rounds = sum(1 for note in feedback if note.strip())
    if not rounds:
        return ""
    return (
        f"\n_Review round {rounds}: regenerated on request. The offline template agent writes from the brief"
        " alone, so the review note is kept in the version history (`docsgen history`) rather than applied"
        " here._\n"
    )
