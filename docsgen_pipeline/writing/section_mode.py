"""``generation: section``: the orchestrator owns structure, the model writes each section's prose.

The H1, the lead (the plan's intent), every planned heading in order and at its level, the schema
references and the related-pages links are written here; the model is asked for one section's
body at a time in a short bounded call.  Plan conformance and heading order therefore hold by
construction, and a weak model can fail only on prose, which the gate and repair handle.  In a
repair only the sections a finding points into are asked again; the others keep their text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from docsgen_pipeline.agents.base import Agent, FileReply, SectionRequest, Usage, WriteRequest
from docsgen_pipeline.agents.normalize import normalize_markdown
from docsgen_pipeline.agents.prompted import add_usage
from docsgen_pipeline.markdown.document import parse_document
from docsgen_pipeline.markdown.slugs import github_slug
from docsgen_pipeline.planning import OutlineSection
from docsgen_pipeline.writing.base import Repair

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
RELATED_LIMIT = 5


@dataclass(frozen=True)
class _Layout:
    title: str
    lead: str
    refs: tuple[str, ...]
    outline: tuple[OutlineSection, ...]


def outline_for(request: WriteRequest) -> tuple[OutlineSection, ...]:
    """The plan's outline, plus one section per entity in the canonical-schemas file (schema links need them)."""
    outline = list(request.plan.outline)
    schema = request.blueprint.schema_file()
    if schema is not None and schema.key == request.file.key:
        have = {s.heading.lower() for s in outline}
        outline += [OutlineSection(heading=e.name, level=2, intent=e.description or "")
                    for e in request.brief.entities if e.name.lower() not in have]
    return tuple(outline)


def _layout(request: WriteRequest, lead_from_blueprint: bool) -> _Layout:
    blueprint, brief, plan = request.blueprint, request.brief, request.plan
    root = request.file.key == blueprint.root.key
    title = brief.name if root else plan.title
    lead = (request.file.intent if lead_from_blueprint else (plan.intent or request.file.intent)).strip()
    refs: list[str] = []
    names = blueprint.filenames(brief.slug)
    schema = blueprint.schema_file()
    if request.file.depends.schemas and schema is not None and schema.key != request.file.key and brief.entities:
        target = names[schema.key]
        refs.append("Canonical schemas: " + ", ".join(
            f"[{e.name}]({target}#{github_slug(e.name)})" for e in brief.entities) + ".")
    titles = {t.filename: t.title for t in request.link_targets}
    related = [name for name in plan.links if name in titles and name != names[request.file.key]][:RELATED_LIMIT]
    if related:
        refs.append("Related pages: " + ", ".join(f"[{titles[n]}]({n})" for n in related) + ".")
    return _Layout(title, lead, tuple(refs), outline_for(request))


def _is_heading(line: str, heading: str) -> bool:
    match = _HEADING.match(line)
    return match is not None and (len(match.group(1)) == 1 or match.group(2).strip().lower() == heading.lower())


def clean_body(text: str, heading: str) -> str:
    """A section body as the document may hold it: no headings of its own, no fence around it."""
    lines = text.strip().splitlines()
    while lines and (not lines[0].strip() or _is_heading(lines[0], heading)):
        lines.pop(0)  # the model repeated the section's heading (or the title) before its body
    body = normalize_markdown("\n".join(lines)).strip()
    out: list[str] = []
    inside = False
    for line in body.splitlines():
        if _FENCE.match(line):
            inside = not inside
        match = None if inside else _HEADING.match(line)
        if match is None:
            out.append(line)
        elif match.group(2).strip().lower() != heading.strip().lower() and match.group(2).strip():
            out.append(f"**{match.group(2).strip()}**")  # the model's sub-heading becomes bold text
    if inside:
        out.append("```")
    return "\n".join(out).strip()


