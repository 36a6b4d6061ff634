"""Gate results and the reports they produce (pure).

A gate result is the list of issues plus, per named check, whether it passed.  It renders as the
human-readable ``NN-phaseN-validation.md``, an issues report on failure, and a structured JSON
issue list for tools.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from docsgen_pipeline.store import VersionRecord
from docsgen_pipeline.templates import render
from docsgen_pipeline.validators.model import Issue, Severity


@dataclass(frozen=True)
class CheckOutcome:
    name: str
    rules: tuple[str, ...]
    issues: tuple[Issue, ...]
    ran: bool = True

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.severity == Severity.ERROR)

    @property
    def passed(self) -> bool:
        return self.ran and not self.errors

    @property
    def result(self) -> str:
        if not self.ran:
            return "not run"
        return "pass" if self.passed else "FAIL"


def outcomes(issues: list[Issue], checks: Mapping[str, tuple[str, ...]]) -> list[CheckOutcome]:
    return [
        CheckOutcome(name=name, rules=rules, issues=tuple(i for i in issues if i.rule in rules))
        for name, rules in checks.items()
    ]


@dataclass(frozen=True)
class GateResult:
    title: str
    scope: str
    checks: tuple[CheckOutcome, ...]
    files: tuple[VersionRecord, ...]
    plan_source: str = ""  # "blueprint" when the model gave no usable plan and the blueprint's outline was used
    repairs: tuple[dict[str, Any], ...] = ()  # rows of the "Repairs" section: what automatic repair tried

    def with_repairs(self, rows: list[dict[str, Any]]) -> GateResult:
        return replace(self, repairs=tuple(rows))

    @property
    def issues(self) -> list[Issue]:
        seen: dict[tuple[str, int, str, str], Issue] = {}
        for check in self.checks:
            for issue in check.issues:
                seen.setdefault((issue.file, issue.line, issue.rule, issue.message), issue)
        return sorted(seen.values(), key=Issue.sort_key)

    @property
    def passed(self) -> bool:
        return all(c.passed or not c.ran for c in self.checks) and any(c.ran for c in self.checks)

    def render(self, run_id: str) -> str:
        issues = self.issues
        return render(
            "validation_report.md.j2",
            title=self.title,
            run_id=run_id,
            scope=self.scope,
            passed=self.passed,
            plan_source=self.plan_source,
            errors=sum(1 for i in issues if i.severity == Severity.ERROR),
            warnings=sum(1 for i in issues if i.severity == Severity.WARNING),
            checks=[{"name": c.name, "result": c.result, "count": len(c.issues)} for c in self.checks],
            files=[{"name": f.name, "version": f.version, "sha256": f.sha256} for f in self.files],
            issues=[i.model_dump(mode="json") for i in issues],
            repairs=list(self.repairs),
        )

    def issues_json(self) -> str:
        return json.dumps([i.model_dump(mode="json") for i in self.issues], indent=2) + "\n"
