"""The offline template agent writes a complete, linked, glossary-clean doc set from a brief."""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from docsgen_pipeline.agents.base import PlanRequest, WriteRequest
from docsgen_pipeline.agents.template import TemplateAgent
from docsgen_pipeline.blueprint import Blueprint, default_blueprint, parse_blueprint
from docsgen_pipeline.brief import Brief, load_brief
from docsgen_pipeline.markdown.slugs import github_slug, slugs_for
from docsgen_pipeline.planning import enforce_blueprint
from docsgen_pipeline_tests.agents.template.docset import BRIEFS, EXAMPLES, DocSet, build_docset, link_targets

_MD = MarkdownIt("commonmark").enable("table")
_PLACEHOLDER = re.compile(r"\b(TODO|TBD|FIXME|XXX)\b|lorem ipsum|\[insert|\{\{|\}\}|\{%|%\}", re.IGNORECASE)
_CODE_SPAN = re.compile(r"`[^`\n]*`")
# Code (fenced and inline) and link destinations (file names) are not prose.
_NOT_PROSE = re.compile(r"```.*?```|`[^`\n]*`|\]\([^)\n]*\)", re.DOTALL)


def headings(text: str) -> list[tuple[int, str]]:
    tokens = _MD.parse(text)
    return [(int(t.tag[1]), tokens[i + 1].content) for i, t in enumerate(tokens) if t.type == "heading_open"]


def links(text: str) -> list[str]:
    out: list[str] = []

    def walk(tokens: list[Token]) -> None:
        for tok in tokens:
            if tok.type == "link_open":
                out.append(str(tok.attrs["href"]))
            if tok.children:
                walk(tok.children)

    walk(_MD.parse(text))
    return out


def forbidden_hits(brief: Brief, text: str) -> list[str]:
    prose = _NOT_PROSE.sub("", text)
    hits = []
    for entry in brief.glossary:
        for variant in entry.forbidden:
            if re.search(rf"(?<!\w){re.escape(variant)}(?!\w)", prose, re.IGNORECASE):
                hits.append(variant)
    return hits


@pytest.mark.parametrize("name", BRIEFS)
def test_every_file_has_one_h1_first_and_exactly_the_planned_outline(docsets: dict[str, DocSet], name: str) -> None:
    docs = docsets[name]
    assert len(docs.files) == 23
    for spec in docs.blueprint.all_files():
        text = docs.files[docs.filename(spec.key)]
        found = headings(text)
        assert found[0][0] == 1 and text.startswith("# "), spec.key
        assert [h for h in found if h[0] == 1] == [found[0]], spec.key
        plan = docs.plans[spec.key]
        assert found[1:] == [(s.level, s.heading) for s in plan.outline], spec.key
        for required in spec.required_headings:
            assert required in [h for _, h in found], (spec.key, required)


@pytest.mark.parametrize("name", BRIEFS)
def test_root_is_titled_with_the_project_name(docsets: dict[str, DocSet], name: str) -> None:
    docs = docsets[name]
    assert docs.files[docs.filename("root")].startswith(f"# {docs.brief.name}\n")
    assert docs.files[docs.filename("components")].startswith("# Components\n")


@pytest.mark.parametrize("name", BRIEFS)
def test_links_point_at_planned_files_and_existing_anchors(docsets: dict[str, DocSet], name: str) -> None:
    docs = docsets[name]
    names = docs.blueprint.filenames(docs.brief.slug)
    phase_of = {names[k]: n for k, n in docs.blueprint.phase_of.items()}
    total = fragments = 0
    for spec in docs.blueprint.all_files():
        source = docs.filename(spec.key)
        for href in links(docs.files[source]):
            target, _, fragment = href.partition("#")
            target = target or source  # "#order": a section of the same page
            assert target in phase_of, (source, href)
            assert target != source or href.startswith("#"), (source, href)
            total += 1
            if fragment and phase_of[target] <= phase_of[source]:  # later phases: anchors not planned yet
                fragments += 1
                body_slugs = slugs_for([h for _, h in headings(docs.files[target])])
                assert fragment in body_slugs, (source, href)
    assert total > 40 and fragments > 10


