"""The template agent's planner: which sections each kind of file has, in order.

The same :func:`sections_for` drives both the phase plan (the outline every later file sees as
link anchors) and the writer (which renders exactly the planned headings), so a planned heading
can never be missing from the written file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from docsgen_pipeline.agents.template.facts import Facts
from docsgen_pipeline.blueprint import Blueprint, Phase, PlannedFile
from docsgen_pipeline.markdown.slugs import github_slug
from docsgen_pipeline.planning import FilePlan, OutlineSection, PhasePlan

REVISION_HEADING = "Revision notes"


@dataclass(frozen=True)
class Section:
    """One heading of a file and the macro of the kind's template that writes its body."""

    id: str
    heading: str
    level: int = 2
    intent: str = ""
    item: object = field(default=None, compare=False)


Builder = Callable[[PlannedFile, Facts], list[Section]]


def _overview(file: PlannedFile, f: Facts) -> list[Section]:
    out = [
        Section("purpose", "Purpose", intent="What the project is for and the problem it solves."),
        Section("audience", "Audience", intent="Who reads this documentation and where each reader starts."),
        Section("goals", "Goals", intent="The outcomes the project is measured against."),
    ]
    if f.brief.components:
        out.append(Section("at_a_glance", "System at a glance", intent="The components and what each one does."))
    if f.brief.constraints:
        out.append(Section("constraints", "Constraints", intent="Limits the design must respect."))
    if f.brief.notes:
        out.append(Section("background", "Background", intent="Context from the brief."))
    out.append(Section("organisation", "How this documentation is organised", intent="One line per section."))
    return out


def _section_index(file: PlannedFile, f: Facts) -> list[Section]:
    return [
        Section("in_this_section", "In this section", intent="Every page of this section with its purpose."),
        Section("fits", "Where this section fits", intent="How this section relates to the rest of the set."),
    ]


def _foundations(file: PlannedFile, f: Facts) -> list[Section]:
    out = [
        Section("problem", "Problem statement", intent="The problem the project solves, for whom."),
        Section("principles", "Design principles", intent="Principles derived from the goals and constraints."),
        Section("scope", "Scope", intent="What the project covers and what it leaves out."),
        Section("in_scope", "In scope", level=3, intent="Components, workflows and screens covered."),
        Section("out_of_scope", "Out of scope", level=3, intent="Limits and exclusions."),
    ]
    if f.brief.glossary:
        out.append(Section("key_terms", "Key terms", intent="Glossary terms this design relies on."))
    return out


def _terminology(file: PlannedFile, f: Facts) -> list[Section]:
    return [
        Section("glossary", "Glossary", intent="Every term with its canonical spelling and definition."),
        Section("spelling_rules", "Spelling rules", intent="How terms are written and which variants to avoid."),
    ]


def _schemas(file: PlannedFile, f: Facts) -> list[Section]:
    out = [Section("conventions", "Schema conventions", intent="Naming, types and identifiers used by every schema.")]
    # The heading text is exactly the entity name: other files link to #<github_slug(name)>.
    out += [Section("entity", e.name, intent=f"Canonical schema of {e.name}.", item=e) for e in f.brief.entities]
    if f.references:
        out.append(Section("relationships", "Relationships", intent="Which schemas refer to which."))
    return out


def _requirements(file: PlannedFile, f: Facts) -> list[Section]:
    out = [
        Section("functional", "Functional requirements", intent="Testable requirements from goals and workflows."),
        Section("constraints", "Constraints", intent="Numbered constraints every design decision respects."),
    ]
    if f.targets:
        out.append(Section("targets", "Measurable targets", intent="The numbers the goals and constraints promise."))
    if f.requirements:
        out.append(Section("traceability", "Traceability", intent="Which components satisfy each requirement."))
    return out


def _system_context(file: PlannedFile, f: Facts) -> list[Section]:
    return [
        Section("actors", "Actors", intent="People and systems that interact with the project."),
        Section("boundaries", "Boundaries", intent="What is inside the system and what stays outside."),
        Section("context_diagram", "Context diagram", intent="Actors and the system on one picture."),
    ]


def _components(file: PlannedFile, f: Facts) -> list[Section]:
    out = [Section("catalogue", "Component catalogue", intent="Every component with its responsibility.")]
    out += [Section("component", c.name, level=3, intent=c.responsibility, item=c) for c in f.brief.components]
    out.append(Section("dependencies", "Dependencies", intent="Which component relies on which, and build order."))
    return out


