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

from docsgen_pipeline.agents.base import LinkTarget, WriteRequest
from docsgen_pipeline.agents.template.facts import Facts, StateNode, content_words, position
from docsgen_pipeline.agents.template.planner import (
    REVISION_HEADING,
    Section,
    revision_intent,
    sections_for,
    template_kind,
)
from docsgen_pipeline.agents.template.text import (
    Canon,
    cell,
    clause,
    count_word,
    does,
    join_words,
    link_text,
    mermaid_label,
    normalise_brief,
    scrub_placeholders,
    sentence,
)
from docsgen_pipeline.blueprint import Blueprint, Phase
from docsgen_pipeline.brief import Entity, Screen, Workflow
from docsgen_pipeline.markdown.slugs import github_slug

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


class Linker:
    """Links the writer may emit: only to ``link_targets``, fragments only to known anchors."""

    def __init__(self, targets: Sequence[LinkTarget], blueprint: Blueprint, self_key: str) -> None:
        order = {f.key: i for i, f in enumerate(blueprint.all_files())}
        by_key: dict[str, LinkTarget] = {}
        for t in targets:
            if t.key != self_key and t.key not in by_key:
                by_key[t.key] = t
        self._by_key = by_key
        self._order = order
        self._blueprint = blueprint

    def has(self, key: str | None) -> bool:
        return key is not None and key in self._by_key

    def target(self, key: str | None) -> LinkTarget | None:
        return self._by_key.get(key) if key else None

    def key_of_kind(self, kind: str) -> str | None:
        return next((f.key for f in self._blueprint.all_files() if f.kind == kind), None)

    def title(self, key: str) -> str:
        target = self._by_key.get(key)
        if target is not None:
            return target.title
        spec = self._blueprint.files_by_key.get(key)
        return spec.title if spec else key

    def file(self, key: str | None, text: str = "") -> str:
        if key is None:
            return text
        label = text or self.title(key)
        target = self._by_key.get(key)
        return f"[{link_text(label)}]({target.filename})" if target else label

    def anchor(self, key: str | None, heading: str, text: str = "") -> str:
        """``[text](file#slug)`` when the slug is a known anchor, else a plain file link or text."""
        label = text or heading
        target = self._by_key.get(key) if key else None
        if target is None:
            return label
        slug = github_slug(heading)
        if slug in target.anchors:
            return f"[{link_text(label)}]({target.filename}#{slug})"
        return f"[{link_text(label)}]({target.filename})"

    def kind(self, kind: str, text: str = "") -> str:
        return self.file(self.key_of_kind(kind), text)

    def kind_anchor(self, kind: str, heading: str, text: str = "") -> str:
        return self.anchor(self.key_of_kind(kind), heading, text)

    def schema(self, entity: str) -> str:
        schema = self._blueprint.schema_file()
        return self.anchor(schema.key if schema else None, entity)

    def schemas(self, entities: Sequence[str]) -> str:
        return join_words([self.schema(e) for e in entities])

    def files(self, keys: Sequence[str]) -> str:
        return join_words([self.file(k) for k in keys])

    def in_phase(self, number: int) -> list[LinkTarget]:
        found = [t for t in self._by_key.values() if t.phase == number]
        return sorted(found, key=lambda t: (self._order.get(t.key, len(self._order)), t.filename))

    def targets(self) -> list[LinkTarget]:
        return sorted(self._by_key.values(), key=lambda t: (self._order.get(t.key, len(self._order)), t.filename))


_BUILDERS_RE = re.compile(r"engineer|developer|architect|operat|devops|admin|sre\b", re.IGNORECASE)
_SHAPERS_RE = re.compile(r"product|manager|owner|analyst|stakeholder|lead", re.IGNORECASE)
_USERS_RE = re.compile(r"design|support|staff|coordinator|user|customer|clerk|agent|operator", re.IGNORECASE)


_TYPE_MEANINGS = {
    "uuid": "Random 128-bit identifier, generated once and never reused.",
    "string": "UTF-8 text.",
    "text": "UTF-8 text of any length.",
    "integer": "Whole number; amounts of money are integers in the smallest currency unit.",
    "int": "Whole number.",
    "enum": "One of a fixed list of values named in the field's meaning.",
    "timestamp": "Instant in UTC, ISO 8601.",
    "datetime": "Instant in UTC, ISO 8601.",
    "date": "Calendar date, ISO 8601 (YYYY-MM-DD).",
    "boolean": "True or false.",
    "bool": "True or false.",
    "decimal": "Exact decimal number.",
    "float": "Floating-point number.",
    "json": "Structured JSON document.",
}
_LIST_RE = re.compile(r"\b(table|list|queue|filter|search|timeline)\b", re.IGNORECASE)
_RISKY_RE = re.compile(r"\b(pay|delete|remove|cancel|submit|send|publish|approve|reject|confirm)\b", re.IGNORECASE)
_STOP_WORDS = frozenset({"who", "that", "the", "and", "of", "a", "an", "on", "in", "for", "to", "with", "their"})


