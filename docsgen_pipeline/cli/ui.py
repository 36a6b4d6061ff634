"""``docsgen ui``: the Dagster web UI and daemon on the same instance the CLI uses."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time

import click

from docsgen_pipeline.cli.instance import prepare_dagster_home
from docsgen_pipeline.settings import docsgen_home, store_root
from docsgen_pipeline.store import ArtifactStore


@click.command("ui")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=3000, show_default=True, type=int)
def ui(host: str, port: int) -> None:
    """Start `dagster dev` (web UI + daemon, so sensors and schedules run) on $DAGSTER_HOME.

    Prepares $DAGSTER_HOME with DocsGen's dagster.yaml (one in-flight run per docs run) first,
    so runs started here and from the CLI share one instance.
    """
    ArtifactStore(store_root()).check()  # an unreachable object store: one line, not a UI full of failed steps
    home = prepare_dagster_home()
    os.environ.setdefault("DOCSGEN_HOME", str(docsgen_home()))
    dagster = shutil.which("dagster") or os.path.join(os.path.dirname(sys.executable), "dagster")
    click.echo(f"DAGSTER_HOME={home}  DOCSGEN_HOME={os.environ['DOCSGEN_HOME']}", err=True)
    args = [dagster, "dev", "-m", "docsgen_pipeline.definitions", "-h", host, "-p", str(port)]
    sys.exit(supervise(args))


def supervise(args: list[str], grace_s: float = 10.0) -> int:
    """Run ``args`` in its own process group; SIGINT/SIGTERM go to the whole group.

    ``dagster dev`` starts the webserver, the daemon and code servers; forwarding the signal to
    the group stops all of them, and anything still alive after ``grace_s`` is killed, so one
    Ctrl-C (or one ``kill``) ends the command within seconds and leaves no process behind.
    """
    child = subprocess.Popen(args, start_new_session=True)
    received: list[int] = []
    first_at: list[float] = []

    def forward(signum: int, _frame: object) -> None:
        received.append(signum)
        if not first_at:
            first_at.append(time.monotonic())
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while True:
            try:
                code = child.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                if first_at and time.monotonic() - first_at[0] > grace_s:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(child.pid, signal.SIGKILL)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        with contextlib.suppress(ProcessLookupError):  # helpers the webserver left behind
            os.killpg(child.pid, signal.SIGKILL)
    return 128 + received[0] if received else code

