"""Rendering findings: text for people, JSON for scripts, SARIF and GitHub annotations for CI."""

from __future__ import annotations

import json
from collections.abc import Callable
from itertools import groupby

from docsgen_pipeline import __version__
from docsgen_pipeline.validators.engine import Report
from docsgen_pipeline.validators.rules import RULES

FORMATS = ("text", "json", "sarif", "github")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary(report: Report) -> str:
    counts = {level: sum(1 for f in report.findings if f.severity == level) for level in ("error", "warning", "info")}
    files_with = len({f.file for f in report.findings})
    parts = [_plural(counts["error"], "error"), _plural(counts["warning"], "warning")]
    if counts["info"]:
        parts.append(_plural(counts["info"], "note"))
    return (
        f"{', '.join(parts)} in {_plural(files_with, 'file')} "
        f"({_plural(report.files, 'file')} checked, {report.parsed} parsed, {report.files - report.parsed} cached)"
    )


def as_text(report: Report) -> str:
    lines: list[str] = []
    for file, group in groupby(report.findings, key=lambda f: f.file):
        lines.append(file)
        for f in group:
            hint = f" ({f.suggestion})" if f.suggestion else ""
            lines.append(f"  {f.line}: {f.severity} [{f.rule}] {f.message}{hint}")
        lines.append("")
    lines.append(summary(report))
    return "\n".join(lines)


def as_json(report: Report) -> str:
    return json.dumps(
        [
            {
                "file": f.file,
                "line": f.line,
                "column": f.column,
                "rule": f.rule,
                "severity": f.severity,
                "message": f.message,
                "suggestion": f.suggestion,
                **({"target": f.target} if f.target or f.rule.startswith("broken-") else {}),
            }
            for f in report.findings
        ],
        indent=2,
        ensure_ascii=False,
    )


_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def as_sarif(report: Report) -> str:
    rules = sorted({f.rule for f in report.findings})
    results = []
    for f in report.findings:
        location: dict[str, object] = {"artifactLocation": {"uri": f.file}}
        if f.line > 0:
            location["region"] = {"startLine": f.line, **({"startColumn": f.column} if f.column else {})}
        results.append(
            {
                "ruleId": f.rule,
                "ruleIndex": rules.index(f.rule),
                "level": _SARIF_LEVEL[f.severity],
                "message": {"text": f"{f.message}. {f.suggestion}".rstrip(". ") if f.suggestion else f.message},
                "locations": [{"physicalLocation": location}],
            }
        )
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "docsgen-validate",
                        "version": __version__,
                        "rules": [{"id": r, "shortDescription": {"text": RULES[r].summary}} for r in rules],
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def as_github(report: Report) -> str:
    """GitHub Actions workflow commands: each finding becomes an annotation on the file/line."""
    command = {"error": "error", "warning": "warning", "info": "notice"}
    lines = []
    for f in report.findings:
        where = f"file={_escape_property(f.file)}" + (f",line={f.line}" if f.line else "")
        where += f",col={f.column}" if f.line and f.column else ""
        text = f"{f.message}" + (f" ({f.suggestion})" if f.suggestion else "")
        lines.append(f"::{command[f.severity]} {where},title={_escape_property(f.rule)}::{_escape_data(text)}")
    lines.append(summary(report))
    return "\n".join(lines)


RENDERERS: dict[str, Callable[[Report], str]] = {
    "text": as_text,
    "json": as_json,
    "sarif": as_sarif,
    "github": as_github,
}
