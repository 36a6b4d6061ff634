"""A scaled-out DocsGen deployment on one machine: PostgreSQL instance, Redis broker, Celery workers.

Every part is a real server or process, configured the way the README's "Scaling out" recipe
configures separate machines: the coordinator (the ``docsgen`` command) and each worker have a
home of their own and share only the Dagster instance (PostgreSQL), the broker and the artifact
store: a shared folder, or (``scaled_out(root, s3=...)``) a bucket on an S3-compatible server
(moto, standing in for S3/MinIO).  Used by the scale-out tests.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from docsgen_pipeline_tests.support.object_store import S3Server
from docsgen_pipeline_tests.support.postgres import PostgresServer, postgres_server
from docsgen_pipeline_tests.support.redis import RedisServer, redis_server
from docsgen_pipeline_tests.support.waiting import wait_until

REPO = Path(__file__).resolve().parents[2]
SMALL_BLUEPRINT = REPO / "docsgen_pipeline_tests" / "fixtures" / "blueprints" / "small.yaml"
SHIPPED_DAGSTER_YAML = REPO / "docsgen_pipeline" / "data" / "dagster.yaml"
CELERY_APP = "docsgen_pipeline.dagster_layer.celery_app"


def worker_command(name: str, logfile: Path) -> list[str]:
    """The README's worker command (``celery -A … worker``), one step at a time per worker."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        CELERY_APP,
        "worker",
        "--queues",
        "dagster",
        "--concurrency",
        "1",
        "--prefetch-multiplier",
        "1",
        "--hostname",
        f"{name}@%h",
        "--loglevel",
        "INFO",
        "--logfile",
        str(logfile),
        # No chatter between workers at start-up (mingle waits a second for answers).
        "--without-mingle",
        "--without-gossip",
    ]


def docsgen_command(args: Sequence[str]) -> list[str]:
    return [sys.executable, "-m", "docsgen_pipeline.cli.main", *args]


def child_pids(pid: int) -> set[int]:
    """Live direct children of ``pid`` (Linux ``/proc``)."""
    children = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rfind(")") + 2 :].split()
        if len(fields) > 1 and fields[1] == str(pid) and fields[0] not in ("Z", "X"):
            children.add(int(stat.parent.name))
    return children


@dataclass
class Worker:
    name: str
    proc: subprocess.Popen[bytes]
    logfile: Path

    def pool_pids(self) -> set[int]:
        """The prefork pool processes that execute this worker's steps."""
        return child_pids(self.proc.pid)

    def is_ready(self) -> bool:
        """Running, and its log says "ready." (anywhere: a worker that took a queued task at once
        has logged past that line by the time anyone looks)."""
        try:
            text = self.logfile.read_text(errors="replace")
        except OSError:
            return False
        return self.proc.poll() is None and " ready." in text

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no worker log)"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # warm shutdown: the pool children exit too
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                for pid in self.pool_pids():
                    os.kill(pid, signal.SIGKILL)
                self.proc.kill()
                self.proc.wait()