def _data_model(file: PlannedFile, f: Facts) -> list[Section]:
    out = [Section("entities", "Entities", intent="Each canonical schema and its role in the data model.")]
    if f.references:
        out.append(Section("relationships", "Relationships", intent="How entities refer to each other."))
    out.append(Section("ownership", "Ownership", intent="Which component stores and writes each entity."))
    if f.lifecycle_entity is not None:
        out.append(Section("lifecycle", "Lifecycle", intent="The states an entity moves through."))
    return out


def _runtime(file: PlannedFile, f: Facts) -> list[Section]:
    out = [Section("workflows", "Workflows at runtime", intent="Each workflow as it runs through the components.")]
    out += [Section("workflow", w.name, level=3, intent=f"{w.name} at runtime.", item=w) for w in f.brief.workflows]
    out.append(Section("failures", "Failure handling", intent="What happens when a component is unavailable."))
    return out


def _user_workflows(file: PlannedFile, f: Facts) -> list[Section]:
    out = [Section("catalogue", "Workflow catalogue", intent="Every workflow with its actor.")]
    out += [Section("workflow", w.name, level=3, intent=f"{w.name}, step by step.", item=w) for w in f.brief.workflows]
    return out


def _screens(file: PlannedFile, f: Facts) -> list[Section]:
    out = [Section("catalogue", "Screen catalogue", intent="Every screen with its purpose.")]
    out += [Section("screen", s.name, level=3, intent=s.purpose, item=s) for s in f.brief.screens]
    if len(f.brief.screens) > 1 and any(len(f.screens_in(" ".join(w.steps))) for w in f.brief.workflows):
        out.append(Section("navigation", "Navigation", intent="How workflows move between screens."))
    return out


def _interaction_rules(file: PlannedFile, f: Facts) -> list[Section]:
    return [
        Section("general", "General rules", intent="Rules every screen follows."),
        Section("errors", "Errors and confirmation", intent="How errors are shown and what needs confirmation."),
        Section("accessibility", "Accessibility", intent="Keyboard, contrast and wording rules."),
    ]


def _folder_mapping(file: PlannedFile, f: Facts) -> list[Section]:
    out = [Section("layout", "Repository layout", intent="The folder tree of code and documentation.")]
    if f.brief.components:
        out.append(Section("component_folders", "Component folders", intent="Where each component's code lives."))
    out.append(Section("documentation_files", "Documentation files", intent="Where each page of this set lives."))
    return out


def _task_references(file: PlannedFile, f: Facts) -> list[Section]:
    return [
        Section("task_list", "Task list", intent="Tasks traced to requirements and components."),
        Section("sequencing", "Sequencing", intent="The order the tasks are picked up in."),
    ]


def _checklist(file: PlannedFile, f: Facts) -> list[Section]:
    out = [Section("checklist", "Checklist", intent="Items to tick before calling the work done.")]
    groups = [
        ("goals", "Goals met", bool(f.brief.goals)),
        ("constraints", "Constraints respected", bool(f.brief.constraints)),
        ("components", "Components delivered", bool(f.brief.components)),
        ("data", "Data in place", bool(f.brief.entities)),
        ("screens", "Screens reviewed", bool(f.brief.screens)),
        ("documentation", "Documentation kept current", True),
    ]
    out += [Section(f"check_{gid}", heading, level=3, intent=heading) for gid, heading, present in groups if present]
    return out


def _architecture_diagram(file: PlannedFile, f: Facts) -> list[Section]:
    return [
        Section("diagram", "Diagram", intent="Mermaid flowchart of components and dependencies."),
        Section("reading", "Reading the diagram", intent="What the boxes and arrows mean."),
    ]


def _state_machine(file: PlannedFile, f: Facts) -> list[Section]:
    return [
        Section("diagram", "Diagram", intent="Mermaid state diagram of the lifecycle."),
        Section("states", "States", intent="What each state means and when it is entered."),
        Section("transitions", "Transitions", intent="Every allowed move between states."),
    ]


def _sequence(file: PlannedFile, f: Facts) -> list[Section]:
    return [
        Section("diagram", "Diagram", intent="Mermaid sequence diagram of the main workflow."),
        Section("steps", "Steps", intent="Each message of the diagram in words."),
        Section("participants", "Participants", intent="Who takes part in the sequence."),
    ]


