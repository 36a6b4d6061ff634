"""Helpers the kind templates call: phrasing, reader roles, data and diagram details.

Everything here is derived from the normalised brief (through :class:`Facts`), the blueprint and
the links of one request; nothing is shared between requests.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from docsgen_pipeline.agents.template.facts import Facts, StateNode, Target, content_words, position
from docsgen_pipeline.agents.template.links import Linker
from docsgen_pipeline.agents.template.text import clause, count_word, join_words, link_text, sentence
from docsgen_pipeline.blueprint import Blueprint, Phase
from docsgen_pipeline.brief import Entity, Screen, Workflow

_BUILDERS_RE = re.compile(r"engineer|developer|architect|operat|devops|admin|sre\b", re.IGNORECASE)
_SHAPERS_RE = re.compile(r"product|manager|owner|analyst|stakeholder|lead", re.IGNORECASE)
_USERS_RE = re.compile(r"design|support|staff|coordinator|user|customer|clerk|agent|operator", re.IGNORECASE)

_TYPE_MEANINGS = {
    "not stated": "The brief names the field but does not say its type.",
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

    def snake_case_fields(self) -> bool:
        names = [f.name for e in self._facts.brief.entities for f in e.fields]
        return bool(names) and all(re.fullmatch(r"[a-z][a-z0-9_]*", n) for n in names)

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

    def ui_goal(self) -> tuple[str, list[str]]:
        """The goal the screens serve most directly (shared telling words), with those screens."""
        best: tuple[int, str, list[str]] = (0, "", [])
        # Longer words only ("history", not "place"), and none that most screens share ("order").
        screen_words = {
            s.name: {w for w in content_words(f"{s.name} {s.purpose}") if len(w) > 5} for s in self._facts.brief.screens
        }
        counts = {w: sum(w in ws for ws in screen_words.values()) for ws in screen_words.values() for w in ws}
        common = {w for w, n in counts.items() if n * 2 > len(screen_words)}
        for goal in self._facts.brief.goals:
            words = content_words(goal) - common
            screens = [name for name, ws in screen_words.items() if words & ws]
            if len(screens) > best[0]:
                best = (len(screens), goal, screens)
        return best[1], best[2]

    def target_check(self, target: Target) -> str:
        """How a measurable target is verified: time limits by timing, durations by running that long."""
        unit = target.amount.split()[-1].lower() if " " in target.amount else target.amount.lower()
        if target.bound in ("at least",) and re.match(r"(day|week|month|hour)", unit):
            return f"A soak test that runs for {target.amount} under the stated conditions"
        if re.match(r"(ms|millisecond|second|minute|hour)", unit):
            return f"Timing it end to end; it passes when every measured run stays {target.bound} {target.amount}"
        return f"A test that measures the value and fails when it is not {target.bound} {target.amount}"

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
        return join_words([f"[{link_text(h)}](#{self._links.slug(h)})" for h in headings])

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
        return self._links.slug(text)

    def lower(self, text: str) -> str:
        return clause(text, self._names)