def _screens_for_reader(reader: str, screens: Sequence[Screen]) -> list[str]:
    """Screens whose purpose names the reader: ``support staff`` exactly, else the head noun
    (``Survey coordinators`` -> ``coordinator``)."""
    words = [w for w in re.findall(r"[a-z]+", reader.lower()) if w not in _STOP_WORDS][:2]
    if not words:
        return []
    stems = [w[:-1] if w.endswith("s") and not w.endswith("ss") else w for w in words]
    phrase = re.compile(r"\b" + r"\W+".join(re.escape(w) for w in stems), re.IGNORECASE)
    found = [s.name for s in screens if phrase.search(s.purpose)]
    if found or len(stems) < 2:
        return found
    head = re.compile(rf"\b{re.escape(stems[-1])}", re.IGNORECASE)
    return [s.name for s in screens if head.search(s.purpose)]


class Helpers:
    """Per-request helpers that need the brief's proper names, the blueprint or the links."""

    def __init__(self, facts: Facts, blueprint: Blueprint, links: Linker) -> None:
        self._names = facts.proper_names
        self._facts = facts
        self._blueprint = blueprint
        self._links = links

    def start_for(self, reader: str) -> str | None:
        """The section index a kind of reader should open first (builders -> architecture …)."""
        number = {"build": 2, "shape": 1, "use": 3}.get(self.reader_role(reader), 1)
        phase = next((p for p in self._blueprint.phases if p.number == number), None)
        index = phase.index_file if phase else None
        return index.key if index and self._links.has(index.key) else None

    def reader_workflows(self, reader: str) -> list[str]:
        """Workflows whose name shares a telling word with the reader (ecologists recording
        sightings -> “Record a sighting”)."""
        words = content_words(reader)
        return [w.name for w in self._facts.brief.workflows if words & content_words(w.name)]

    def reader_role(self, reader: str) -> str:
        """build (engineers), shape (product people), use (people who use screens or workflows), or read."""
        if _BUILDERS_RE.search(reader):
            return "build"
        if _SHAPERS_RE.search(reader):
            return "shape"
        if _USERS_RE.search(reader) or _screens_for_reader(reader, self._facts.brief.screens):
            return "use"
        return "use" if self.reader_workflows(reader) else "read"

    def intent_of(self, key: str, fallback: str) -> str:
        spec = self._blueprint.files_by_key.get(key)
        return sentence(spec.intent) if spec else sentence(fallback)

    # -- phrasing ----------------------------------------------------------------------------
    def describe(self, name: str, text: str) -> str:
        """``Order API`` + ``accepts orders`` -> a sentence, whatever grammatical shape the brief used."""
        body = self.clause(text)
        first = body.split(" ", 1)[0].lower()
        if first in ("the", "a", "an") or first.endswith("'s"):
            return sentence(f"{name} is {body}")
        if first.endswith("s") and not first.endswith("ss"):
            return sentence(f"{name} {body}")
        return sentence(f"{name} provides {body}")

    def workflow(self, name: str) -> Workflow:
        return next(w for w in self._facts.brief.workflows if w.name == name)

    def workflow_requirement(self, name: str) -> str:
        wf = self.workflow(name)
        who = self.who(self._facts.starter(wf))
        if not wf.steps:
            return sentence(f"{who} can complete “{wf.name}”")
        first, last = wf.steps[0].rstrip("."), wf.steps[-1].rstrip(".")
        steps = count_word(len(wf.steps))
        return sentence(f"{who} can complete “{wf.name}” in {steps} steps, from “{first}” to “{last}”")

    def workflow_link(self, name: str) -> str:
        return self._links.kind_anchor("user_workflows", name, f"“{name}”")

    def component_link(self, name: str) -> str:
        if name in self._facts.component_names:
            return self._links.kind_anchor("components", name)
        return name

    # -- data ----------------------------------------------------------------------------------
    def field_types(self) -> list[tuple[str, str]]:
        seen = list(dict.fromkeys(f.type for e in self._facts.brief.entities for f in e.fields))
        return [(t, _TYPE_MEANINGS.get(t.lower(), f"As named in the brief ({t}).")) for t in seen]

    def sample_field(self) -> str:
        return next((f.name for e in self._facts.brief.entities for f in e.fields if "_" in f.name), "")

    def id_fields(self) -> list[str]:
        found = [self._facts.id_field(e) for e in self._facts.brief.entities]
        return [f for f in found if f]

    def unreferenced_entities(self) -> list[str]:
        linked = {n for r in self._facts.references for n in (r.source, r.target)}
        return [e for e in self._facts.entity_names if e not in linked]

    def writers_fallback(self, entity: Entity) -> str:
        # Fall back to the components whose responsibility names one of the entity's fields
        # (Shipment.tracking_number -> "records tracking numbers").
        fields = [f.name.replace("_", " ") for f in entity.fields if not f.name.endswith("_id")]
        comps = [
            c.name
            for c in self._facts.brief.components
            if c.name not in self._facts.storage_components
            and any(position(c.responsibility, f) is not None for f in fields)
        ]
        return join_words(comps) if comps else "Not named in the brief"

    # -- components and screens ----------------------------------------------------------------
    def runtime_only(self) -> list[tuple[str, str, str]]:
        return [i for i in self._facts.interactions if (i[0], i[1]) not in self._facts.edges]

    def foundation_components(self) -> list[str]:
        return [c.name for c in self._facts.brief.components if not c.depends_on]

    def folder(self, name: str) -> str:
        return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "component"

    def node(self, name: str) -> str:
        names = self._facts.component_names
        return f"c{names.index(name) + 1}" if name in names else ""

    def participant_id(self, name: str) -> str:
        return self.node(name) or "a_" + (re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "actor")

    def participant_role(self, name: str) -> str:
        comp = self._facts.component(name)
        if comp is not None:
            return sentence(self.clause(comp.responsibility)) if comp.responsibility else "A component of the system."
        return self._actor_use(name)

    def who(self, name: str) -> str:
        """A participant mid-sentence: components by name, people with an article."""
        return name if name in self._facts.component_names or name[:1].isupper() else f"the {name}"

    def _actor_use(self, actor: str) -> str:
        flows = self._facts.brief.workflows
        starts = [w.name for w in flows if self._facts.starter(w) == actor]
        acts = [
            w.name
            for w in flows
            if w.name not in starts and any(s.performer == actor for s in self._facts.steps(w))
        ]
        parts = []
        if starts:
            parts.append(f"starts {join_words([f'“{w}”' for w in starts])}")
        if acts:
            parts.append(f"acts in {join_words([f'“{w}”' for w in acts])}")
        return sentence(" and ".join(parts)) if parts else "Takes part in the workflows."

    def actors(self) -> list[tuple[str, str]]:
        """(actor, how they use the system): workflow actors first, then the brief's audience."""
        out: list[tuple[str, str]] = []
        for actor in self._facts.actors:
            out.append((actor[:1].upper() + actor[1:], self._actor_use(actor)))
        for reader in self._facts.brief.audience:
            label = reader.rstrip(".")
            screens = _screens_for_reader(reader, self._facts.brief.screens)
            flows = self.reader_workflows(reader)
            role = self.reader_role(reader)
            if screens:
                use = f"Uses {join_words(screens)}."
            elif role == "build":
                use = f"Builds and operates {join_words(self._facts.component_names) or 'the system'}."
            elif role == "shape":
                use = "Shapes the goals, requirements and workflows; does not use the system day to day."
            elif flows:
                use = f"Takes part in {join_words([f'“{w}”' for w in flows])}."
            else:
                use = "Relies on the behaviour this documentation describes."
            out.append((label, use))
        return out

    def readers_of(self, screen: str) -> list[str]:
        """Readers whose description the screen's purpose names (support staff -> Order List)."""
        screens = self._facts.brief.screens
        return [r.rstrip(".") for r in self._facts.brief.audience if screen in _screens_for_reader(r, screens)]

    def schema_links(self, entities: Sequence[str]) -> str:
        return self._links.schemas(entities)

    def diagram_actors(self) -> list[tuple[str, str]]:
        """Actors for a context diagram: workflow actors and readers who use the system."""
        readers = {r.rstrip(".") for r in self._facts.brief.audience if self.reader_role(r) in ("build", "shape")}
        return [(name, use) for name, use in self.actors() if name not in readers]

    def entry_node(self, actor: str, fallback: str = "sys") -> str:
        """Where an actor enters: the first component of a workflow they start, else a component
        named after them (coordinator -> Coordinator Portal), else ``fallback``."""
        for wf in self._facts.brief.workflows:
            if self._facts.starter(wf).lower() == actor.lower() and wf.steps:
                comps = [s.performer for s in self._facts.steps(wf) if s.performer in self._facts.component_names]
                if comps:
                    return self.node(comps[0])
        for comp in self._facts.brief.components:
            if position(f"{comp.name} {comp.responsibility}", actor) is not None:
                return self.node(comp.name)
        if not self._facts.brief.components:
            return "c0"
        return fallback

    def workflows_through(self, screen: str) -> list[str]:
        return [w.name for w in self._facts.brief.workflows if any(position(s, screen) is not None for s in w.steps)]

    def list_elements(self) -> list[str]:
        return [e for s in self._facts.brief.screens for e in s.elements if _LIST_RE.search(e)]

    def risky_elements(self) -> list[str]:
        return [e for s in self._facts.brief.screens for e in s.elements if _RISKY_RE.search(e)]

    def state_names(self, states: Sequence[StateNode]) -> dict[str, str]:
        return {s.id: s.label for s in states}

    def local_anchors(self, headings: Sequence[str]) -> str:
        """Links to sections of the page being written (its own planned headings)."""
        return join_words([f"[{link_text(h)}](#{github_slug(h)})" for h in headings])

    def phase_links(self, phases: Sequence[Phase]) -> str:
        parts = []
        for phase in phases:
            index = phase.index_file
            first = index or phase.files[0]
            parts.append(self._links.file(first.key, phase.title))
        return join_words(parts)

    def clause(self, text: str) -> str:
        return clause(text, self._names)

    def plural(self, count: int, word: str, many: str | None = None) -> str:
        return f"{count_word(count)} {word if count == 1 else (many or word + 's')}"

    def slug(self, text: str) -> str:
        return github_slug(text)

    def lower(self, text: str) -> str:
        return clause(text, self._names)


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
            out.append(Section("revision_notes", entry.heading, entry.level, entry.intent))
        else:
            out.append(Section("generic", entry.heading, entry.level, entry.intent))
    return out


