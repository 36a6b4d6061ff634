"""``docsgen ui``: the Dagster web UI and daemon on the same instance the CLI uses."""

from __future__ import annotations

import os
import shutil
import sys

import click

from docsgen_pipeline.cli.instance import prepare_dagster_home
from docsgen_pipeline.settings import docsgen_home


@click.command("ui")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=3000, show_default=True, type=int)
def ui(host: str, port: int) -> None:
    """Start `dagster dev` (web UI + daemon, so sensors and schedules run) on $DAGSTER_HOME.

    Prepares $DAGSTER_HOME with DocsGen's dagster.yaml (one in-flight run per docs run) first,
    so runs started here and from the CLI share one instance.
    """
    home = prepare_dagster_home()
    os.environ.setdefault("DOCSGEN_HOME", str(docsgen_home()))
    dagster = shutil.which("dagster") or os.path.join(os.path.dirname(sys.executable), "dagster")
    click.echo(f"DAGSTER_HOME={home}  DOCSGEN_HOME={os.environ['DOCSGEN_HOME']}", err=True)
    args = [dagster, "dev", "-m", "docsgen_pipeline.definitions", "-h", host, "-p", str(port)]
    os.execv(dagster, args)
