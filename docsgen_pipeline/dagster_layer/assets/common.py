"""Metadata helpers shared by the asset factories."""

from collections.abc import Mapping
from typing import Any

import dagster as dg

from docsgen_pipeline.agents.base import Usage
from docsgen_pipeline.reports import CheckOutcome
from docsgen_pipeline.validators.api import CHECK_PROMISES
from docsgen_pipeline.validators.model import Issue, Severity
from docsgen_pipeline.validators.rules import RULES

CODE_VERSION = "1"

# Rows of a findings table: enough to act on at once; the phase report holds every finding.
FINDINGS_SHOWN = 50
FINDINGS_SCHEMA = dg.TableSchema(
    columns=[
        dg.TableColumn("file", "string", description="the generated file the finding is in"),
        dg.TableColumn("line", "int", description="1-based line; 0 = the whole file"),
        dg.TableColumn("rule", "string", description="rule id (docsgen validate --help lists them)"),
        dg.TableColumn("severity", "string", description="error blocks the next step; warning does not"),
        dg.TableColumn("message", "string", description="what is wrong and what to do"),
    ]
)


def usage_metadata(usage: Usage) -> dict[str, Any]:
    return {
        "model": usage.model,
        "calls": usage.calls,
        "tokens_in": usage.tokens_in,
        "tokens_out": usage.tokens_out,
        "agent_duration_s": round(usage.duration_s, 3),
        "retries": usage.retries,
        "cost_usd": round(usage.cost_usd, 6),
        "cached": usage.cached,
    }


def check_description(name: str, rules: tuple[str, ...], levels: Mapping[str, str], scope: str = "") -> str:
    """The promise a check stands for, the rules deciding it at their level in this blueprint, and what
    a failure does."""
    promise = CHECK_PROMISES.get(name.removeprefix("all_"), "")
    rule_text = ", ".join(f"{rule} ({levels.get(rule, RULES[rule].severity)})" for rule in rules if rule in RULES)
    lines = [f"{scope}{promise}" if scope else promise, f"Rules: {rule_text or ', '.join(rules)}."]
    lines.append("An error fails the check and blocks the next step; a warning shows as WARN and blocks nothing.")
    return "\n\n".join(line for line in lines if line)


def findings_table(issues: tuple[Issue, ...] | list[Issue], limit: int = FINDINGS_SHOWN) -> dg.TableMetadataValue:
    """The first ``limit`` findings as a table (file, line, rule, severity, message)."""
    return dg.MetadataValue.table(
        records=[
            dg.TableRecord(
                {
                    "file": issue.file,
                    "line": issue.line,
                    "rule": issue.rule,
                    "severity": str(issue.severity),
                    "message": issue.message + (f" ({issue.suggestion})" if issue.suggestion else ""),
                }
            )
            for issue in list(issues)[:limit]
        ],
        schema=FINDINGS_SCHEMA,
    )


def _summary(check: CheckOutcome, left_out: int, report: str) -> str:
    if not check.issues:
        return "No findings."
    errors = len(check.errors)
    warnings = sum(1 for i in check.issues if i.severity == Severity.WARNING)
    others = len(check.issues) - errors - warnings
    counts = [f"{errors} error(s)"] if errors else []
    counts += [f"{warnings} warning(s)"] if warnings else []
    counts += [f"{others} note(s)"] if others else []
    files = len({i.file for i in check.issues})
    text = f"{', '.join(counts)} in {files} file(s)."
    if left_out:
        where = f" in {report}" if report else " in the phase report"
        text += f" The table shows the first {FINDINGS_SHOWN}; {left_out} more are listed{where}."
    return text


def check_result(
    asset_key: dg.AssetKey, check: CheckOutcome, name: str | None = None, report: str = ""
) -> dg.AssetCheckResult:
    """A check's result: ERROR when an error-level finding breaks its promise (blocking), WARN when only
    warnings do, passed otherwise; the findings as a table."""
    warned = any(i.severity == Severity.WARNING for i in check.issues)
    severity = dg.AssetCheckSeverity.WARN if check.passed and warned else dg.AssetCheckSeverity.ERROR
    left_out = max(0, len(check.issues) - FINDINGS_SHOWN)
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=name or check.name,
        passed=check.passed and not warned,
        severity=severity,
        description=_summary(check, left_out, report),
        metadata={
            "findings": findings_table(check.issues),
            "count": len(check.issues),
            "errors": len(check.errors),
            "left_out": left_out,
        },
    )