@pytest.mark.parametrize("name", BRIEFS)
def test_section_indexes_link_every_page_of_their_phase(docsets: dict[str, DocSet], name: str) -> None:
    docs = docsets[name]
    for phase, index in docs.blueprint.section_indexes():
        hrefs = links(docs.files[docs.filename(index.key)])
        for spec in phase.files:
            if spec.key != index.key:
                assert docs.filename(spec.key) in hrefs, (index.key, spec.key)


@pytest.mark.parametrize("name", BRIEFS)
def test_schema_dependants_link_each_entity_to_its_canonical_heading(docsets: dict[str, DocSet], name: str) -> None:
    docs = docsets[name]
    schema_file = docs.filename("canonical_schemas")
    schema_headings = [h for _, h in headings(docs.files[schema_file])]
    for entity in docs.brief.entities:
        assert entity.name in schema_headings
    for key in ("data_model", "state_machine"):
        text = docs.files[docs.filename(key)]
        for entity in docs.brief.entities:
            assert f"[{entity.name}]({schema_file}#{github_slug(entity.name)})" in text, (key, entity.name)
        assert docs.plans[key].schemas == [e.name for e in docs.brief.entities]


@pytest.mark.parametrize("name", BRIEFS)
def test_text_is_glossary_clean_and_free_of_placeholders(docsets: dict[str, DocSet], name: str) -> None:
    docs = docsets[name]
    for filename, text in docs.files.items():
        assert not forbidden_hits(docs.brief, text), filename
        assert not _PLACEHOLDER.search(text), filename
        assert "\n\n\n" not in text and text.endswith("\n") and not text.endswith("\n\n"), filename


@pytest.mark.parametrize("name", BRIEFS)
def test_brief_names_are_carried_into_the_documents(docsets: dict[str, DocSet], name: str) -> None:
    docs = docsets[name]
    components = docs.files[docs.filename("components")]
    for comp in docs.brief.components:
        assert f"### {comp.name}\n" in components
        assert comp.name in docs.files[docs.filename("architecture_diagram")]
    schemas = docs.files[docs.filename("canonical_schemas")]
    for entity in docs.brief.entities:
        for fld in entity.fields:
            assert f"| `{fld.name}` | {fld.type} |" in schemas
    terminology = docs.files[docs.filename("terminology")]
    for term in docs.brief.glossary:
        assert f"| {term.term} |" in terminology
    screens = docs.files[docs.filename("screens")]
    for screen in docs.brief.screens:
        assert f"### {screen.name}\n" in screens
    for goal in docs.brief.goals:
        assert goal in docs.files[docs.filename("root")]


@pytest.mark.parametrize("name", BRIEFS)
def test_diagrams_are_mermaid(docsets: dict[str, DocSet], name: str) -> None:
    docs = docsets[name]
    assert "```mermaid\nflowchart LR\n" in docs.files[docs.filename("architecture_diagram")]
    assert "```mermaid\nstateDiagram-v2\n" in docs.files[docs.filename("state_machine")]
    assert "```mermaid\nsequenceDiagram\n" in docs.files[docs.filename("end_to_end_sequence")]


def test_state_machine_follows_the_first_entity_with_states(docsets: dict[str, DocSet]) -> None:
    text = docsets["acme-orders.yaml"].files["acme-45-state-machine.md"]
    assert 'state "Draft" as s1' in text and "[*] --> s1" in text
    assert "s1 --> s6 : cancelled" in text  # Cancelled is reachable before the order completes
    field_notes = docsets["field-notes.md"].files["field-notes-45-state-machine.md"]
    assert "Record a sighting" in field_notes  # no entity has states: the main workflow drives it


def test_plans_conform_to_the_blueprint(briefs: dict[str, Brief]) -> None:
    blueprint = default_blueprint()
    agent = TemplateAgent()
    for brief in briefs.values():
        names = blueprint.filenames(brief.slug)
        for phase in blueprint.phases:
            reply = agent.plan_phase(PlanRequest(brief=brief, blueprint=blueprint, phase=phase, filenames=names))
            assert reply.usage.model == "template" and reply.usage.calls == 1 and reply.usage.tokens_in == 0
            pinned = enforce_blueprint(reply.plan, blueprint, phase, brief.slug)
            assert pinned == reply.plan  # nothing to add, drop or rename
            for plan in reply.plan.files:
                assert set(plan.links) <= set(names.values())
    assert agent.identity()["agent"] == "template" and agent.identity()["version"]


