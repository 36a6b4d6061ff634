"""Publishing a real Complete docs run exactly once, with real crashes (SIGKILL) in the middle.

The docs run is generated once per session by the offline template agent and copied into each
test's home; the publishing processes that are killed run the real CLI in a subprocess with the
test-only fault hook ``DOCSGEN_FAULT``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
from pathlib import Path

import pytest

from docsgen_pipeline.cli.main import main
from docsgen_pipeline.docs_run import BUNDLES
from docsgen_pipeline.publish.directory import MARKER
from docsgen_pipeline.publish.ledger import Ledger
from docsgen_pipeline.store import sha256_hex
from docsgen_pipeline_tests.conftest import register_example
from docsgen_pipeline_tests.support.publishing import RUN, PublishHome, bare_repo, commits, git, trailers


def _manifest_sha(home: PublishHome, version: int) -> str:
    manifest = home.store.run_dir(RUN) / BUNDLES / f"v{version}" / "manifest.json"
    return sha256_hex(manifest.read_bytes())


def test_git_kill_after_push_is_reconciled_into_exactly_one_commit(
    home: PublishHome, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = bare_repo(tmp_path / "docs.git")
    dest = f"git+file://{repo}#main:docs/acme"

    killed = home.docsgen("publish", RUN, "--to", dest, fault="after_push")
    assert killed.returncode == -signal.SIGKILL
    # The push happened; the ledger holds an intent with no outcome.
    assert trailers(repo) == [_manifest_sha(home, 1)]
    assert [p.outcome for p in Ledger(home.store, RUN).pending()] == [None]

    assert main(["status", RUN]) == 0
    out = capsys.readouterr().out
    assert f"unreconciled: bundle v1 to {dest}" in out and f"resolve with docsgen publish {RUN} --reconcile" in out

    # The next publish asks the repository first, records what it finds and adds nothing.
    assert main(["publish", RUN, "--to", dest]) == 0
    captured = capsys.readouterr()
    assert "reconciled: bundle v1" in captured.err and "was published" in captured.err
    assert captured.out.startswith(f"already published: docs run {RUN} bundle v1 is at {dest} @ ")
    assert main(["publish", RUN, "--reconcile"]) == 0
    assert "nothing to reconcile" in capsys.readouterr().err
    assert main(["publish", RUN, "--to", dest]) == 0
    assert len(commits(repo)) == 1 and trailers(repo) == [_manifest_sha(home, 1)]
    capsys.readouterr()

    assert main(["status", RUN, "--json"]) == 0
    publication = json.loads(capsys.readouterr().out)["publication"]
    assert publication["unreconciled"] == [] and publication["last"]["reconciled"] is True
    assert publication["last"]["revision"] == git("--git-dir", str(repo), "rev-parse", "main").strip()


def test_kill_before_push_reconciles_as_not_published_then_publishes_once(
    home: PublishHome, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = bare_repo(tmp_path / "docs.git")
    dest = f"git+file://{repo}#pages"
    assert home.docsgen("publish", RUN, "--to", dest, fault="before_push").returncode == -signal.SIGKILL
    assert commits(repo, "pages") == []

    assert main(["publish", RUN, "--reconcile"]) == 0
    assert "was not published" in capsys.readouterr().out
    assert main(["publish", RUN, "--to", dest]) == 0
    assert capsys.readouterr().out.startswith(f"published docs run {RUN} bundle v1: {dest} @ ")
    assert len(commits(repo, "pages")) == 1
    results = [p.outcome["result"] for p in Ledger(home.store, RUN).publications() if p.outcome]
    assert results == ["not_published", "published"]


def test_two_processes_publishing_one_bundle_make_one_commit(home: PublishHome, tmp_path: Path) -> None:
    repo = bare_repo(tmp_path / "docs.git")
    dest = f"git+file://{repo}#main:docs"
    procs = [home.popen("publish", RUN, "--to", dest) for _ in range(2)]
    outs = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        outs.append(out)
    assert sorted(o.split(":")[0] for o in outs) == ["already published", "published docs run pub-1 bundle v1"]
    assert len(commits(repo)) == 1


def test_directory_kill_after_the_swap_is_reconciled_from_the_marker(
    home: PublishHome, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "www" / "acme"
    assert home.docsgen("publish", RUN, "--to", str(target), fault="after_push").returncode == -signal.SIGKILL
    marker = json.loads((target / MARKER).read_text())
    assert marker["manifest_sha256"] == _manifest_sha(home, 1)

    assert main(["publish", RUN, "--to", target.as_uri(), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["action"] == "already_published" and result["location"] == str(target)
    assert result["reconciled"] == [f"reconciled: bundle v1 to {target.as_uri()} was published: {target}"]
    assert json.loads((target / MARKER).read_text()) == marker  # not rewritten
    assert [p.name for p in target.parent.iterdir()] == ["acme"]


def test_a_newer_bundle_is_one_new_commit_and_an_older_one_needs_force(
    home: PublishHome, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = bare_repo(tmp_path / "docs.git")
    dest = f"git+file://{repo}#main:docs"
    assert main(["publish", RUN, "--to", dest]) == 0
    capsys.readouterr()
    changed_file = "acme-14-components.md"
    # A newer bundle of the same run, as the bundle step writes one after a regeneration changed a
    # file (the offline template agent rewrites a file identically, so the new text is put here).
    v1 = home.store.run_dir(RUN) / BUNDLES / "v1"
    v2 = v1.parent / "v2"
    shutil.copytree(v1, v2)
    changed = v2 / changed_file
    os.chmod(changed, 0o644)
    changed.write_text(changed.read_text().replace("\n\n", "\n\nThe audit trail records every change.\n\n", 1))
    manifest = json.loads((v2 / "manifest.json").read_text())
    for entry in manifest["files"]:
        if entry["file"] == changed_file:
            entry["sha256"], entry["version"] = sha256_hex(changed.read_bytes()), 2
    os.chmod(v2 / "manifest.json", 0o644)
    (v2 / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")

    assert main(["publish", RUN, "--to", dest]) == 0
    assert capsys.readouterr().out.startswith(f"published docs run {RUN} bundle v2: ")
    assert len(commits(repo)) == 2
    diff = git("--git-dir", str(repo), "diff", "--name-only", "main~1", "main").split()
    assert diff == [f"docs/{changed_file}", "docs/manifest.json"]

    assert main(["publish", RUN, "--to", dest, "--bundle", "v1"]) == 2
    assert "bundle v1 is older than v2" in capsys.readouterr().err and len(commits(repo)) == 2
    assert main(["publish", RUN, "--to", dest, "--bundle", "v1", "--force"]) == 0
    assert len(commits(repo)) == 3 and trailers(repo)[0] == _manifest_sha(home, 1)


def test_only_complete_runs_with_a_verified_bundle_are_published(
    home: PublishHome, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "site"
    register_example(home.store, "pub-2")
    assert main(["publish", "pub-2", "--to", str(target)]) == 2
    assert "docs run 'pub-2' is Running (phase 0), not Complete" in capsys.readouterr().err

    tampered = home.store.run_dir(RUN) / BUNDLES / "v1" / "acme-02-terminology.md"
    os.chmod(tampered, 0o644)
    tampered.write_text("# edited by hand\n")
    assert main(["publish", RUN, "--to", str(target)]) == 2
    err = capsys.readouterr().err
    assert "does not verify against its manifest" in err and "acme-02-terminology.md: sha256 differs" in err
    assert not target.exists() and Ledger(home.store, RUN).publications() == []

    assert main(["publish", RUN, "--to", "s3x://bucket/prefix"]) == 2
    assert "unknown destination scheme 's3x'" in capsys.readouterr().err
