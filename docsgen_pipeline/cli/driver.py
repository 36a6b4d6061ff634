"""Drive a docs run forward in-process: phases in order, then the bundle.

Shared by ``docsgen run`` and, later, ``docsgen approve`` (continue after an approval).
"""

from __future__ import annotations

import time

import click

from docsgen_pipeline.blueprint import Blueprint
from docsgen_pipeline.cli.instance import get_definitions, get_instance
from docsgen_pipeline.dagster_layer.execute import approve_phase, ensure_partition, execute_final, execute_phase
from docsgen_pipeline.docs_run import BUNDLES, REPORTS, DocsRun, report_name
from docsgen_pipeline.settings import store_root
from docsgen_pipeline.store import ArtifactStore


def drive(run_id: str, blueprint: Blueprint, first_phase: int) -> int:
    """Run phases from ``first_phase`` on; stops at a failed gate or a pending human approval."""
    store = ArtifactStore(store_root())
    run = DocsRun.load(store, run_id)
    instance = get_instance()
    defs = get_definitions(blueprint)
    ensure_partition(instance, run_id)
    interactive = run.registration.review_mode == "interactive"
    for phase in blueprint.phases[first_phase:]:
        started = time.monotonic()
        outcome = execute_phase(defs, instance, run_id, phase.number)
        report = store.latest(run_id, REPORTS, report_name(phase.number))
        where = f" — report: {store.run_dir(run_id) / report.path}" if report else ""
        if not outcome.success:
            click.echo(f"phase {phase.number} {phase.title}: FAILED ({outcome.failure}){where}", err=True)
            return 1
        click.echo(
            f"phase {phase.number} {phase.title}: {len(phase.files)} files, gate passed "
            f"({time.monotonic() - started:.1f} s)",
            err=True,
        )
        if interactive:
            click.echo(
                f"phase {phase.number} awaits approval: docsgen approve {run_id} --phase {phase.number} --by NAME",
                err=True,
            )
            return 0
        outcome = approve_phase(defs, instance, run_id, phase.number, approver="batch")
        if not outcome.success:
            click.echo(f"phase {phase.number} approval failed: {outcome.failure}", err=True)
            return 1
    outcome = execute_final(defs, instance, run_id)
    if not outcome.success:
        report = store.latest(run_id, REPORTS, "final-validation.md")
        where = f" — report: {store.run_dir(run_id) / report.path}" if report else ""
        click.echo(f"final cross-validation FAILED ({outcome.failure}){where}", err=True)
        return 1
    bundles = sorted(store.run_dir(run_id).joinpath(BUNDLES).glob("v*"), key=lambda p: int(p.name[1:]))
    click.echo(f"complete: {len(blueprint.all_files())} files validated and bundled", err=True)
    click.echo(str(bundles[-1]))
    return 0
