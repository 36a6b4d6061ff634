"""Findings as the rules produce them, and their ordering and suppression.

Rules build plain :class:`Finding` dataclasses, not the pydantic :class:`~.model.Issue`: the
``docsgen validate`` warm path must not pay pydantic's import and schema build (~0.2 s, the whole
budget of an incremental run).  :mod:`.api` converts them to ``Issue`` for the pipeline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from docsgen_pipeline.markdown.document import Document
from docsgen_pipeline.validators.rules import RULES


@dataclass(frozen=True, slots=True)
class Finding:
    file: str
    line: int  # 1-based; 0 = the whole file
    rule: str
    severity: str  # "error" | "warning" | "info"
    message: str
    suggestion: str = ""
    column: int = 0  # 1-based; 0 = unknown or the whole line
    target: str = ""  # the link target exactly as written, for link findings

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.file, self.line, self.rule, self.message)


def issue(
    file: str, line: int, rule: str, message: str, suggestion: str = "", *, column: int = 0, target: str = ""
) -> Finding:
    """A finding of ``rule`` at its default severity."""
    return Finding(file, line, rule, RULES[rule].severity, message, suggestion, column, target)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=Finding.sort_key)


def unsuppressed(findings: Iterable[Finding], doc: Document) -> list[Finding]:
    """Drop findings silenced by ``<!-- docsgen-disable-line|next-line|file [rules] -->``."""
    if not doc.suppressed:
        return list(findings)
    return [f for f in findings if not doc.is_suppressed(f.line, f.rule)]
