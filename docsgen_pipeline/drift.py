"""Drift: re-validate finished bundles against today's rules and glossary (pure; writes nothing).

A bundle is validated when it is written.  Rules change (a validator is tightened, a new rule
lands) and a docs run's glossary may have been read differently since, so a bundle that passed
then may not pass now.  :func:`check_bundle` re-runs every cross-validation rule over the bundle's
own files (not the store's latest versions) and compares the findings with the ones recorded in
the bundle's ``reports/final-issues.json``.  Nothing is rewritten: the result is only reported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docsgen_pipeline.compose import validation_context
from docsgen_pipeline.docs_run import BUNDLES, FINAL_ISSUES, DocsRun
from docsgen_pipeline.errors import DocsGenError, StoreError
from docsgen_pipeline.store import ArtifactStore
from docsgen_pipeline.validators.api import check_file, run_gate
from docsgen_pipeline.validators.model import Issue, Severity

IssueKey = tuple[str, int, str, str]


def _key(issue: Issue) -> IssueKey:
    return (issue.file, issue.line, issue.rule, issue.message)


@dataclass(frozen=True)
class DriftResult:
    run_id: str
    bundle: Path
    bundle_version: int
    issues_then: tuple[Issue, ...]
    issues_now: tuple[Issue, ...]

    @property
    def new_issues(self) -> tuple[Issue, ...]:
        then = {_key(i) for i in self.issues_then}
        return tuple(i for i in self.issues_now if _key(i) not in then)

    @property
    def resolved_issues(self) -> tuple[Issue, ...]:
        now = {_key(i) for i in self.issues_now}
        return tuple(i for i in self.issues_then if _key(i) not in now)

    @property
    def new_errors(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.new_issues if i.severity == Severity.ERROR)

    @property
    def passes_now(self) -> bool:
        return not any(i.severity == Severity.ERROR for i in self.issues_now)

    @property
    def drifted(self) -> bool:
        """The bundle has findings today it did not have when it was written."""
        return bool(self.new_issues)

    def summary(self) -> str:
        if not self.drifted:
            return f"{self.run_id}: bundle v{self.bundle_version} still validates as it did"
        verdict = "now FAILS" if not self.passes_now else "still passes"
        first = self.new_issues[0]
        return (
            f"{self.run_id}: bundle v{self.bundle_version} drifted — {len(self.new_issues)} new finding(s) "
            f"({len(self.new_errors)} error(s)), {verdict}; first: {first.file}:{first.line} [{first.rule}] "
            f"{first.message} (bundle: {self.bundle})"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "bundle": str(self.bundle),
            "bundle_version": self.bundle_version,
            "drifted": self.drifted,
            "passes_now": self.passes_now,
            "new_issues": [i.model_dump(mode="json") for i in self.new_issues],
            "resolved_issues": len(self.resolved_issues),
        }


@dataclass(frozen=True)
class DriftFailure:
    """A bundle that could not be re-validated (damaged or unreadable), with the reason."""

    run_id: str
    reason: str


def latest_bundle(store: ArtifactStore, run_id: str) -> tuple[Path, int] | None:
    """The newest complete bundle of a docs run (one with its manifest), if any."""
    base = store.tree_base(run_id, BUNDLES)
    versions = [p for p in base.glob("v*") if p.name[1:].isdigit() and (p / "manifest.json").is_file()]
    if not versions:
        return None
    newest = max(versions, key=lambda p: int(p.name[1:]))
    return newest, int(newest.name[1:])


def _recorded_issues(bundle: Path) -> tuple[Issue, ...]:
    path = bundle / "reports" / FINAL_ISSUES
    if not path.is_file():
        return ()
    try:
        return tuple(Issue.model_validate(item) for item in json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as exc:
        raise StoreError(f"{path}: unreadable issue list: {exc}") from None


def check_bundle(store: ArtifactStore, run_id: str) -> DriftResult | None:
    """Re-validate the run's latest bundle; None when the run has no bundle (not Complete)."""
    found = latest_bundle(store, run_id)
    if found is None:
        return None
    bundle, version = found
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    corpus: dict[str, str] = {}
    for entry in manifest.get("files", []):
        path = bundle / entry["file"]
        if not path.is_file():
            raise StoreError(f"{bundle}: manifest lists {entry['file']} but the bundle has no such file")
        corpus[entry["file"]] = path.read_text(encoding="utf-8")
    run = DocsRun.load(store, run_id)
    ctx = validation_context(run, None)
    issues: list[Issue] = []
    for name, text in corpus.items():
        issues += check_file(name, text, ctx)
    issues += run_gate(corpus, corpus, ctx)
    unique = {_key(i): i for i in issues}
    return DriftResult(
        run_id=run_id,
        bundle=bundle,
        bundle_version=version,
        issues_then=_recorded_issues(bundle),
        issues_now=tuple(sorted(unique.values(), key=Issue.sort_key)),
    )


def check_store(store: ArtifactStore) -> tuple[list[DriftResult], list[DriftFailure]]:
    """Every Complete bundle in the store, re-validated; a damaged one is reported, not raised."""
    results: list[DriftResult] = []
    failures: list[DriftFailure] = []
    for run_id in store.run_ids():
        try:
            result = check_bundle(store, run_id)
        except (DocsGenError, OSError, ValueError, KeyError) as exc:
            failures.append(DriftFailure(run_id=run_id, reason=f"{type(exc).__name__}: {exc}"))
            continue
        if result is not None:
            results.append(result)
    return results, failures
