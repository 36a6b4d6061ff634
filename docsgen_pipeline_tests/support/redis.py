"""A throwaway Redis server from Debian's ``redis-server`` package, on 127.0.0.1, for a test."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from docsgen_pipeline_tests.support.processes import free_port
from docsgen_pipeline_tests.support.waiting import wait_until

REDIS_SERVER = shutil.which("redis-server")


@dataclass(frozen=True)
class RedisServer:
    host: str
    port: int

    def url(self, db: int = 0) -> str:
        return f"redis://{self.host}:{self.port}/{db}"


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    if REDIS_SERVER is None:
        raise RuntimeError("redis-server not found: apt-get install redis-server")
    base = Path(tempfile.mkdtemp(prefix="docsgen-redis-"))
    port = free_port()
    # In memory only: nothing the tests put on the broker needs to outlive the server.
    options = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(base)]
    proc = subprocess.Popen(
        [REDIS_SERVER, *options, "--logfile", str(base / "redis.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(f"redis-server on port {port}", lambda: proc.poll() is None and _answers(port), 30, 0.1)
        yield RedisServer(host="127.0.0.1", port=port)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(base, ignore_errors=True)
