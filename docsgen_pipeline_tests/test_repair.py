"""Repair feedback: findings become instructions naming file, line, rule and the valid link targets."""

from __future__ import annotations

from docsgen_pipeline.agents.base import LinkTarget
from docsgen_pipeline.repair import errors_by_file, feedback_line, reply_excerpt, valid_targets
from docsgen_pipeline.validators.model import Issue, Severity


def test_a_broken_link_finding_lists_every_valid_target() -> None:
    targets = [
        LinkTarget(key="a", filename="acme.md", title="Acme", phase=0, anchors=("purpose",)),
        LinkTarget(key="b", filename="acme-15-data-model.md", title="Data", phase=2, anchors=("entities",)),
    ]
    allowed = valid_targets(targets, "acme-15-data-model.md")
    assert allowed == ["acme.md", "acme.md#purpose"]
    issue = Issue(file="acme-15-data-model.md", line=7, rule="broken-link", message="'old.md' does not exist")
    line = feedback_line(issue, allowed)
    assert line.startswith("acme-15-data-model.md, line 7, rule broken-link: 'old.md' does not exist")
    assert line.endswith("Valid link targets: acme.md, acme.md#purpose")


def test_only_errors_of_the_selected_files_are_repaired() -> None:
    issues = [
        Issue(file="a.md", line=1, rule="terminology", message="x"),
        Issue(file="a.md", line=2, rule="terminology", message="w", severity=Severity.WARNING),
        Issue(file="b.md", line=3, rule="broken-link", message="y"),
    ]
    assert {k: len(v) for k, v in errors_by_file(issues, ["a.md"]).items()} == {"a.md": 1}


def test_reply_excerpt_is_one_truncated_line() -> None:
    assert reply_excerpt("<html>\n<body>" + "x" * 400, limit=20) == "<html> <body>xxxxxxx …"
