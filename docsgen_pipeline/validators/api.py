"""Entry points the pipeline and ``docsgen validate`` call.

Check names are statements that should hold, so a red check in the Dagster UI reads as the broken
promise; each maps to the rule ids whose findings decide it.  The rules themselves live in
``file_rules``, ``links``, ``terminology``, ``schema_refs`` and ``plan``; every document is parsed
once (:func:`~docsgen_pipeline.markdown.document.parse_cached`) and shared by all of them.
"""

from __future__ import annotations

from collections.abc import Mapping

from docsgen_pipeline.markdown.document import MARKDOWN_SUFFIXES, Document, parse_cached
from docsgen_pipeline.markdown.flavors import get_flavor
from docsgen_pipeline.validators.file_rules import (
    check_nav_block,
    check_non_empty,
    check_placeholders,
    check_single_h1_first,
)
from docsgen_pipeline.validators.findings import Finding, sort_findings, unsuppressed
from docsgen_pipeline.validators.links import check_links
from docsgen_pipeline.validators.model import Issue, Severity, ValidationContext
from docsgen_pipeline.validators.plan import check_planned_files, check_required_headings
from docsgen_pipeline.validators.reply import check_model_reply
from docsgen_pipeline.validators.schema_refs import check_schema_refs
from docsgen_pipeline.validators.terminology import check_terminology

# Cheap checks run on each file as soon as it is written (blocking asset checks on file assets).
FILE_CHECKS: dict[str, tuple[str, ...]] = {
    "file_is_not_empty": ("non-empty",),
    "h1_comes_first": ("single-h1-first",),
    "has_no_placeholders": ("no-placeholders",),
    "nav_block_present": ("nav-block",),
    "reads_as_documentation": ("model-reply",),
}

# The phase gate (blocking asset checks on the phase's validation-report asset).
GATE_CHECKS: dict[str, tuple[str, ...]] = {
    "links_resolve": ("broken-link",),
    "fragments_resolve": ("broken-fragment",),
    "terminology_matches_glossary": ("terminology",),
    "schema_references_exist": ("schema-reference",),
    "plan_conformance": ("plan-conformance",),
}


# The promise each check stands for, as a reader of a red or yellow check needs it.
CHECK_PROMISES: dict[str, str] = {
    "file_is_not_empty": "The file has content: not blank, not only whitespace.",
    "h1_comes_first": "The file's first content is its one and only H1 title.",
    "has_no_placeholders": "No TODO/TBD/FIXME, lorem ipsum, [insert …] or template tags are left in the text.",
    "nav_block_present": "After the last --- the file links the root and every section index (the navigation block).",
    "reads_as_documentation": "Every section holds documentation, not an empty, HTML or refusing model reply.",
    "links_resolve": "Every relative link points to a file that exists or is planned for a later phase.",
    "fragments_resolve": "Every #fragment in a link names a heading or explicit anchor of its target file.",
    "terminology_matches_glossary": "Glossary terms are spelled as the brief's glossary says, not as a variant.",
    "schema_references_exist": "Files that depend on the schemas link each entity's schema in the schema file.",
    "plan_conformance": "Every planned file exists and has the headings its blueprint entry requires.",
}


def _as_issues(findings: list[Finding], ctx: ValidationContext) -> list[Issue]:
    levels = ctx.severity
    return [
        Issue(
            file=f.file,
            line=f.line,
            rule=f.rule,
            severity=Severity(levels.get(f.rule, f.severity)),
            message=f.message,
            suggestion=f.suggestion,
        )
        for f in sort_findings(findings)
    ]


def file_issues(filename: str, doc: Document, ctx: ValidationContext) -> list[Finding]:
    """The per-file rules on an already parsed document (unsorted, unsuppressed)."""
    if doc.blank:
        return check_non_empty(filename, doc)
    found = check_single_h1_first(filename, doc) + check_placeholders(filename, doc)
    if ctx.nav_targets is not None:
        found += check_nav_block(filename, doc, ctx.nav_targets)
    return found


def check_file(filename: str, text: str, ctx: ValidationContext) -> list[Issue]:
    """Run the per-file rules on one document."""
    doc = parse_cached(text, get_flavor(ctx.flavor))
    found = file_issues(filename, doc, ctx)
    if ctx.check_model_reply:
        found += check_model_reply(filename, text, doc)
    return _as_issues(unsuppressed(found, doc), ctx)


def gate_issues(
    filename: str, doc: Document, corpus: Mapping[str, str], ctx: ValidationContext, known: frozenset[str]
) -> list[Finding]:
    """The gate rules for one target file (unsorted, unsuppressed)."""

    flavor = get_flavor(ctx.flavor)

    def document_of(name: str) -> Document | None:
        if name in corpus and name.endswith(MARKDOWN_SUFFIXES):
            return parse_cached(corpus[name], flavor)
        return None

    found = check_links(filename, doc, known, document_of, flavor=flavor)
    found += check_terminology(filename, doc, ctx.glossary)
    refs = ctx.required_schema_refs.get(filename, ())
    found += check_schema_refs(filename, doc, refs, ctx.schema_file, flavor.slug)
    if filename in ctx.required_headings:
        found += check_required_headings(filename, doc, ctx.required_headings[filename])
    return found


def known_paths(corpus: Mapping[str, str], ctx: ValidationContext) -> frozenset[str]:
    return frozenset(corpus) | ctx.planned_files | ctx.other_files


def run_gate(targets: Mapping[str, str], corpus: Mapping[str, str], ctx: ValidationContext) -> list[Issue]:
    """Run the gate rules on ``targets`` (file -> text); links resolve against ``corpus``
    (every existing file, a superset of targets) plus ``ctx.planned_files``."""
    merged: Mapping[str, str] = corpus if all(t in corpus for t in targets) else {**corpus, **targets}
    known = known_paths(merged, ctx)
    found: list[Finding] = []
    for filename, text in targets.items():
        doc = parse_cached(text, get_flavor(ctx.flavor))
        found += unsuppressed(gate_issues(filename, doc, merged, ctx, known), doc)
    found += check_planned_files(ctx.required_headings, merged)
    return _as_issues(found, ctx)
