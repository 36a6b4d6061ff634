"""Prose briefs written as people write them give a doc set that carries every part they name,
checks their forbidden variants, and draws only the dependencies they state."""

from __future__ import annotations

import re

import pytest

from docsgen_pipeline.brief import Brief, load_brief
from docsgen_pipeline.validators.api import check_file, run_gate
from docsgen_pipeline.validators.model import Severity
from docsgen_pipeline_tests.agents.template.docset import DocSet, build_docset
from docsgen_pipeline_tests.agents.template.test_gate import context
from docsgen_pipeline_tests.prose.named_parts import BRIEFS_DIR, FORBIDDEN, NAMED_PARTS, STATED_DEPENDENCIES

# part -> the page (blueprint file key) where each of its names must appear
PAGE_OF_PART = {
    "components": "components",
    "entities": "canonical_schemas",
    "screens": "screens",
    "workflows": "user_workflows",
    "glossary": "terminology",
}


@pytest.fixture(scope="module")
def prose_docsets() -> dict[str, DocSet]:
    return {name: build_docset(load_brief(BRIEFS_DIR / name)) for name in NAMED_PARTS}


def coverage(docs: DocSet, parts: dict[str, list[str]]) -> tuple[int, int, list[str]]:
    """(named parts found on their page, named parts, the missing ones)."""
    missing = []
    total = 0
    for part, names in parts.items():
        page = docs.files[docs.filename(PAGE_OF_PART[part])].lower()
        for name in names:
            total += 1
            if name.lower() not in page:
                missing.append(f"{part}: {name}")
    return total - len(missing), total, missing


@pytest.mark.parametrize("name", sorted(NAMED_PARTS))
def test_every_named_part_appears_in_its_page(prose_docsets: dict[str, DocSet], name: str) -> None:
    found, total, missing = coverage(prose_docsets[name], NAMED_PARTS[name])
    assert missing == [] and found == total


@pytest.mark.parametrize("name", sorted(NAMED_PARTS))
def test_the_doc_set_passes_the_gate(prose_docsets: dict[str, DocSet], name: str) -> None:
    docs = prose_docsets[name]
    ctx = context(docs)
    issues = [i for f, text in docs.files.items() for i in check_file(f, text, ctx)]
    issues += run_gate(docs.files, docs.files, ctx)
    assert [i for i in issues if i.severity == Severity.ERROR] == []


@pytest.mark.parametrize("name", sorted(NAMED_PARTS))
def test_injected_forbidden_variants_are_reported(prose_docsets: dict[str, DocSet], name: str) -> None:
    docs = prose_docsets[name]
    ctx = context(docs)
    page = docs.filename("components")
    for variants in FORBIDDEN[name].values():
        for variant in variants:
            text = docs.files[page] + f"\nThe {variant} is mentioned here.\n"
            corpus = {**docs.files, page: text}
            found = [i for i in run_gate({page: text}, corpus, ctx) if variant.lower() in i.message.lower()]
            assert found, f"{variant!r} not reported"


_ARCH_EDGE_RE = re.compile(r"^\s*(\w+) --> (\w+)\s*$", re.MULTILINE)
_NODE_RE = re.compile(r'^\s*(\w+)[\[(]+"(.+?)"', re.MULTILINE)
_SEQ_ARROW_RE = re.compile(r"^\s*(\w+)->>(\w+):", re.MULTILINE)
_SEQ_PARTY_RE = re.compile(r"^\s*(?:participant|actor) (\w+) as (.+)$", re.MULTILINE)


def _stated_pairs(brief: Brief) -> set[tuple[str, str]]:
    return {(c.name, d) for c in brief.components for d in c.depends_on}


def _sequence_component_arrows(docs: DocSet) -> set[tuple[str, str]]:
    text = docs.files[docs.filename("end_to_end_sequence")]
    names = {pid: label.strip() for pid, label in _SEQ_PARTY_RE.findall(text)}
    components = {c.name.lower(): c.name for c in docs.brief.components}
    arrows = set()
    for a, b in _SEQ_ARROW_RE.findall(text):
        la, lb = names[a].lower(), names[b].lower()
        if la in components and lb in components and la != lb:
            arrows.add((components[la], components[lb]))
    return arrows


def _architecture_edges(docs: DocSet) -> set[tuple[str, str]]:
    text = docs.files[docs.filename("architecture_diagram")]
    labels = {node: label for node, label in _NODE_RE.findall(text)}
    return {(labels[a], labels[b]) for a, b in _ARCH_EDGE_RE.findall(text)}


def test_acme_diagrams_contain_exactly_the_briefs_dependency_edges(docsets: dict[str, DocSet]) -> None:
    docs = docsets["acme-orders.yaml"]
    stated = _stated_pairs(docs.brief)
    assert _architecture_edges(docs) == stated
    arrows = _sequence_component_arrows(docs)
    assert arrows <= stated, arrows - stated
    assert ("Stock Service", "Payment Gateway") not in arrows


@pytest.mark.parametrize("name", sorted(NAMED_PARTS))
def test_prose_diagrams_draw_only_stated_dependencies(prose_docsets: dict[str, DocSet], name: str) -> None:
    docs = prose_docsets[name]
    assert _architecture_edges(docs) == STATED_DEPENDENCIES[name]
    stated = STATED_DEPENDENCIES[name] | {(a, b) for a, b, _ in _interactions(docs)}
    assert _sequence_component_arrows(docs) <= stated


def _interactions(docs: DocSet) -> list[tuple[str, str, str]]:
    from docsgen_pipeline.agents.template.facts import Facts

    return Facts(docs.brief).interactions


def test_acme_bundle_states_no_invented_guarantees_or_folders(docsets: dict[str, DocSet]) -> None:
    docs = docsets["acme-orders.yaml"]
    everything = "\n".join(docs.files.values())
    assert "Steps are retried" not in everything
    assert "src/order-api/" not in everything
    runtime = docs.files[docs.filename("runtime_behaviour")]
    assert "The brief does not say how a failed step is retried" in runtime


def test_the_overview_records_what_the_brief_leaves_out(
    prose_docsets: dict[str, DocSet], docsets: dict[str, DocSet]
) -> None:
    deck = prose_docsets["deck-log.md"]
    assert "The brief names no workflows, so the pages about them say so" in deck.files[deck.filename("root")]
    acme = docsets["acme-orders.yaml"]
    assert "The brief names no" not in acme.files[acme.filename("root")]
    thin = build_docset(Brief(name="Tiny Tool", summary="Tiny Tool renames photos."))
    assert (
        "The brief names no components, entities, glossary terms, screens or workflows"
        in thin.files[thin.filename("root")]
    )


def test_schema_conventions_claim_nothing_the_prose_fields_do_not_show(prose_docsets: dict[str, DocSet]) -> None:
    deck = prose_docsets["deck-log.md"]
    schemas = deck.files[deck.filename("canonical_schemas")]
    assert "snake_case" not in schemas and "Field names are written as the brief writes them" in schemas
    assert "| `not stated` | The brief names the field but does not say its type. |" in schemas
