"""What the templates know about a brief beyond its fields: who depends on whom, which step
mentions which component, numbered requirements, entity references, lifecycles.

Derived once per request from the normalised brief; pure and deterministic (lists, never sets,
so iteration order is the brief's order).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from docsgen_pipeline.agents.template.text import count_word, name_words, sentence, snake
from docsgen_pipeline.brief import Brief, Component, Entity, Screen, Workflow

_STORAGE_RE = re.compile(r"\b(store|database|db|repository|warehouse|storage)\b", re.IGNORECASE)
_EXIT_STATE_RE = re.compile(r"^(cancel|abandon|reject|fail|expire|void|declin|abort)", re.IGNORECASE)


_STOP = frozenset(
    re.findall(
        r"\w+",
        "a an and are as at be by each every for from has have in into is it its of on one or so that the their "
        "them they this to was were when where which while who with within without not no never all any can may "
        "must should will",
    )
)


def _stem(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def content_words(text: str) -> set[str]:
    return {_stem(w) for w in re.findall(r"[a-z][a-z0-9]+", name_words(text)) if w not in _STOP and len(w) > 2}


@lru_cache(maxsize=4096)
def _name_pattern(name: str) -> re.Pattern[str] | None:
    words = name_words(name)
    if not words:
        return None
    return re.compile(r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words.split(" ")) + r"(?:s|es)?(?!\w)")


@lru_cache(maxsize=4096)
def position(text: str, name: str) -> int | None:
    """Where prose first mentions a name (plurals and CamelCase tolerated), or None."""
    pattern = _name_pattern(name)
    match = pattern.search(name_words(text)) if pattern else None
    return match.start() if match else None


def mentioned(text: str, names: list[str]) -> list[str]:
    """Names mentioned in ``text``, in the order the text mentions them."""
    found = [(pos, i, n) for i, n in enumerate(names) if (pos := position(text, n)) is not None]
    return [n for _, _, n in sorted(found)]


@dataclass(frozen=True)
class Requirement:
    id: str
    text: str
    source: str
    components: tuple[str, ...]


@dataclass(frozen=True)
class NumberedItem:
    id: str
    text: str


@dataclass(frozen=True)
class Reference:
    source: str
    field: str
    target: str


@dataclass(frozen=True)
class Step:
    number: int
    text: str
    performer: str
    receiver: str


@dataclass(frozen=True)
class StateNode:
    id: str
    label: str
    meaning: str


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    label: str


@dataclass(frozen=True)
class Target:
    """A measurable promise found in a goal or constraint: ``within five minutes``."""

    source: str  # FR-n or C-n
    bound: str  # within, under, at least …
    amount: str  # five minutes


_TARGET_RE = re.compile(
    r"\b(within|under|in under|in less than|less than|at least|at most|no more than|no later than)\s+"
    r"((?:\d+(?:[.,]\d+)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    r"thirty|sixty|ninety|hundred)\s*(?:ms|milliseconds?|seconds?|minutes?|hours?|days?|weeks?|months?|%|percent))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Task:
    id: str
    title: str
    detail: str
    requirements: tuple[str, ...]
    component: str


class Facts:
    def __init__(self, brief: Brief) -> None:
        self.brief = brief
        # A Facts object lives for one request on one thread, so a plain dict cache is safe.
        self._steps: dict[tuple[str, str, tuple[str, ...]], list[Step]] = {}

    # -- names -------------------------------------------------------------------------------
    @cached_property
    def component_names(self) -> list[str]:
        return [c.name for c in self.brief.components]

    @cached_property
    def entity_names(self) -> list[str]:
        return [e.name for e in self.brief.entities]

    @cached_property
    def screen_names(self) -> list[str]:
        return [s.name for s in self.brief.screens]

    @cached_property
    def term_names(self) -> list[str]:
        return [t.term for t in self.brief.glossary]

    @cached_property
    def proper_names(self) -> list[str]:
        """Names that keep their capitals mid-sentence, longest first."""
        names = [self.brief.name, *self.component_names, *self.entity_names, *self.screen_names, *self.term_names]
        return sorted(dict.fromkeys(n for n in names if n[:1].isupper()), key=lambda n: (-len(n), n))

    def components_in(self, text: str) -> list[str]:
        return mentioned(text, self.component_names)

    def screens_in(self, text: str) -> list[str]:
        return mentioned(text, self.screen_names)

    def entities_in(self, text: str) -> list[str]:
        return mentioned(text, self.entity_names)

    def terms_in(self, text: str) -> list[str]:
        return mentioned(text, self.term_names)

    # -- components --------------------------------------------------------------------------
    def component(self, name: str) -> Component | None:
        return next((c for c in self.brief.components if c.name == name), None)

    def used_by(self, name: str) -> list[str]:
        return [c.name for c in self.brief.components if name in c.depends_on]

    @cached_property
    def edges(self) -> list[tuple[str, str]]:
        return [(c.name, d) for c in self.brief.components for d in c.depends_on]

    @cached_property
    def missing_parts(self) -> list[str]:
        """The parts of a doc set the brief gives nothing for, as a reader would name them."""
        parts = {
            "components": "components", "entities": "entities", "glossary": "glossary terms",
            "screens": "screens", "workflows": "workflows",
        }
        return [label for field, label in parts.items() if not getattr(self.brief, field)]

    def stated_handover(self, source: str, target: str) -> bool:
        """Whether the brief states that ``source`` reaches ``target`` (a sequence arrow may be drawn):
        a person starts things, a component continues its own work, and one component reaches
        another only along a ``depends_on`` edge or a workflow step that names both."""
        if source == target or source not in self.component_names:
            return True
        pairs = set(self.edges) | {(a, b) for a, b, _ in self.interactions}
        return (source, target) in pairs

    @cached_property
    def storage_components(self) -> list[str]:
        return [c.name for c in self.brief.components if _STORAGE_RE.search(c.name)]

    def workflows_with(self, name: str) -> list[str]:
        return [w.name for w in self.brief.workflows if any(position(s, name) is not None for s in w.steps)
                or w.actor == name]

    def entities_of(self, component: Component) -> list[str]:
        return self.entities_in(f"{component.name} {component.responsibility}")

    @cached_property
    def layers(self) -> list[list[str]]:
        """Components in build order: each layer depends only on earlier layers (cycles go last)."""
        remaining = list(self.component_names)
        known = set(remaining)
        done: list[str] = []
        layers: list[list[str]] = []
        while remaining:
            layer = [n for n in remaining if all(d in done or d not in known for d in self._deps(n))]
            if not layer:
                layers.append(remaining)
                break
            layers.append(layer)
            done.extend(layer)
            remaining = [n for n in remaining if n not in layer]
        return layers

    def _deps(self, name: str) -> list[str]:
        comp = self.component(name)
        return list(comp.depends_on) if comp else []

    # -- people ------------------------------------------------------------------------------
    @cached_property
    def actors(self) -> list[str]:
        """People and outside systems that act in workflows (not components), brief order.

        The people named as the subjects of steps win over a workflow's generic ``user`` actor."""
        seen: list[str] = []
        for wf in self.brief.workflows:
            people = [s.performer for s in self.steps(wf) if s.performer not in self.component_names]
            if wf.actor not in self.component_names and (wf.actor in people or not people):
                seen.append(wf.actor)
            seen.extend(people)
        return list(dict.fromkeys(seen))

    # -- requirements ------------------------------------------------------------------------
    @cached_property
    def requirements(self) -> list[Requirement]:
        out: list[Requirement] = []
        for goal in self.brief.goals:
            out.append(Requirement(f"FR-{len(out) + 1}", sentence(goal), "goal", tuple(self.related_components(goal))))
        for wf in self.brief.workflows:
            comps = self.components_in(" ".join(wf.steps))
            out.append(Requirement(f"FR-{len(out) + 1}", wf.name, "workflow", tuple(comps)))
        return out

    @cached_property
    def _component_words(self) -> dict[str, set[str]]:
        return {c.name: content_words(f"{c.name} {c.responsibility}") for c in self.brief.components}

    def related_components(self, text: str) -> list[str]:
        """Components a goal is about: named outright, or sharing two telling words with the
        component's name and responsibility (words most components share, like ``order``, don't count)."""
        named = self.components_in(text)
        if named:
            return named
        words = content_words(text)
        spread = {w: sum(w in ws for ws in self._component_words.values()) for w in words}
        telling = {w for w, n in spread.items() if n and n * 2 < max(len(self._component_words), 2)}
        return [name for name, ws in self._component_words.items() if len(telling & ws) >= 2]

    @cached_property
    def constraints(self) -> list[NumberedItem]:
        return [NumberedItem(f"C-{i}", sentence(c)) for i, c in enumerate(self.brief.constraints, 1)]

    @cached_property
    def targets(self) -> list[Target]:
        out: list[Target] = []
        sources = [(r.id, r.text) for r in self.requirements if r.source == "goal"]
        sources += [(c.id, c.text) for c in self.constraints]
        for source, text in sources:
            for match in _TARGET_RE.finditer(text):
                bound = re.sub(r"^in\s+", "", match.group(1).lower())  # "in under ten seconds" -> under
                out.append(Target(source, bound, match.group(2)))
        return out

    def requirements_mentioning(self, name: str) -> list[str]:
        """Goals that name it, and workflows whose steps do."""
        flows = {w.name: " ".join(w.steps) for w in self.brief.workflows}
        return [
            r.id
            for r in self.requirements
            if position(r.text if r.source == "goal" else flows.get(r.text, ""), name) is not None
        ]

    def requirements_for(self, component: str) -> list[str]:
        return [r.id for r in self.requirements if component in r.components]

    @cached_property
    def tasks(self) -> list[Task]:
        tasks: list[Task] = []
        for layer in self.layers:
            for name in layer:
                comp = self.component(name)
                assert comp is not None
                reqs = tuple(self.requirements_for(name))
                detail = sentence(comp.responsibility) if comp.responsibility else f"Build {name}."
                tasks.append(Task(f"T-{len(tasks) + 1}", f"Build {name}", detail, reqs, name))
        for entity in self.brief.entities:
            owners = self.stored_in(entity) or self.owners(entity)
            fields = f"{count_word(len(entity.fields))} canonical field{'s' if len(entity.fields) != 1 else ''}"
            tasks.append(
                Task(
                    f"T-{len(tasks) + 1}",
                    f"Create the {entity.name} schema",
                    f"Create storage for {entity.name} with its {fields}.",
                    tuple(self.requirements_mentioning(entity.name)),
                    owners[0] if owners else "",
                )
            )
        for screen in self.brief.screens:
            reqs = tuple(self.requirements_mentioning(screen.name))
            detail = sentence(screen.purpose) if screen.purpose else f"Build {screen.name}."
            tasks.append(Task(f"T-{len(tasks) + 1}", f"Build the {screen.name} screen", detail, reqs, ""))
        for req in self.requirements:
            if req.source == "workflow":
                tasks.append(Task(f"T-{len(tasks) + 1}", f"Test “{req.text}” end to end",
                                  f"Automate the {req.text.lower()} workflow as an end-to-end test.", (req.id,),
                                  req.components[0] if req.components else ""))
        return tasks

    # -- entities ----------------------------------------------------------------------------
    def entity(self, name: str) -> Entity | None:
        return next((e for e in self.brief.entities if e.name == name), None)

    def id_field(self, entity: Entity) -> str | None:
        names = [f.name for f in entity.fields]
        own = f"{snake(entity.name)}_id"
        if own in names:
            return own
        return next((n for n in names if n.endswith("_id")), None)

    @cached_property
    def references(self) -> list[Reference]:
        ids = {e.name: self.id_field(e) for e in self.brief.entities}
        out: list[Reference] = []
        for entity in self.brief.entities:
            for field in entity.fields:
                for target in self.brief.entities:
                    if target.name != entity.name and ids[target.name] == field.name:
                        out.append(Reference(entity.name, field.name, target.name))
        return out

    def owners(self, entity: Entity) -> list[str]:
        """Non-storage components whose name or responsibility mentions the entity."""
        return [
            c.name
            for c in self.brief.components
            if c.name not in self.storage_components
            and position(f"{c.name} {c.responsibility}", entity.name) is not None
        ]

    def stored_in(self, entity: Entity) -> list[str]:
        named = [
            c.name
            for c in self.brief.components
            if c.name in self.storage_components and position(c.responsibility, entity.name) is not None
        ]
        return named or list(self.storage_components)

    @cached_property
    def lifecycle_entity(self) -> Entity | None:
        return next((e for e in self.brief.entities if e.states), None)

    @cached_property
    def main_workflow(self) -> Workflow | None:
        return next((w for w in self.brief.workflows if w.steps), None)

    def screen(self, name: str) -> Screen | None:
        return next((s for s in self.brief.screens if s.name == name), None)

    # -- behaviour ---------------------------------------------------------------------------
    def subject(self, text: str) -> str | None:
        """Who a step's sentence is about: a component it starts with, or a person (``The
        coordinator …``); None for ``It …`` or an entity (``The order moves …``)."""
        bare = re.sub(r"^(?:the|a|an)\s+", "", text.strip(), flags=re.IGNORECASE)
        for name in sorted(self.component_names, key=len, reverse=True):
            if bare.lower().startswith(name.lower()):
                return name
        match = re.match(r"^(?:the|a|an)\s+([a-z][\w-]*)\s+[a-z]+s\b", text.strip(), re.IGNORECASE)
        if match is None:
            return None
        word = match.group(1).lower()
        if any(position(word, e) is not None for e in self.entity_names) or word in self.term_names_lower:
            return None
        return word

    @cached_property
    def term_names_lower(self) -> list[str]:
        return [t.lower() for t in self.term_names]

    def steps(self, workflow: Workflow) -> list[Step]:
        """Who performs each step (its subject, else whoever acted last) and whom it reaches."""
        key = (workflow.name, workflow.actor, tuple(workflow.steps))
        if key not in self._steps:
            self._steps[key] = self._derive_steps(workflow)
        return list(self._steps[key])

    def _derive_steps(self, workflow: Workflow) -> list[Step]:
        current = workflow.actor
        out: list[Step] = []
        for i, text in enumerate(workflow.steps, 1):
            comps = self.components_in(text)
            subject = self.subject(text)
            pronoun = text.lower().startswith(("it ", "they "))
            performer = subject or (comps[0] if comps and not pronoun else current)
            others = [c for c in comps if c != performer]
            receiver = others[0] if others else performer
            out.append(Step(i, text, performer, receiver))
            current = performer
        return out

    def starter(self, workflow: Workflow) -> str:
        """Who starts a workflow: its actor when the steps show it acting, else the person the
        first step is about (a prose brief's generic ``user`` gives way to ``surveyor``)."""
        steps = self.steps(workflow)
        if not steps or any(s.performer == workflow.actor for s in steps):
            return workflow.actor
        first = steps[0].performer
        return first if first not in self.component_names else workflow.actor

    def participants(self, workflow: Workflow) -> list[str]:
        names: list[str] = []
        for step in self.steps(workflow):
            names.extend([step.performer, step.receiver])
        return list(dict.fromkeys(names)) or [workflow.actor]

    @cached_property
    def interactions(self) -> list[tuple[str, str, str]]:
        """(from, to, workflow) for workflow steps where one component reaches another."""
        seen: dict[tuple[str, str], str] = {}
        for wf in self.brief.workflows:
            for step in self.steps(wf):
                pair = (step.performer, step.receiver)
                if step.performer != step.receiver and all(p in self.component_names for p in pair):
                    seen.setdefault(pair, wf.name)
        return [(a, b, wf) for (a, b), wf in seen.items()]

    @cached_property
    def state_machine(self) -> tuple[str, list[StateNode], list[Transition]]:
        """(what the machine describes, states, transitions) from the first entity with states,
        else from the main workflow's steps."""
        entity = self.lifecycle_entity
        if entity is not None:
            main_names = [s for s in entity.states if not _EXIT_STATE_RE.match(s)]
            states = [
                StateNode(f"s{i}", s, self._state_meaning(entity, s, main_names))
                for i, s in enumerate(entity.states, 1)
            ]
            main = [s for s in states if not _EXIT_STATE_RE.match(s.label)]
            exits = [s for s in states if _EXIT_STATE_RE.match(s.label)]
            transitions = [Transition("[*]", main[0].id if main else states[0].id, "created")]
            for a, b in itertools.pairwise(main):
                transitions.append(Transition(a.id, b.id, b.label.lower()))
            for ex in exits:
                for a in main[:-1]:
                    transitions.append(Transition(a.id, ex.id, ex.label.lower()))
                transitions.append(Transition(ex.id, "[*]", ""))
            if main:
                transitions.append(Transition(main[-1].id, "[*]", ""))
            return entity.name, states, transitions
        wf = self.main_workflow
        if wf is not None:
            states = [
                StateNode(f"s{s.number}", self._step_state(s), sentence(s.text)) for s in self.steps(wf)
            ]
            transitions = [Transition("[*]", states[0].id, "start")]
            transitions += [Transition(a.id, b.id, "") for a, b in itertools.pairwise(states)]
            transitions.append(Transition(states[-1].id, "[*]", "done"))
            return wf.name, states, transitions
        return "", [], []

    def _step_state(self, step: Step) -> str:
        """``The Recorder App stores the sighting`` -> ``Stores the sighting`` (the step minus its subject)."""
        text = step.text.rstrip(".")
        for subject in (step.performer, "it", "they"):
            match = re.match(rf"^(?:the\s+)?{re.escape(subject)}\s+(.+)$", text, re.IGNORECASE)
            if match:
                text = match.group(1)
                break
        else:
            text = re.sub(r"^the\s+\w+\s+(?=\w+s\b)", "", text, flags=re.IGNORECASE)
        return f"{step.number}. {text[:1].upper()}{text[1:]}"

    def _state_meaning(self, entity: Entity, state: str, main: list[str]) -> str:
        """What a state means: the workflow step that enters it, else its place in the lifecycle."""
        for wf in self.brief.workflows:
            for step in wf.steps:
                if position(step, state) is not None:
                    keep = any(step.startswith(n) for n in self.proper_names) or step.split(" ", 1)[0].isupper()
                    lowered = step if keep else step[0].lower() + step[1:]
                    return f"Entered when {lowered.rstrip('.')} (“{wf.name}”)."
        if _EXIT_STATE_RE.match(state):
            ends = main[:-1]
            return (
                f"The {entity.name} was stopped before it completed"
                + (f"; reachable from {', '.join(ends)}" if ends else "")
                + ". Nothing moves out of it."
            )
        index = main.index(state) if state in main else -1
        if index == 0:
            return f"Initial state: every {entity.name} starts here" + (
                f" and next becomes {main[1]}." if len(main) > 1 else "."
            )
        if index == len(main) - 1:
            return f"Final state of a completed {entity.name}; nothing moves out of it."
        nxt = f"; it next becomes {main[index + 1]}" if 0 <= index < len(main) - 1 else ""
        return f"The {entity.name} has reached {state}{nxt}."