def _compose(layout: _Layout, bodies: list[str]) -> str:
    parts = [f"# {layout.title}", layout.lead, *layout.refs]
    for section, body in zip(layout.outline, bodies, strict=True):
        parts.append(f"{'#' * section.level} {section.heading}")
        if body:
            parts.append(body)
    return "\n\n".join(p for p in parts if p) + "\n"


def _previous_bodies(previous: str, outline: tuple[OutlineSection, ...]) -> tuple[list[str], list[int], int]:
    """Bodies of the stored version's sections, each section's first line, and where the nav begins."""
    doc = parse_document(previous)
    lines = previous.splitlines()
    end = doc.thematic_breaks[-1] if doc.thematic_breaks else len(lines) + 1
    headings = [h for h in doc.headings if h.level > 1 and h.line < end]
    starts: list[int] = []
    bodies: list[str] = []
    cursor = 0
    for section in outline:
        found = next((i for i in range(cursor, len(headings))
                      if headings[i].text.strip().lower() == section.heading.strip().lower()), None)
        if found is None:
            starts.append(0)
            bodies.append("")
            continue
        cursor = found + 1
        stop = headings[found + 1].line - 1 if found + 1 < len(headings) else end - 1
        starts.append(headings[found].line)
        bodies.append("\n".join(lines[headings[found].line : stop]).strip())
    return bodies, starts, end


def flagged_sections(repair: Repair, outline: tuple[OutlineSection, ...]) -> tuple[set[int], bool, list[str]]:
    """Which sections a repair rewrites, whether the lead was flagged, and the previous bodies."""
    bodies, starts, end = _previous_bodies(repair.previous, outline)
    found = [s for s in starts if s]
    first = min(found) if found else end
    flagged: set[int] = set()
    lead = False
    for issue in repair.findings:
        if issue.line <= 0 or issue.line >= end:
            flagged.update(range(len(outline)))  # about the whole file: every section again
            continue
        if issue.line < first:
            lead = True
            continue
        owner = max((i for i, s in enumerate(starts) if s and s <= issue.line), default=None)
        flagged.update(range(len(outline)) if owner is None else {owner})
    flagged.update(i for i, body in enumerate(bodies) if not body)
    return flagged, lead, bodies


def _section_feedback(repair: Repair, index: int, starts_of: dict[int, tuple[int, int]]) -> list[str]:
    low, high = starts_of.get(index, (0, 0))
    return [line for issue, line in zip(repair.findings, repair.feedback, strict=False)
            if issue.line <= 0 or low <= issue.line < high] or list(repair.feedback)


class SectionMode:
    name = "section"

    def write(self, agent: Agent, request: WriteRequest, repair: Repair | None) -> FileReply:
        outline = outline_for(request)
        if repair is None:
            targets, lead_flagged, bodies = set(range(len(outline))), False, [""] * len(outline)
            spans: dict[int, tuple[int, int]] = {}
        else:
            targets, lead_flagged, bodies = flagged_sections(repair, outline)
            _, starts, end = _previous_bodies(repair.previous, outline)
            nexts = [*[s for s in starts[1:]], end]
            spans = {i: (s, next((n for n in nexts[i:] if n), end)) for i, s in enumerate(starts) if s}
        layout = _layout(request, lead_from_blueprint=lead_flagged)
        usage: Usage | None = None
        fixes: list[str] = []
        for index, section in enumerate(outline):
            if index not in targets:
                continue
            feedback = [] if repair is None else _section_feedback(repair, index, spans)
            reply = agent.write_section(
                SectionRequest(file=request, section=section, index=index, feedback=[*request.feedback, *feedback])
            )
            usage = reply.usage if usage is None else add_usage(usage, reply.usage)
            fixes += [f"{section.heading}: {fix}" for fix in reply.normalized]
            bodies[index] = clean_body(reply.markdown, section.heading)
        return FileReply(markdown=_compose(layout, bodies), usage=usage or Usage(calls=0), normalized=fixes)
