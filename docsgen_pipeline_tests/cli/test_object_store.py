"""`docsgen` with DOCSGEN_STORE=s3://… and az://… against real servers (moto_server, Azurite).

A whole batch docs run through the CLI gives the same files as a run on the local folder store,
and an unreachable store is one line naming its URL, at startup and in `docsgen doctor`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docsgen_pipeline.bundle import verify_bundle
from docsgen_pipeline.cli.main import main
from docsgen_pipeline.store import ArtifactStore
from docsgen_pipeline_tests.conftest import EXAMPLES, Home
from docsgen_pipeline_tests.support.object_store import (
    ObjectServer,
    S3Server,
    object_env,
    object_server,
    s3_env,
    s3_server,
)
from docsgen_pipeline_tests.support.processes import free_port

__all__ = ["object_env", "object_server", "s3_env", "s3_server"]  # fixtures

BRIEF = EXAMPLES / "acme-orders.yaml"


def _hashes(bundle: Path) -> dict[str, str]:
    manifest = json.loads((bundle / "manifest.json").read_text())
    return {entry["file"]: entry["sha256"] for entry in manifest["files"]}


def test_batch_run_on_the_object_store_matches_the_local_store(
    docsgen_home: Home, object_env: ObjectServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(BRIEF), "--run-id", "local-1"]) == 0
    local_bundle = Path(capsys.readouterr().out.strip().splitlines()[-1])

    url = object_env.store_url()
    monkeypatch.setenv("DOCSGEN_STORE", url)
    assert main(["run", str(BRIEF), "--run-id", "remote-1"]) == 0
    remote_bundle = Path(capsys.readouterr().out.strip().splitlines()[-1])
    assert _hashes(remote_bundle) == _hashes(local_bundle) and len(_hashes(remote_bundle)) >= 20
    assert main(["verify", "remote-1"]) == 0, capsys.readouterr()
    assert main(["status", "remote-1"]) == 0 and "Complete" in capsys.readouterr().out

    # The artifacts are in the bucket, not on this machine's folder: another machine sees them all.
    assert not (docsgen_home.root / "artifacts" / "runs" / "remote-1").exists()
    other = ArtifactStore(url, local_root=docsgen_home.root / "machine-two")
    assert other.run_ids() == ["remote-1"]
    (copy,) = other.tree_versions("remote-1", "bundles")
    assert verify_bundle(copy) == [] and _hashes(copy) == _hashes(local_bundle)


def test_unreachable_object_store_is_one_line_and_doctor_says_so(
    docsgen_home: Home, s3_env: S3Server, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")  # nothing listens there
    url = "s3://docs-bucket/team"
    monkeypatch.setenv("DOCSGEN_STORE", url)
    assert main(["run", str(BRIEF), "--run-id", "u-1"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"docsgen: error: artifact store {url} is unreachable (") and "fix DOCSGEN_STORE" in line

    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert f"  FAIL artifact store: artifact store {url} is unreachable (" in out
    assert "fix: start it or fix DOCSGEN_STORE" in out


def test_doctor_reports_a_reachable_object_store(
    docsgen_home: Home, object_env: ObjectServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = object_env.store_url()
    monkeypatch.setenv("DOCSGEN_STORE", url)
    assert main(["doctor"]) == 0
    assert f"  ok   artifact store: {url} answers" in capsys.readouterr().out
