"""Publishing test support: one real Complete docs run per session, copied fresh into each test's home."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from docsgen_pipeline.publish.destination import BundleRef
from docsgen_pipeline.store import ArtifactStore, sha256_hex

REPO = Path(__file__).resolve().parent.parent.parent
EXAMPLES = REPO / "examples"

RUN = "pub-1"


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def bare_repo(path: Path) -> Path:
    git("init", "-q", "--bare", str(path))
    return path


def commits(repo: Path, branch: str = "main") -> list[str]:
    """Commit subjects on a branch of a bare repository, newest first."""
    out = subprocess.run(
        ["git", "--git-dir", str(repo), "log", "--format=%H %s", branch], capture_output=True, text=True, check=False
    )
    return out.stdout.splitlines() if out.returncode == 0 else []


def trailers(repo: Path, branch: str = "main") -> list[str]:
    fmt = "--format=%(trailers:key=DocsGen-Bundle,valueonly,separator=)"
    return [t for t in git("--git-dir", str(repo), "log", fmt, branch).splitlines() if t.strip()]


@dataclass
class PublishHome:
    root: Path
    store: ArtifactStore
    env: dict[str, str]

    def docsgen(self, *args: str, fault: str | None = None) -> subprocess.CompletedProcess[str]:
        """The docsgen CLI in its own process (so it can be killed for real)."""
        env = dict(self.env)
        if fault:
            env["DOCSGEN_FAULT"] = fault
        return subprocess.run(
            [sys.executable, "-m", "docsgen_pipeline.cli.main", *args],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "docsgen_pipeline.cli.main", *args],
            env=self.env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )


def _env_for(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DOCSGEN_STORE", "DOCSGEN_BLUEPRINT", "DOCSGEN_FAULT")}
    env.update(DOCSGEN_HOME=str(root), DAGSTER_HOME=str(root / "dagster"))
    return env


@pytest.fixture(scope="session")
def complete_run_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home holding one Complete batch docs run of the Acme example (offline template agent)."""
    root = tmp_path_factory.mktemp("published") / "home"
    done = subprocess.run(
        [sys.executable, "-m", "docsgen_pipeline.cli.main", "run", str(EXAMPLES / "acme-orders.yaml"), "--run-id", RUN],
        env=_env_for(root),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return root


@pytest.fixture
def home(complete_run_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PublishHome]:
    """A private copy of the Complete run's home (artifact store and Dagster instance)."""
    root = tmp_path / "home"
    shutil.copytree(complete_run_template, root)
    env = _env_for(root)
    monkeypatch.setenv("DOCSGEN_HOME", env["DOCSGEN_HOME"])
    monkeypatch.setenv("DAGSTER_HOME", env["DAGSTER_HOME"])
    monkeypatch.delenv("DOCSGEN_STORE", raising=False)
    monkeypatch.delenv("DOCSGEN_FAULT", raising=False)
    yield PublishHome(root=root, store=ArtifactStore(root / "artifacts"), env=env)


def fake_bundle(directory: Path, files: dict[str, str], run_id: str = "x-1") -> Path:
    """A bundle folder with a manifest that matches it (for destination tests without a docs run)."""
    import hashlib
    import json

    directory.mkdir(parents=True)
    entries = []
    for name, text in files.items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(text)
        entries.append({"file": name, "sha256": hashlib.sha256(text.encode()).hexdigest()})
    manifest = {"docs_run": run_id, "project": "Test", "files": entries, "reports": []}
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return directory


def bundle_ref(directory: Path, version: int = 1, run_id: str = "x-1") -> BundleRef:
    return BundleRef(run_id, version, directory, sha256_hex((directory / "manifest.json").read_bytes()), "Test")
