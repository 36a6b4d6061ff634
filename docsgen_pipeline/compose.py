"""The deterministic parts the orchestrator owns around every agent reply (pure).

File names, the navigation block, link targets with their anchors, and the validation context are
computed here from the blueprint, brief and store, never by the model.
"""

from __future__ import annotations

from docsgen_pipeline.agents.base import LinkTarget
from docsgen_pipeline.blueprint import Blueprint
from docsgen_pipeline.brief import Brief
from docsgen_pipeline.docs_run import DocsRun
from docsgen_pipeline.markdown.flavors import get_flavor
from docsgen_pipeline.planning import PhasePlan
from docsgen_pipeline.templates import render
from docsgen_pipeline.validators.model import GlossaryEntry, ValidationContext


def nav_targets(blueprint: Blueprint, slug: str) -> tuple[str, ...]:
    names = blueprint.filenames(slug)
    return (names[blueprint.root.key], *(names[f.key] for _, f in blueprint.section_indexes()))


def nav_block(blueprint: Blueprint, brief: Brief) -> str:
    names = blueprint.filenames(brief.slug)
    sections = [
        {"title": phase.title, "filename": names[index.key], "description": phase.description or index.intent}
        for phase, index in blueprint.section_indexes()
    ]
    return render("nav_block.md.j2", project=brief.name, root=names[blueprint.root.key], sections=sections)


def finalize(body: str, nav: str) -> str:
    """Agent body + orchestrator nav block, with normalised line endings and one final newline."""
    text = body.replace("\r\n", "\n").rstrip() + "\n\n" + nav.strip() + "\n"
    return "\n".join(line.rstrip() for line in text.split("\n"))


def _headings(markdown: str, flavor: str) -> list[str]:
    from docsgen_pipeline.markdown.document import parse_document

    return [h.text for h in parse_document(markdown, get_flavor(flavor)).headings]


def link_targets(run: DocsRun, current: PhasePlan | None) -> list[LinkTarget]:
    """Every planned file with the anchors a writer may link to.

    Generated files offer the slugs of their real headings; files of the phase being written
    offer the slugs of their planned outline; later phases' files offer no anchors yet.
    """
    targets = []
    flavor = get_flavor(run.blueprint.flavor)
    planned_outline = {p.key: p for p in current.files} if current else {}
    for phase in run.blueprint.phases:
        for planned in phase.files:
            filename = run.filenames[planned.key]
            record = run.latest_file(planned.key) if (current is None or phase.number < current.phase) else None
            if record is not None:
                # Headings recorded when the version was written spare re-parsing every earlier file
                # (keeps regenerating one file cheap in a large doc set).
                stored = record.meta.get("headings")
                headings = (
                    [str(h) for h in stored]
                    if isinstance(stored, list)
                    else _headings(run.file_text(planned.key) or "", run.blueprint.flavor)
                )
            elif planned.key in planned_outline:
                file_plan = planned_outline[planned.key]
                headings = [file_plan.title if planned.key != run.blueprint.root.key else run.brief.name]
                headings += [s.heading for s in file_plan.outline]
            else:
                headings = []
            targets.append(
                LinkTarget(
                    key=planned.key,
                    filename=filename,
                    title=planned.title if planned.key != run.blueprint.root.key else run.brief.name,
                    phase=phase.number,
                    anchors=tuple(flavor.heading_ids([(h, None) for h in headings], set())),
                    headings=tuple(headings),
                )
            )
    return targets


def validation_context(run: DocsRun, phase: int | None) -> ValidationContext:
    """Context for the gate of ``phase`` (or for the final cross-validation when None)."""
    blueprint, brief, names = run.blueprint, run.brief, run.filenames
    phases = blueprint.phases if phase is None else (blueprint.phases[phase],)
    schema = blueprint.schema_file()
    schema_filename = names[schema.key] if schema else None
    entity_names = tuple(entity.name for entity in brief.entities)
    required_headings = {names[f.key]: f.required_headings for p in phases for f in p.files}
    required_refs = {
        names[f.key]: entity_names
        for p in phases
        for f in p.files
        if f.depends.schemas and schema is not None and f.key != schema.key and entity_names
    }
    later = {names[f.key] for p in blueprint.phases if phase is not None and p.number > phase for f in p.files}
    return ValidationContext(
        glossary=tuple(GlossaryEntry(term=t.term, forbidden=tuple(t.forbidden)) for t in brief.glossary),
        schema_names=frozenset(entity_names),
        schema_file=schema_filename,
        required_headings=required_headings,
        required_schema_refs=required_refs,
        nav_targets=nav_targets(blueprint, brief.slug),
        planned_files=frozenset(later),
        check_model_reply=True,
        flavor=blueprint.flavor,
        severity=dict(blueprint.severity),
    )
