"""Prompts for real LLM agents, rendered from jinja2 templates shipped with the package.

Templates use StrictUndefined so a renamed field fails loudly in tests instead of silently
producing an empty prompt section.  The ``## Contract`` block of the write prompt and the
``PLAN_FILE:`` lines of the plan prompt are a fixed, line-oriented format on purpose: a model
reads them as instructions, and the fake test server (and any tooling) can parse them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import jinja2

from docsgen_pipeline.agents.base import PlanRequest, SectionRequest, WriteRequest
from docsgen_pipeline.markdown.slugs import github_slug

TRUNCATION_MARK = "[excerpt truncated]"


@dataclass(frozen=True)
class Prompt:
    system: str
    user: str

    def messages(self) -> list[dict[str, str]]:
        return [{"role": "system", "content": self.system}, {"role": "user", "content": self.user}]

    def as_text(self) -> str:
        """One string, for agents that take a single prompt (the command agent)."""
        return f"{self.system}\n\n{self.user}"


@dataclass(frozen=True)
class _PlanFile:
    key: str
    title: str
    kind: str
    intent: str
    required: tuple[str, ...]
    suggested: tuple[str, ...]
    schemas: tuple[str, ...]


@dataclass(frozen=True)
class _Link:
    target: str
    title: str
    preferred: bool
    anchors: tuple[str, ...]


@dataclass(frozen=True)
class _SchemaRef:
    name: str
    target: str


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("docsgen_pipeline.agents", "prompts"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # Markdown and JSON, not HTML
        keep_trailing_newline=True,
        trim_blocks=False,
    )


def _render(name: str, **context: object) -> str:
    text = _env().get_template(name).render(**context)
    # Collapse the blank lines optional template sections leave behind.
    lines: list[str] = []
    for line in text.splitlines():
        if not line.strip() and lines and not lines[-1].strip():
            continue
        lines.append(line.rstrip())
    return "\n".join(lines).strip() + "\n"


def system_prompt(request: PlanRequest | WriteRequest | SectionRequest) -> str:
    if isinstance(request, SectionRequest):
        return _render("system.j2", brief=request.file.brief)
    return _render("system.j2", brief=request.brief)


def plan_prompt(request: PlanRequest) -> Prompt:
    schema_file = request.blueprint.schema_file()
    entities = [e.name for e in request.brief.entities]
    files = []
    for f in request.phase.files:
        suggested = list(f.required_headings)
        if schema_file is not None and f.key == schema_file.key:
            # The canonical-schemas file needs one section per entity so schema links have anchors.
            suggested += [name for name in entities if name not in suggested]
        # Files that depend on schemas must link each entity's canonical schema; say which.
        schemas = tuple(entities) if f.depends.schemas and (schema_file is None or f.key != schema_file.key) else ()
        files.append(
            _PlanFile(f.key, f.title, f.kind, f.intent, tuple(f.required_headings), tuple(suggested), schemas)
        )
    user = _render(
        "plan_phase.j2",
        brief=request.brief,
        phase=request.phase,
        files=files,
        linkable=sorted(request.filenames.values()),
        feedback=request.feedback,
    )
    return Prompt(system_prompt(request), user)


def reask_prompt(error: str, keys: list[str]) -> str:
    return _render("plan_reask.j2", error=error, count=len(keys), keys=keys)


def budget_excerpts(upstream: dict[str, str], budget_chars: int) -> list[tuple[str, str]]:
    """Share ``budget_chars`` fairly among upstream files; short files give their slack to long ones."""
    if budget_chars <= 0 or not upstream:
        return []
    items = sorted(upstream.items(), key=lambda kv: len(kv[1]))
    remaining, out = budget_chars, {}
    for i, (name, text) in enumerate(items):
        share = remaining // (len(items) - i)
        if len(text) <= share:
            out[name] = text.strip()
        else:
            cut = text[:share]
            # End on a paragraph or line boundary so the model is not handed half a sentence.
            boundary = max(cut.rfind("\n\n"), cut.rfind("\n"))
            out[name] = (cut[:boundary] if boundary > share // 2 else cut).rstrip() + f"\n{TRUNCATION_MARK}"
        remaining -= len(out[name])
    return [(name, out[name]) for name in upstream if name in out]


def _anchor_labels(anchors: tuple[str, ...], headings: tuple[str, ...]) -> tuple[str, ...]:
    """``purpose (Purpose)``: the slug to link and the heading it names, when both are known."""
    if len(anchors) != len(headings):
        return anchors
    # A one-word heading adds nothing next to its slug ("scope (Scope)"), so it is left out.
    pairs = zip(anchors, headings, strict=True)
    return tuple(a if h.lower() == a else f"{a} ({h})" for a, h in pairs)


def write_prompt(request: WriteRequest, upstream_budget_chars: int) -> Prompt:
    names = request.blueprint.filenames(request.brief.slug)
    filename = names[request.file.key]
    schema_file = request.blueprint.schema_file()
    schema_refs = []
    if schema_file is not None and schema_file.key != request.file.key:
        target = names[schema_file.key]
        schema_refs = [_SchemaRef(name, f"{target}#{github_slug(name)}") for name in request.plan.schemas]
    preferred = set(request.plan.links)
    links = [
        _Link(t.filename, t.title, t.filename in preferred, _anchor_labels(t.anchors, t.headings))
        for t in request.link_targets
        if t.filename != filename
    ]
    user = _render(
        "write_file.j2",
        brief=request.brief,
        upstream=budget_excerpts(request.upstream, upstream_budget_chars),
        file={"filename": filename},
        spec=request.file,
        plan=request.plan,
        schema_refs=schema_refs,
        links=links,
        feedback=request.feedback,
    )
    return Prompt(system_prompt(request), user)


def section_prompt(request: SectionRequest) -> Prompt:
    """A short prompt for one section's body: fits a small model's context window (no upstream text)."""
    write = request.file
    brief = write.brief
    terms = [
        t.term + (f" (never: {', '.join(t.forbidden)})" if t.forbidden else "") for t in brief.glossary
    ]
    user = _render(
        "write_section.j2",
        brief=brief,
        terms=terms,
        entities=[e.name for e in brief.entities],
        title=write.plan.title,
        intent=write.plan.intent or write.file.intent,
        section=request.section,
        paragraphs="one to three" if request.section.level == 2 else "one or two",
        feedback=request.feedback,
    )
    return Prompt(system_prompt(request), user)
