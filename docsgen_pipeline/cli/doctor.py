"""``docsgen doctor``: check that the configured agent's endpoint and model answer, and where steps run.

Exit status 0 when every check passes (warnings allowed), 1 when one fails.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import click

from docsgen_pipeline.agents.diagnose import Check, diagnose
from docsgen_pipeline.cli.agent_options import agent_options, settings_from_options
from docsgen_pipeline.deployment import deployment_checks, store_check

_MARK = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}


@click.command("doctor")
@agent_options
def doctor(**options: Any) -> int:
    """Check that the agent (endpoint, key, model) is reachable and answers, the artifact store, and the broker."""
    settings = settings_from_options(**options)
    where = settings.base_url if settings.kind == "openai" else " ".join(settings.command) or "offline"
    click.echo(f"agent {settings.kind}: {where} (model {settings.model})")
    failed = _report(diagnose(settings, os.environ))
    click.echo("deployment:")
    failed = _report([store_check(), *deployment_checks()]) or failed
    return 1 if failed else 0


def _report(checks: Iterable[Check]) -> bool:
    """Print the checks; whether one failed."""
    failed = False
    for check in checks:
        click.echo(f"  {_MARK[check.status]} {check.name}: {check.detail}")
        if check.fix:
            click.echo(f"       fix: {check.fix}")
        failed = failed or check.status == "fail"
    return failed
