"""The phase gate and the final cross-validation over a docs run's stored files (pure)."""

from __future__ import annotations

from docsgen_pipeline.blueprint import Phase
from docsgen_pipeline.compose import validation_context
from docsgen_pipeline.docs_run import (
    FINAL_ISSUES,
    FINAL_REPORT,
    PLANS,
    REPORTS,
    DocsRun,
    issues_name,
    issues_report_name,
    plan_name,
    report_name,
)
from docsgen_pipeline.repair import report_rows, rounds_for
from docsgen_pipeline.reports import GateResult, outcomes
from docsgen_pipeline.store import VersionRecord
from docsgen_pipeline.validators.api import FILE_CHECKS, GATE_CHECKS, check_file, run_gate
from docsgen_pipeline.validators.model import Issue

CROSS_CHECKS = {f"all_{name}": rules for name, rules in {**FILE_CHECKS, **GATE_CHECKS}.items()}


def plan_source(run: DocsRun, phase: int) -> str:
    """Where the phase's current plan came from ('agent' or 'blueprint'), as its stored version says."""
    record = run.store.latest(run.run_id, PLANS, plan_name(phase))
    return str(record.meta.get("plan_source", "agent")) if record is not None else ""


def run_phase_gate(run: DocsRun, phase: Phase) -> GateResult:
    """Every rule over the phase's latest files; links resolve against earlier phases too."""
    ctx = validation_context(run, phase.number)
    targets = run.phase_files(phase.number)
    corpus = run.corpus(phase.number)
    issues: list[Issue] = []
    for name, text in targets.items():
        issues += check_file(name, text, ctx)
    issues += run_gate(targets, corpus, ctx)
    files = tuple(run.file_versions([f.key for f in phase.files]).values())
    repairs = rounds_for(run.store, run.run_id, phase.number, {f.name: f.version for f in files})
    return GateResult(
        title=f"Phase {phase.number} validation: {phase.title}",
        scope=f"phase {phase.number} ({len(targets)} files)",
        checks=tuple(outcomes(issues, {**FILE_CHECKS, **GATE_CHECKS})),
        files=files,
        repairs=tuple(report_rows(repairs)),
        plan_source=plan_source(run, phase.number),
    )


def file_check_result(run: DocsRun, phase: Phase, issues: list[Issue]) -> GateResult:
    """The phase report written when per-file checks fail (the gate itself cannot run then)."""
    return GateResult(
        title=f"Phase {phase.number} validation: {phase.title}",
        scope="per-file checks",
        checks=tuple(outcomes(issues, FILE_CHECKS)),
        files=tuple(run.file_versions([f.key for f in phase.files]).values()),
        plan_source=plan_source(run, phase.number),
    )


def write_phase_report(run: DocsRun, phase: int, result: GateResult) -> VersionRecord:
    """Store the human report, the structured issue list and, on failure, the issues report."""
    store, run_id = run.store, run.run_id
    rendered = result.render(run_id)
    report, _ = store.put(run_id, REPORTS, report_name(phase), rendered, {"passed": result.passed})
    store.put(run_id, REPORTS, issues_name(phase), result.issues_json(), {"passed": result.passed})
    if not result.passed:
        store.put(run_id, REPORTS, issues_report_name(phase), rendered, {"passed": False})
    return report


def cross_validate(run: DocsRun) -> GateResult:
    """Every rule over the whole doc set at once (no file is 'planned for later' any more)."""
    ctx = validation_context(run, None)
    corpus = run.corpus()
    issues: list[Issue] = []
    for name, text in corpus.items():
        issues += check_file(name, text, ctx)
    issues += run_gate(corpus, corpus, ctx)
    return GateResult(
        title="Final cross-validation",
        scope=f"whole doc set ({len(corpus)} files)",
        checks=tuple(outcomes(issues, CROSS_CHECKS)),
        files=tuple(run.file_versions().values()),
    )


def write_final_report(run: DocsRun, result: GateResult) -> VersionRecord:
    report, _ = run.store.put(run.run_id, REPORTS, FINAL_REPORT, result.render(run.run_id), {"passed": result.passed})
    run.store.put(run.run_id, REPORTS, FINAL_ISSUES, result.issues_json(), {"passed": result.passed})
    return report
