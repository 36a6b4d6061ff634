"""The writer: renders one planned file from its kind's Jinja template.

Layout (H1, lead, the planned headings in order) lives in ``document.md.j2``; each kind's
template supplies a ``lead`` macro and one macro per section id.  Headings come from the plan,
never from the macros, so the written file has exactly the planned outline.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from docsgen_pipeline.agents.base import WriteRequest
from docsgen_pipeline.agents.template.facts import Facts
from docsgen_pipeline.agents.template.helpers import Helpers
from docsgen_pipeline.agents.template.links import Linker
from docsgen_pipeline.agents.template.planner import (
    REVISION_HEADING,
    Section,
    sections_for,
    template_kind,
)
from docsgen_pipeline.agents.template.text import (
    Canon,
    canon_for,
    cell,
    count_word,
    does,
    join_words,
    mermaid_label,
    normalise_brief,
    scrub_placeholders,
    sentence,
)

_ENV = Environment(
    loader=PackageLoader("docsgen_pipeline.agents.template", "templates"),
    undefined=StrictUndefined,
    autoescape=False,  # Markdown, not HTML
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
)
_ENV.filters.update(
    cell=cell,
    sentence=sentence,
    andjoin=join_words,
    orjoin=lambda items: join_words(items, "or"),
    mlabel=mermaid_label,
    words=count_word,
    nostop=lambda text: str(text).strip().rstrip("."),
    quote=lambda text: f"“{text}”",
    capitalize_first=lambda text: str(text)[:1].upper() + str(text)[1:],
    does=lambda text: does(str(text)),
    code=lambda text: f"`{text}`",
)


def _resolve(plan_outline: Sequence[Any], known: list[Section]) -> list[Section]:
    """Match each planned heading to the section that knows how to write it (else generic)."""
    pool = list(known)
    out: list[Section] = []
    for entry in plan_outline:
        match = next((s for s in pool if s.heading.lower() == entry.heading.lower()), None)
        if match is not None:
            pool.remove(match)
            out.append(Section(match.id, entry.heading, entry.level, entry.intent or match.intent, match.item))
        elif entry.heading.lower() == REVISION_HEADING.lower():
            continue  # feedback is recorded in the history, never pasted into the document
        else:
            out.append(Section("generic", entry.heading, entry.level, entry.intent))
    return out


_GENERIC_MACRO = "generic"  # in _common.md.j2: writes any heading the kind has no macro for
_BLANKS_RE = re.compile(r"\n{3,}")
_TRAILING_RE = re.compile(r"[ \t]+$", re.MULTILINE)
# Fenced code, heading lines, inline code and link destinations: never rewritten.
_PROTECTED_RE = re.compile(r"(^```.*?^```|^#.*?$|`[^`\n]*`|\]\([^)\n]*\))", re.MULTILINE | re.DOTALL)


def _tidy(markdown: str, canon: Canon) -> str:
    """Trim whitespace and, as a safety net, rewrite forbidden variants in prose.

    Headings (planned text), code (fenced and inline) and link destinations (file names) are
    left alone: they hold identifiers, and brief-derived names in them are already normalised.
    """
    text = _TRAILING_RE.sub("", markdown)
    if canon.active:
        parts = _PROTECTED_RE.split(text)
        text = "".join(p if i % 2 else canon(p) for i, p in enumerate(parts))
    return _BLANKS_RE.sub("\n\n", text).strip() + "\n"


def _ensure_dependencies(
    lead: str, body: str, common: Any, request: WriteRequest, links: Linker, entities: list[str]
) -> str:
    """Whatever the kind's template wrote, a file links what the blueprint says it depends on."""
    text = f"{lead}\n{body}"
    spec = request.file
    extra: list[str] = []
    wanted = [links.target(k) for k in spec.depends.files]
    if any(t is not None and f"]({t.filename}" not in text for t in wanted):
        extra.append(str(common.depends_line()).strip())
    terminology = links.target(links.key_of_kind("terminology"))
    if spec.depends.terms and terminology is not None and f"]({terminology.filename}" not in text:
        extra.append(str(common.terms_line()).strip())
    if spec.depends.schemas and any(links.schema(e) not in text for e in entities):
        extra.append(str(common.schema_refs()).strip())
    return "\n\n".join([lead, *[e for e in extra if e]])


def render_file(request: WriteRequest) -> str:
    brief = normalise_brief(request.brief)
    facts = Facts(brief)
    spec = request.file
    kind = template_kind(spec)
    sections = _resolve(request.plan.outline, sections_for(spec, facts))
    canon = canon_for(brief.glossary)
    feedback = [canon(scrub_placeholders(f)) for f in request.feedback if f.strip()]
    links = Linker(request.link_targets, request.blueprint, spec.key)
    title = brief.name if kind == "overview" or spec.number is None else spec.title
    variables: dict[str, Any] = {
        "brief": brief,
        "facts": facts,
        "file": spec,
        "plan": request.plan,
        "phase": request.phase,
        "blueprint": request.blueprint,
        "links": links,
        "h": Helpers(facts, request.blueprint, links),
        "feedback": feedback,
        "title": title,
    }
    module = _ENV.get_template(f"{kind}.md.j2").make_module(variables)
    common = _ENV.get_template("_common.md.j2").make_module(variables)
    bodies = []
    for section in sections:
        macro = getattr(module, section.id, None) if section.id != "generic" else None
        if macro is None:
            macro = getattr(common, _GENERIC_MACRO)
        bodies.append((section, str(macro(section)).strip()))
    lead_macro = getattr(module, "lead", None)
    lead = str(lead_macro()).strip() if lead_macro is not None else ""
    lead = _ensure_dependencies(lead, "\n".join(b for _, b in bodies), common, request, links, facts.entity_names)
    text = _ENV.get_template("document.md.j2").render(title=title, lead=lead, sections=bodies)
    return _tidy(text, canon)
