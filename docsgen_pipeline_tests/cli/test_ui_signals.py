"""``docsgen ui`` stops on SIGINT/SIGTERM with every process it started (issue 11 case 8)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from docsgen_pipeline_tests.conftest import Home


def _processes_with(marker: str) -> list[int]:
    """Live processes whose environment mentions ``marker`` (our private $DAGSTER_HOME)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes():
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state not in ("Z", "X"):
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize(("sig", "port"), [(signal.SIGINT, 18311), (signal.SIGTERM, 18312)])
def test_ui_exits_on_signal_and_leaves_no_process(docsgen_home: Home, sig: signal.Signals, port: int) -> None:
    marker = str(docsgen_home.root / "dagster")
    proc = subprocess.Popen(
        [sys.executable, "-m", "docsgen_pipeline.cli.main", "ui", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 240
        while not _listening(port):
            assert proc.poll() is None, "docsgen ui exited before serving"
            assert time.monotonic() < deadline, "the web UI never listened"
            time.sleep(0.5)
        assert len(_processes_with(marker)) >= 2  # dagster dev started its webserver/daemon
        os.kill(proc.pid, sig)
        proc.wait(timeout=30)
        time.sleep(0.5)
        assert _processes_with(marker) == []
        assert not _listening(port)
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in _processes_with(marker):
            os.kill(pid, signal.SIGKILL)