def test_output_is_deterministic_and_thread_safe(briefs: dict[str, Brief], docsets: dict[str, DocSet]) -> None:
    brief = briefs["acme-orders.yaml"]
    again = build_docset(brief)
    assert again.files == docsets["acme-orders.yaml"].files
    blueprint = again.blueprint
    agent = TemplateAgent()
    phase = blueprint.phases[2]
    requests = [
        WriteRequest(
            brief=brief,
            blueprint=blueprint,
            phase=phase,
            file=spec,
            plan=again.plans[spec.key],
            link_targets=again.targets[spec.key],
        )
        for spec in phase.files
    ] * 4
    with ThreadPoolExecutor(max_workers=8) as pool:
        texts = list(pool.map(lambda r: agent.write_file(r).markdown, requests))
    for request, text in zip(requests, texts, strict=True):
        assert text == again.files[again.filename(request.file.key)]


def test_feedback_is_never_pasted_into_the_document(briefs: dict[str, Brief], docsets: dict[str, DocSet]) -> None:
    brief = briefs["acme-orders.yaml"]
    notes = ["Explain the Order Store better.", "See [the spec](http://x.invalid/spec) on retries. TODO: check"]
    docs = build_docset(brief, feedback={"components": notes})
    after = docs.files["acme-14-components.md"]
    assert "Revision notes" not in after
    assert "x.invalid" not in after and "Explain the Order Store better" not in after
    assert "rewritten" not in after and "earlier notes" not in after


def test_plan_feedback_adds_no_revision_section(briefs: dict[str, Brief]) -> None:
    brief = briefs["field-notes.md"]
    blueprint = default_blueprint()
    phase = blueprint.phases[1]
    request = PlanRequest(
        brief=brief, blueprint=blueprint, phase=phase, filenames=blueprint.filenames(brief.slug),
        feedback=["Define the Survey lifecycle."],
    )
    plan = TemplateAgent().plan_phase(request).plan
    for file_plan in plan.files:
        assert all(entry.heading != "Revision notes" for entry in file_plan.outline)


def test_a_bare_brief_still_gives_grounded_sections_and_no_empty_tables(bare_docset: DocSet) -> None:
    docs = bare_docset
    for filename, text in docs.files.items():
        assert not _PLACEHOLDER.search(text), filename
        # Every heading has prose or a list under it before the next heading.
        blocks = re.split(r"^#{1,4} .*$", text, flags=re.MULTILINE)
        assert all(b.strip() for b in blocks[1:]), filename
        # No table without body rows.
        assert not re.search(r"^\| --- .*\|\n(?!\|)", text, re.MULTILINE), filename
    assert "Tiny Tool" in docs.files["tiny-tool-14-components.md"]


def test_brief_text_is_normalised_to_the_glossary_and_table_cells_are_escaped() -> None:
    brief = Brief.model_validate(
        {
            "name": "Parcel Hub",
            "summary": "Parcel Hub hands parcels to a Courier and tracks them.",
            "components": [{"name": "Label Printer", "responsibility": "prints courier labels | barcodes"}],
            "glossary": [{"term": "carrier", "definition": "the delivery company", "forbidden": ["courier"]}],
        }
    )
    docs = build_docset(brief)
    components = docs.files["parcel-hub-14-components.md"]
    assert "Prints carrier labels \\| barcodes." in components
    for filename, text in docs.files.items():
        assert not forbidden_hits(brief, text), filename
    for row in [line for line in components.splitlines() if line.startswith("| Label Printer")]:
        assert len(re.findall(r"(?<!\\)\|", row)) == 4


def test_unknown_kinds_use_the_generic_template() -> None:
    data = default_blueprint().model_dump(mode="json")
    data["phases"][4]["files"].append(
        {
            "key": "risks",
            "number": 43 - 5,
            "name": "risks",
            "title": "Risks",
            "intent": "List the risks to the goals and how the constraints limit them.",
            "kind": "risk_register",
            "required_headings": ["Goals at risk", "Constraints"],
            "depends": {"terms": True, "files": ["components"]},
        }
    )
    blueprint = parse_blueprint(Blueprint.model_validate(data).to_yaml(), "test")
    brief = load_brief(EXAMPLES / "acme-orders.yaml")
    docs = build_docset(brief, blueprint=blueprint)
    text = docs.files["acme-38-risks.md"]
    assert [h for _, h in headings(text)] == ["Risks", "Goals at risk", "Constraints"]
    assert "Hand paid orders to a carrier within five minutes." in text
    assert "Runs on one PostgreSQL database" in text
    assert "[Components](acme-14-components.md)" in text
    assert "(acme-02-terminology.md#glossary)" in text


