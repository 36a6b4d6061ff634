"""``docsgen regenerate RUN --file NAME | --phase N``: rewrite chosen files, revalidate, pay for nothing else.

Only the targeted files call the agent. Each rewrite becomes the file's next version (identical
text stays the same version) and is recorded in the docs run's ``regenerations`` log. The phase
gate runs again; the phase's approval no longer covers its files, so in batch mode it is
re-approved when the gate passes and in interactive mode the phase awaits approval. The final
cross-validation runs again when the run had reached it. Later phases are never rewritten: they
are reported stale, with the command that refreshes each.
"""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Any

import click
import dagster as dg

from docsgen_pipeline.blueprint import load_blueprint
from docsgen_pipeline.cli.instance import get_definitions, get_instance
from docsgen_pipeline.dagster_layer import revisions
from docsgen_pipeline.dagster_layer.facts import IN_PROCESS_TAG
from docsgen_pipeline.dagster_layer.locking import execution_lock
from docsgen_pipeline.dagster_layer.revisions import refuse_if_canceled
from docsgen_pipeline.deployment import check_distributed
from docsgen_pipeline.docs_run import DocsRun
from docsgen_pipeline.regeneration import (
    FEEDBACK,
    REGENERATE,
    RESUME,
    Target,
    check_blueprint_pin,
    resolve_targets,
)
from docsgen_pipeline.settings import store_root
from docsgen_pipeline.store import ArtifactStore


def regenerate_run(
    run: DocsRun,
    targets: list[Target],
    *,
    requested_by: str,
    reason: str,
    feedback: str,
    defs: dg.Definitions | None = None,
) -> dict[str, Any]:
    """Execute the targets in-process, then the final cross-validation; returns the ``--json`` summary.

    ``defs`` defaults to the Definitions of the run's pinned blueprint (tests pass their own agent).
    """
    return revisions.regenerate_run(
        run,
        targets,
        instance=get_instance(),
        defs=defs or get_definitions(run.blueprint),
        requested_by=requested_by,
        reason=reason,
        feedback=feedback,
        tags={IN_PROCESS_TAG: "docsgen-cli"},
        finish=True,
    )


def _echo_summary(summary: dict[str, Any]) -> None:
    for entry in summary["phases"]:
        for rec in entry["files"]:
            if rec["changed"]:
                change = f"v{rec['previous_version']} -> v{rec['new_version']}"
            else:
                change = f"unchanged (identical text, still v{rec['new_version']})"
            click.echo(f"{rec['file']}: {change}", err=True)
        if entry["gate_passed"]:
            click.echo(f"phase {entry['phase']} gate: passed; approval: {entry['approval']}", err=True)
        else:
            click.echo(
                f"phase {entry['phase']} gate: FAILED ({entry['failure']}) — report: {entry['report']}", err=True
            )
    final = summary["cross_validation"]
    if final is not None:
        verdict = "passed" if final["passed"] else f"FAILED ({final['failure']})"
        click.echo(f"final cross-validation: {verdict} — report: {final['report']}", err=True)
    for stale in summary["stale"]:
        why = (
            "its inputs changed"
            if stale["behind_phase"] is None
            else f"it builds on stale phase {stale['behind_phase']}"
        )
        click.echo(f"phase {stale['phase']} is stale ({why}; left untouched); refresh: {stale['command']}", err=True)


@click.command("regenerate")
@click.argument("run_id")
@click.option("--file", "files", multiple=True, help="a planned file (name, key or asset key); repeatable")
@click.option("--phase", type=int, help="every file of one phase (re-plans the phase too)")
@click.option("--feedback", default="", help="what the writer should change (kept for later regenerations)")
@click.option("--reason", default="", help="why, recorded with each new version (default: regenerate/feedback)")
@click.option("--by", "requested_by", default=None, help="who asks (default: cli:<user>)")
@click.option(
    "--blueprint",
    "blueprint_path",
    type=click.Path(path_type=Path),
    help="refuse unless this is the blueprint the run was registered with",
)
@click.option("--json", "as_json", is_flag=True, help="print the outcome as JSON on stdout")
def regenerate(
    run_id: str,
    files: tuple[str, ...],
    phase: int | None,
    feedback: str,
    reason: str,
    requested_by: str | None,
    blueprint_path: Path | None,
    as_json: bool,
) -> int:
    """Regenerate planned files of docs run RUN_ID (only they call the agent), then revalidate."""
    store = ArtifactStore(store_root())
    run = DocsRun.load(store, run_id)
    refuse_if_canceled(run)
    if blueprint_path is not None:
        check_blueprint_pin(run, load_blueprint(blueprint_path))
    targets = resolve_targets(run, list(files), phase)
    check_distributed(run.blueprint)
    why = reason.strip() or (FEEDBACK if feedback.strip() else REGENERATE)
    if why == RESUME:
        raise click.UsageError("--reason resume is reserved for resuming a docs run; give another reason")
    with execution_lock(get_instance(), store, run_id, "docsgen regenerate"):
        summary = regenerate_run(
            run,
            targets,
            requested_by=requested_by or f"cli:{getpass.getuser()}",
            reason=why,
            feedback=feedback.strip(),
        )
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    else:
        _echo_summary(summary)
    return 0 if summary["ok"] else 1
