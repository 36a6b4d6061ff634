"""The plan-conformance rule: planned files exist and carry their required headings."""

from __future__ import annotations

from collections.abc import Mapping

from docsgen_pipeline.markdown.document import Document
from docsgen_pipeline.validators.findings import Finding, issue


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def check_required_headings(file: str, doc: Document, required: tuple[str, ...]) -> list[Finding]:
    present = {_norm(h.text) for h in doc.headings if h.level >= 2}
    return [
        issue(file, 0, "plan-conformance", f"required heading '{heading}' is missing", f"add a '## {heading}' section")
        for heading in required
        if _norm(heading) not in present
    ]


def check_planned_files(required_headings: Mapping[str, tuple[str, ...]], corpus: Mapping[str, str]) -> list[Finding]:
    return [
        issue(file, 0, "plan-conformance", "planned file missing", "generate the file or remove it from the plan")
        for file in required_headings
        if file not in corpus
    ]