def test_link_targets_without_anchors_get_plain_file_links(briefs: dict[str, Brief]) -> None:
    # Anchors unknown (later phase not yet planned): link the file, never guess a fragment.
    brief = briefs["acme-orders.yaml"]
    blueprint = default_blueprint()
    agent = TemplateAgent()
    names = blueprint.filenames(brief.slug)
    phase = blueprint.phases[2]
    plan = agent.plan_phase(PlanRequest(brief=brief, blueprint=blueprint, phase=phase, filenames=names)).plan
    spec = blueprint.files_by_key["data_model"]
    request = WriteRequest(
        brief=brief, blueprint=blueprint, phase=phase, file=spec, plan=plan.for_key("data_model"),
        link_targets=link_targets(blueprint, brief.slug, {}),
    )
    text = agent.write_file(request).markdown
    assert "[Order](acme-03-canonical-schemas.md)" in text and "#order" not in text


def test_writer_follows_a_foreign_outline(briefs: dict[str, Brief], make_docset: Callable[..., DocSet]) -> None:
    # A plan from another agent may order or name sections differently; the writer keeps it.
    docs = make_docset(briefs["field-notes.md"])
    blueprint = docs.blueprint
    spec = blueprint.files_by_key["foundations"]
    plan = docs.plans["foundations"]
    outline = [*list(reversed(plan.outline)), plan.outline[0].model_copy(update={"heading": "Open questions"})]
    request = WriteRequest(
        brief=docs.brief, blueprint=blueprint, phase=blueprint.phases[1], file=spec,
        plan=plan.model_copy(update={"outline": outline}), link_targets=docs.targets["foundations"],
    )
    text = TemplateAgent().write_file(request).markdown
    assert [h for _, h in headings(text)][1:] == [s.heading for s in outline]
    assert not _PLACEHOLDER.search(text)


def test_runtime_calls_come_from_the_workflow_steps(docsets: dict[str, DocSet]) -> None:
    docs = docsets["field-notes.md"]  # no depends_on in this brief: the steps say who calls whom
    components = docs.files[docs.filename("components")]
    assert "- Recorder App → Sync Service (“Synchronise a survey”)" in components
    diagram = docs.files[docs.filename("architecture_diagram")]
    assert '-.->|"Synchronise a survey"|' in diagram
    runtime = docs.files[docs.filename("runtime_behaviour")]
    assert "| 3 | coordinator | The coordinator reviews the Review Queue. |" in runtime
    sequence = docs.files[docs.filename("end_to_end_sequence")]
    assert "actor a_surveyor as Surveyor" in sequence and "a_surveyor->>c1:" in sequence


def test_requirements_trace_goals_to_the_components_they_concern(docsets: dict[str, DocSet]) -> None:
    text = docsets["acme-orders.yaml"].files["acme-04-requirements.md"]
    assert "| FR-2 | Stock Service |" in text  # "Reserve stock …" ~ "reserves and releases stock"
    assert "| FR-4 | Fulfilment Worker |" in text  # "Hand paid orders to a carrier" ~ "books carriers for paid orders"
    tasks = docsets["acme-orders.yaml"].files["acme-41-task-references.md"]
    assert "| T-1 | **Build Order Store**" in tasks  # dependency order: the store first


@pytest.mark.parametrize("name", BRIEFS)
def test_plan_lists_exactly_the_files_and_terms_the_writer_uses(docsets: dict[str, DocSet], name: str) -> None:
    docs = docsets[name]
    for key, plan in docs.plans.items():
        text = docs.files[plan.filename]
        linked = {href.partition("#")[0] for href in links(text)} - {""}
        assert set(plan.links) == linked, key
        prose = _CODE_SPAN.sub("", text).lower()
        for term in plan.terms:
            assert term.lower() in prose, (key, term)
    assert docs.plans["components"].terms == [t.term for t in docs.brief.glossary]


