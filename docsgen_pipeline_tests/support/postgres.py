"""A throwaway PostgreSQL server from Debian's packages, started on 127.0.0.1 for a test.

`initdb` refuses to run as root, so when the tests run as root (CI) the server runs as the
`postgres` system user that Debian's package creates.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from docsgen_pipeline_tests.support.processes import free_port

PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def pg_bin() -> Path | None:
    for directory in PG_BIN_DIRS:
        if (directory / "initdb").exists() and (directory / "pg_ctl").exists():
            return directory
    return None


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    db: str

    @property
    def url(self) -> str:
        # SQLAlchemy 2.1 made psycopg (3) the default PostgreSQL driver, which dagster-postgres'
        # NOTIFY statements do not work with; name psycopg2 (dagster-postgres' own dependency).
        return f"postgresql+psycopg2://{self.user}@{self.host}:{self.port}/{self.db}"

    def dagster_yaml(self) -> str:
        return f"storage:\n  postgres:\n    postgres_url: {self.url}\n"


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    binaries = pg_bin()
    if binaries is None:
        raise RuntimeError("PostgreSQL server binaries not found: apt-get install postgresql")
    # Not pytest's tmp_path: its parents are private to the test user and the server may run as
    # another user.
    base = Path(tempfile.mkdtemp(prefix="docsgen-pg-"))
    base.chmod(0o755)
    try:
        yield from _serve(binaries, base)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _serve(binaries: Path, base: Path) -> Iterator[PostgresServer]:
    data = base / "pgdata"
    data.mkdir(parents=True)
    as_root = os.geteuid() == 0
    prefix: list[str] = []
    if as_root:
        shutil.chown(base, "postgres")
        shutil.chown(data, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    user = "postgres" if as_root else os.environ.get("USER", "postgres")
    subprocess.run(
        [*prefix, str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", user, "--no-sync"],
        check=True,
        capture_output=True,
    )
    port = free_port()
    log = base / "postgres.log"
    if as_root:
        log.touch()
        shutil.chown(log, "postgres")
    # A throwaway server: durability is not what the test is about.
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={base} "
        "-c fsync=off -c synchronous_commit=off"
    )
    subprocess.run(
        [*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start"],
        check=True,
        capture_output=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            done = subprocess.run(
                [str(binaries.parent / "bin" / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", user, "dagster"],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode == 0:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL did not come up: {done.stderr}")
            time.sleep(0.3)
        yield PostgresServer(host="127.0.0.1", port=port, user=user, db="dagster")
    finally:
        subprocess.run(
            [*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            check=False,
            capture_output=True,
        )