@dataclass
class ScaledOut:
    root: Path
    postgres: PostgresServer
    redis: RedisServer
    workers: list[Worker] = field(default_factory=list)
    # DOCSGEN_STORE=s3://… and the AWS_* variables every machine needs; empty: a shared folder.
    object_store: dict[str, str] = field(default_factory=dict)

    @property
    def store(self) -> Path:
        """The shared folder, when the artifact store is not an object store."""
        return self.root / "shared-store"

    @property
    def store_location(self) -> str:
        """What every machine sets as ``DOCSGEN_STORE``: the bucket's URL or the shared folder."""
        return self.object_store.get("DOCSGEN_STORE") or str(self.store)

    @property
    def broker(self) -> str:
        return self.redis.url(0)

    def _env(self, home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DOCSGEN_", "DAGSTER_"))}
        env.update(
            DOCSGEN_HOME=str(home),
            DAGSTER_HOME=str(home / "dagster"),
            DOCSGEN_STORE=self.store_location,
            DOCSGEN_BLUEPRINT=str(SMALL_BLUEPRINT),
            DOCSGEN_RUN_EXECUTOR="celery",
            DOCSGEN_CELERY_BROKER=self.broker,
            # Run from the checkout under test, whatever is installed.
            PYTHONPATH=os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]),
        )
        env.update({k: v for k, v in self.object_store.items() if k != "DOCSGEN_STORE"})
        env.update(extra or {})
        return env

    def home(self, name: str) -> Path:
        """A machine's own DocsGen home, its Dagster instance configured on the shared PostgreSQL."""
        home = self.root / name
        dagster_home = home / "dagster"
        if not dagster_home.exists():
            dagster_home.mkdir(parents=True)
            (dagster_home / "dagster.yaml").write_text(SHIPPED_DAGSTER_YAML.read_text() + self.postgres.dagster_yaml())
        return home

    def env(self, machine: str = "coordinator", **extra: str) -> dict[str, str]:
        return self._env(self.home(machine), extra)

    def run(
        self, args: Sequence[str], machine: str = "coordinator", timeout: float = 600, **extra: str
    ) -> subprocess.CompletedProcess[str]:
        """``docsgen ARGS`` as a command on ``machine``."""
        return subprocess.run(
            docsgen_command(args), env=self.env(machine, **extra), capture_output=True, text=True, timeout=timeout
        )

    def popen(self, args: Sequence[str], machine: str = "coordinator", **extra: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            docsgen_command(args),
            env=self.env(machine, **extra),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def start_workers(self, count: int, **extra: str) -> list[Worker]:
        started = []
        for number in range(len(self.workers) + 1, len(self.workers) + count + 1):
            name = f"worker{number}"
            home = self.home(name)
            logfile = home / "celery.log"
            proc = subprocess.Popen(
                worker_command(name, logfile),
                env=self._env(home, extra),
                cwd=home,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            started.append(Worker(name=name, proc=proc, logfile=logfile))
        self.workers += started
        for worker in started:
            wait_until(
                f"Celery worker {worker.name} to be ready (log {worker.logfile})",
                worker.is_ready,
                180,
                0.25,
            )
        return started

    def logs(self) -> str:
        return "\n".join(f"--- {w.name} ---\n{w.log_tail()}" for w in self.workers)

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.workers.clear()


@contextmanager
def scaled_out(root: Path, s3: S3Server | None = None) -> Iterator[ScaledOut]:
    """PostgreSQL + Redis started (and a fresh bucket on ``s3`` as the store); workers are started
    by the caller (``start_workers``)."""
    root.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        deployment = ScaledOut(
            root=root,
            postgres=stack.enter_context(postgres_server()),
            redis=stack.enter_context(redis_server()),
            object_store=s3.store_env("shared") if s3 is not None else {},
        )
        try:
            yield deployment
        finally:
            deployment.stop()


# --- Faults: a worker killed mid-step (issue 15) ---------------------------------------------


def kill_worker(worker: Worker) -> None:
    """SIGKILL a worker and its pool processes at once, as a machine dying would.

    The main process goes first: killed after its pool child, it could still notice the child's
    death and report the step failed itself, which is not what a dead machine does.
    """
    from contextlib import suppress

    pool = worker.pool_pids()
    for pid in [worker.proc.pid, *pool]:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    worker.proc.wait(timeout=30)


def busy_worker(workers: Sequence[Worker], step_pid: int) -> Worker:
    """The worker whose pool process ``step_pid`` is (the pid a STEP_START event records)."""
    for worker in workers:
        if step_pid in worker.pool_pids():
            return worker
    raise LookupError(f"no worker runs pid {step_pid}: pools {[(w.name, w.pool_pids()) for w in workers]}")


def file_versions(store: Path, run_id: str) -> dict[str, list[tuple[int, str]]]:
    """Every planned file stored so far: its versions index as (version, sha256), oldest first."""
    from docsgen_pipeline.docs_run import FILES
    from docsgen_pipeline.store import ArtifactStore

    artifacts = ArtifactStore(store)
    return {
        name: [(record.version, record.sha256) for record in artifacts.history(run_id, FILES, name)]
        for name in artifacts.names(run_id, FILES)
    }