def _generic(file: PlannedFile, f: Facts) -> list[Section]:
    return []


BUILDERS: dict[str, Builder] = {
    "overview": _overview,
    "section_index": _section_index,
    "foundations": _foundations,
    "terminology": _terminology,
    "schemas": _schemas,
    "requirements": _requirements,
    "system_context": _system_context,
    "components": _components,
    "data_model": _data_model,
    "runtime": _runtime,
    "user_workflows": _user_workflows,
    "screens": _screens,
    "interaction_rules": _interaction_rules,
    "folder_mapping": _folder_mapping,
    "task_references": _task_references,
    "checklist": _checklist,
    "architecture_diagram": _architecture_diagram,
    "state_machine": _state_machine,
    "sequence": _sequence,
    "generic": _generic,
}


def template_kind(file: PlannedFile) -> str:
    return file.kind if file.kind in BUILDERS else "generic"


def sections_for(file: PlannedFile, facts: Facts, feedback: list[str] | None = None) -> list[Section]:
    """The file's headings in order: the kind's sections, then any required heading it lacks."""
    sections = BUILDERS[template_kind(file)](file, facts)
    have = {s.heading.lower() for s in sections}
    for required in file.required_headings:
        if required.lower() not in have:
            sections.append(Section("generic", required, intent=f"{required} for {file.title}."))
            have.add(required.lower())
    # Reviewer feedback shapes nothing the template can honestly claim to have changed, and it
    # belongs in the version history and the UI, not in the bundle: no "Revision notes" section.
    return _unique(sections, {h.lower() for h in file.required_headings})


def _unique(sections: list[Section], required: set[str]) -> list[Section]:
    """Keep heading slugs unique so every planned anchor points at the section it names."""
    seen: set[str] = set()
    out: list[Section] = []
    for s in sections:
        heading = s.heading
        n = 2
        while github_slug(heading) in seen:
            heading = f"{s.heading} ({n})"
            n += 1
        seen.add(github_slug(heading))
        out.append(s if heading == s.heading else Section(s.id, heading, s.level, s.intent, s.item))
    return out


# The agent replaces these with the links of a draft of the file (see agent._from_draft).
def file_links(file: PlannedFile, blueprint: Blueprint, phase: Phase, filenames: dict[str, str]) -> list[str]:
    """Planned file names this file links to, in a stable order."""
    keys: list[str] = []
    kind = template_kind(file)
    if kind == "overview":
        keys += [idx.key for _, idx in blueprint.section_indexes()]
    if kind == "section_index":
        keys += [f.key for f in phase.files if f.key != file.key]
        keys += [idx.key for _, idx in blueprint.section_indexes() if idx.key != file.key]
    if kind == "task_references":
        keys += [f.key for f in blueprint.all_files() if f.kind in ("requirements", "components")]
    keys += list(file.depends.files)
    if file.depends.terms:
        keys += [f.key for f in blueprint.all_files() if f.kind == "terminology"]
    schema = blueprint.schema_file()
    if file.depends.schemas and schema is not None:
        keys.append(schema.key)
    ordered = list(dict.fromkeys(k for k in keys if k != file.key and k in filenames))
    return [filenames[k] for k in ordered]


def plan_file(
    file: PlannedFile, blueprint: Blueprint, phase: Phase, facts: Facts, filenames: dict[str, str], feedback: list[str]
) -> FilePlan:
    sections = sections_for(file, facts, feedback)
    uses_terms = file.depends.terms or template_kind(file) == "terminology"
    return FilePlan(
        key=file.key,
        filename=filenames.get(file.key, file.filename(facts.brief.slug)),
        title=file.title,
        intent=file.intent,
        outline=[OutlineSection(heading=s.heading, level=s.level, intent=s.intent) for s in sections],
        terms=facts.term_names if uses_terms else [],
        schemas=facts.entity_names if file.depends.schemas else [],
        links=file_links(file, blueprint, phase, filenames),
    )


def plan_phase(
    blueprint: Blueprint, phase: Phase, facts: Facts, filenames: dict[str, str], feedback: list[str]
) -> PhasePlan:
    return PhasePlan(
        phase=phase.number,
        files=[plan_file(f, blueprint, phase, facts, filenames, feedback) for f in phase.files],
    )
