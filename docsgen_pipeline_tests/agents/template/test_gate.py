"""A whole doc set written by the template agent passes the validators with zero errors."""

from __future__ import annotations

import pytest

from docsgen_pipeline.blueprint import Blueprint, default_blueprint
from docsgen_pipeline.brief import Brief
from docsgen_pipeline.validators.api import check_file, run_gate
from docsgen_pipeline.validators.model import GlossaryEntry, Severity, ValidationContext
from docsgen_pipeline_tests.agents.template.docset import BRIEFS, DocSet, build_docset


def context(docs: DocSet) -> ValidationContext:
    names = docs.blueprint.filenames(docs.brief.slug)
    schema = docs.blueprint.schema_file()
    entities = tuple(e.name for e in docs.brief.entities)
    return ValidationContext(
        glossary=tuple(GlossaryEntry(term=t.term, forbidden=tuple(t.forbidden)) for t in docs.brief.glossary),
        schema_names=frozenset(entities),
        schema_file=names[schema.key] if schema else None,
        required_headings={names[f.key]: f.required_headings for f in docs.blueprint.all_files()},
        required_schema_refs={names[f.key]: entities for f in docs.blueprint.all_files() if f.depends.schemas},
        nav_targets=None,
        planned_files=frozenset(names.values()),
    )


@pytest.mark.parametrize("name", BRIEFS)
def test_generated_doc_set_passes_the_file_checks_and_the_gate(docsets: dict[str, DocSet], name: str) -> None:
    docs = docsets[name]
    ctx = context(docs)
    issues = [i for f, text in docs.files.items() for i in check_file(f, text, ctx)]
    issues += run_gate(docs.files, docs.files, ctx)
    assert [i for i in issues if i.severity == Severity.ERROR] == []
    assert [i for i in issues if i.severity == Severity.WARNING] == []


def test_dependencies_a_kind_does_not_expect_are_still_linked(briefs: dict[str, Brief]) -> None:
    # A custom blueprint may ask any kind to cite schemas, terms or files; the gate must still pass.
    data = default_blueprint().model_dump(mode="json")
    for phase in data["phases"]:
        for spec in phase["files"]:
            if spec["key"] in ("components", "screens", "implementation_checklist"):
                spec["depends"] = {"terms": True, "schemas": True, "files": ["foundations"]}
    blueprint = Blueprint.model_validate(data)
    for brief in briefs.values():
        docs = build_docset(brief, blueprint=blueprint)
        ctx = context(docs)
        issues = [i for f, text in docs.files.items() for i in check_file(f, text, ctx)]
        issues += run_gate(docs.files, docs.files, ctx)
        assert issues == []
        checklist = docs.files[docs.filename("implementation_checklist")]
        assert f"]({docs.filename('foundations')})" in checklist


def test_a_bare_brief_passes_the_gate(bare_docset: DocSet) -> None:
    docs = bare_docset
    ctx = context(docs)
    issues = [i for f, text in docs.files.items() for i in check_file(f, text, ctx)]
    assert issues + run_gate(docs.files, docs.files, ctx) == []
