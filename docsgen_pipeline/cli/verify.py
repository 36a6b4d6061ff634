"""``docsgen verify [RUN] [--repair]``: check stored artifacts and bundles byte for byte."""

from __future__ import annotations

import json
from dataclasses import asdict

import click

from docsgen_pipeline.settings import store_root
from docsgen_pipeline.store import ArtifactStore
from docsgen_pipeline.verify import verify_run


@click.command("verify")
@click.argument("run_id", metavar="[RUN]", required=False)
@click.option("--repair", is_flag=True, help="quarantine damaged versions (moved aside, never deleted)")
@click.option("--json", "as_json", is_flag=True, help="print the findings as JSON")
def verify(run_id: str | None, repair: bool, as_json: bool) -> int:
    """Check every artifact against its index and sha256 and every bundle against its manifest.

    Exit 0 when everything is intact, 1 when something is wrong (after --repair too: the
    damaged versions are set aside and `docsgen approve RUN --resume` or `docsgen regenerate`
    writes fresh ones).
    """
    store = ArtifactStore(store_root())
    if run_id:
        store.run_dir(run_id)  # a valid id, or one readable error line
        ids = [run_id]
    else:
        ids = [*store.run_ids(), *store.damaged_run_dirs()]
    findings = [f for rid in ids for f in verify_run(store, rid, repair=repair)]
    if as_json:
        click.echo(json.dumps([asdict(f) for f in findings], indent=2))
    else:
        for finding in findings:
            click.echo(finding.line())
        runs = {f.run_id for f in findings}
        if not findings:
            click.echo(f"verified {len(ids)} docs run(s): every artifact matches its sha256", err=True)
        elif repair:
            click.echo(
                f"{len(findings)} problem(s) set aside in .quarantine folders; write fresh versions with: "
                + "; ".join(f"docsgen approve {r} --resume" for r in sorted(runs)),
                err=True,
            )
        else:
            click.echo(
                f"{len(findings)} problem(s); quarantine them with: docsgen verify {run_id or ''} --repair".replace(
                    "  ", " "
                ),
                err=True,
            )
    return 1 if findings else 0
