"""Helpers for building and ordering findings."""

from __future__ import annotations

from collections.abc import Iterable

from docsgen_pipeline.markdown.document import Document
from docsgen_pipeline.validators.model import Issue
from docsgen_pipeline.validators.rules import RULES


def issue(file: str, line: int, rule: str, message: str, suggestion: str = "") -> Issue:
    return Issue(file=file, line=line, rule=rule, severity=RULES[rule].severity, message=message, suggestion=suggestion)


def sort_issues(issues: Iterable[Issue]) -> list[Issue]:
    return sorted(issues, key=lambda i: (i.file, i.line, i.rule, i.message))


def unsuppressed(issues: Iterable[Issue], doc: Document) -> list[Issue]:
    """Drop findings silenced by ``<!-- docsgen-disable-line|next-line|file [rules] -->``."""
    if not doc.suppressed:
        return list(issues)
    return [i for i in issues if not doc.is_suppressed(i.line, i.rule)]