_BLANKS_RE = re.compile(r"\n{3,}")
_PROTECTED_RE = re.compile(r"(`[^`\n]*`|\]\([^)\n]*\))")


def _tidy(markdown: str, canon: Canon) -> str:
    """Trim whitespace and, as a safety net, rewrite forbidden variants in prose lines.

    Headings (planned text), code (fenced and inline) and link destinations (file names) are
    left alone: they hold identifiers, and brief-derived names in them are already normalised.
    """
    lines = []
    fenced = False
    for line in markdown.split("\n"):
        line = line.rstrip()
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and not line.startswith("#"):
            parts = _PROTECTED_RE.split(line)
            line = "".join(p if i % 2 else canon(p) for i, p in enumerate(parts))
        lines.append(line)
    return _BLANKS_RE.sub("\n\n", "\n".join(lines)).strip() + "\n"


def _with_concerns(section: Section, sections: list[Section], facts: Facts, feedback: list[str]) -> Section:
    """Which headings of this page and names from the brief the review note mentions."""
    note = (feedback[-1] if feedback else section.intent).lower()
    names = [s.heading for s in sections if s.id != "revision_notes"] + facts.proper_names
    concerns = [n for n in dict.fromkeys(names) if n and re.search(rf"(?<!\w){re.escape(n.lower())}(?!\w)", note)]
    # "Order Store" mentioned does not mean "Order" was.
    concerns = [n for n in concerns if not any(n != o and n.lower() in o.lower() for o in concerns)]
    return Section(section.id, section.heading, section.level, section.intent, concerns)


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
    feedback = [scrub_placeholders(f) for f in request.feedback if f.strip()]
    if feedback and not any(s.id == "revision_notes" for s in sections):
        sections.append(Section("revision_notes", REVISION_HEADING, 2, revision_intent(feedback)))
    sections = [_with_concerns(s, sections, facts, feedback) if s.id == "revision_notes" else s for s in sections]
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
        macro = getattr(module, section.id, None) if section.id not in ("generic", "revision_notes") else None
        if macro is None:
            macro = getattr(common, section.id if section.id == "revision_notes" else "generic")
        bodies.append((section, str(macro(section)).strip()))
    lead_macro = getattr(module, "lead", None)
    lead = str(lead_macro()).strip() if lead_macro is not None else ""
    lead = _ensure_dependencies(lead, "\n".join(b for _, b in bodies), common, request, links, facts.entity_names)
    text = _ENV.get_template("document.md.j2").render(title=title, lead=lead, sections=bodies)
    return _tidy(text, Canon(brief.glossary))