def test_brief_text_never_injects_markup_or_placeholders() -> None:
    brief = Brief.model_validate(
        {
            "name": "Note Pad",
            "summary": "Note Pad keeps TODO lists and renders {{ name }} fields.",
            "goals": ["# Ship it", "Decide the TBD items"],
            "notes": "Background: first paragraph.\n\n---\n\n# Not a heading",
            "components": [{"name": "Editor", "responsibility": "edits notes | FIXME marks"}],
        }
    )
    docs = build_docset(brief)
    for filename, text in docs.files.items():
        assert not _PLACEHOLDER.search(text), filename
        assert [h for h in headings(text) if h[0] == 1] == [headings(text)[0]], filename
        assert "\n---\n" not in text, filename
    root = docs.files["note-pad.md"]
    assert "Note Pad keeps to-do lists" in root and "\\# Ship it" in root
    assert [h for _, h in headings(root)][1:] == [s.heading for s in docs.plans["root"].outline]


def test_glossary_spelling_wins_over_brief_spelling_but_identifiers_stay() -> None:
    brief = Brief.model_validate(
        {
            "name": "Acme Orders",
            "summary": "acme orders keeps one record per sku and per Acme-Orders channel.",
            "entities": [{"name": "Item", "fields": [{"name": "sku", "description": "the sku of the item"}]}],
            "glossary": [
                {"term": "Acme Orders", "forbidden": ["Acme-Orders", "AcmeOrders"]},
                {"term": "SKU", "definition": "stock-keeping unit"},
            ],
        }
    )
    assert brief.slug == "acme-orders"  # the slug itself matches a forbidden variant: it must survive
    docs = build_docset(brief)
    root = docs.files["acme-orders.md"]
    assert root.startswith("# Acme Orders\n\nAcme Orders keeps one record per SKU and per Acme Orders channel.")
    schemas = docs.files["acme-orders-03-canonical-schemas.md"]
    assert "| `sku` | string | yes | The SKU of the item. |" in schemas
    assert "├── acme-orders.md\n" in docs.files["acme-orders-40-folder-mapping.md"]
    for filename, text in docs.files.items():
        assert not forbidden_hits(brief, text), filename


def _run_on_paragraphs(text: str) -> list[str]:
    """Prose lines that directly follow another prose line: two paragraphs glued together."""
    glued, fenced, previous = [], False, False
    for line in text.split("\n"):
        if line.startswith("```"):
            fenced, previous = not fenced, False
            continue
        prose = not fenced and bool(line.strip()) and not re.match(r"^(\||-|\d+\.|#|>)", line)
        if prose and previous:
            glued.append(line)
        previous = prose
    return glued


@pytest.mark.parametrize("name", BRIEFS)
def test_paragraphs_are_separated_by_blank_lines(briefs: dict[str, Brief], bare_docset: DocSet, name: str) -> None:
    docs = build_docset(briefs[name], feedback={"components": ["one", "two", "Order Store please"]})
    for brief_docs in (docs, bare_docset):
        for filename, text in brief_docs.files.items():
            assert _run_on_paragraphs(text) == [], filename


def test_reviewer_notes_are_quoted_safely(briefs: dict[str, Brief]) -> None:
    note = "# Use courier throughout {{ fix }}"
    docs = build_docset(briefs["acme-orders.yaml"], feedback={"screens": [note]})
    text = docs.files["acme-28-screens.md"]
    assert "Use courier throughout" not in text and "Use carrier throughout" not in text
    assert [h for h in headings(text) if h[0] == 1] == [(1, "Screens")]
    assert not forbidden_hits(docs.brief, text) and not _PLACEHOLDER.search(text)


def test_numbers_in_goals_and_constraints_become_measurable_targets(docsets: dict[str, DocSet]) -> None:
    field_notes = docsets["field-notes.md"].files["field-notes-04-requirements.md"]
    assert "| FR-1 | under ten seconds |" in field_notes
    assert "| C-1 | at least three days | A soak test that runs for three days" in field_notes
    assert "| FR-4 | within five minutes |" in docsets["acme-orders.yaml"].files["acme-04-requirements.md"]
