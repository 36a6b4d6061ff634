from __future__ import annotations

import json

from docsgen_pipeline.validators.engine import Report
from docsgen_pipeline.validators.findings import Finding
from docsgen_pipeline.validators.output import as_github, as_json, as_sarif, as_text

REPORT = Report(
    findings=[
        Finding("docs/a.md", 3, "broken-link", "error", "link target 'x.md' does not exist", "fix the path"),
        Finding("docs/a.md", 9, "terminology", "warning", "'uploader' is a forbidden variant", "write 'Sync'"),
        Finding("docs/b.md", 0, "nav-block", "info", "no nav block, 100%", ""),
    ],
    files=4,
    parsed=1,
)


def test_text_groups_by_file_and_ends_with_summary() -> None:
    lines = as_text(REPORT).splitlines()
    assert lines[0] == "docs/a.md"
    assert lines[1] == "  3: error [broken-link] link target 'x.md' does not exist (fix the path)"
    assert lines[4] == "docs/b.md"
    assert lines[-1] == "1 error, 1 warning, 1 note in 2 files (4 files checked, 1 parsed, 3 cached)"


def test_json_is_a_list_of_findings() -> None:
    data = json.loads(as_json(REPORT))
    assert data[0] == {
        "file": "docs/a.md",
        "line": 3,
        "column": 0,
        "rule": "broken-link",
        "severity": "error",
        "message": "link target 'x.md' does not exist",
        "suggestion": "fix the path",
        "target": "",
    }
    assert [d["severity"] for d in data] == ["error", "warning", "info"]


def test_sarif_has_rules_levels_and_regions() -> None:
    log = json.loads(as_sarif(REPORT))
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["broken-link", "nav-block", "terminology"]
    first, _, whole_file = run["results"]
    assert first["level"] == "error" and first["ruleId"] == "broken-link"
    assert first["locations"][0]["physicalLocation"]["region"] == {"startLine": 3}
    assert whole_file["level"] == "note" and "region" not in whole_file["locations"][0]["physicalLocation"]


def test_github_annotations_escape_data() -> None:
    lines = as_github(REPORT).splitlines()
    assert lines[0] == (
        "::error file=docs/a.md,line=3,title=broken-link::link target 'x.md' does not exist (fix the path)"
    )
    assert lines[2] == "::notice file=docs/b.md,title=nav-block::no nav block, 100%25"
