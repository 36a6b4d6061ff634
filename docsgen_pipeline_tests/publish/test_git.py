"""The git destination against real repositories: a bare one on disk, and one served by git daemon."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from docsgen_pipeline.errors import DestinationError
from docsgen_pipeline.publish.git import GitDestination
from docsgen_pipeline_tests.support.publishing import bare_repo, bundle_ref, commits, fake_bundle, git, trailers

DAEMON_PORT = 18611


def test_publish_replaces_the_folder_in_one_commit_with_the_trailer(tmp_path: Path) -> None:
    repo = bare_repo(tmp_path / "docs.git")
    # The branch already has other content, and an old file in the target folder.
    seed = tmp_path / "seed"
    git("clone", "-q", str(repo), str(seed))
    (seed / "README.md").write_text("keep me\n")
    (seed / "docs" / "acme").mkdir(parents=True)
    (seed / "docs" / "acme" / "stale.md").write_text("old\n")
    git("add", "-A", cwd=seed)
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "seed", cwd=seed)
    git("push", "-q", "origin", "HEAD:main", cwd=seed)

    bundle = bundle_ref(fake_bundle(tmp_path / "b1", {"a.md": "# A\n", "reports/r.md": "# R\n"}), version=3)
    dest = GitDestination(f"git+file://{repo}#main:docs/acme")
    placement = dest.publish(bundle)

    assert placement.created and len(placement.revision) == 40
    tree = git("--git-dir", str(repo), "ls-tree", "-r", "--name-only", "main").split()
    assert tree == ["README.md", "docs/acme/a.md", "docs/acme/manifest.json", "docs/acme/reports/r.md"]
    message = git("--git-dir", str(repo), "log", "-1", "--format=%B", "main")
    assert message.startswith("docs: publish docs run x-1 bundle v3 (Test)")
    assert trailers(repo) == [bundle.manifest_sha256]

    # Publishing the same bundle again changes nothing; locate finds it from the repository alone.
    again = GitDestination(f"git+file://{repo}#main:docs/acme").publish(bundle)
    assert not again.created and again.revision == placement.revision
    assert len(commits(repo)) == 2
    found = dest.locate(bundle.manifest_sha256)
    assert found is not None and found.revision == placement.revision
    assert dest.locate("0" * 64) is None


def test_missing_branch_is_created_and_a_newer_bundle_is_one_more_commit(tmp_path: Path) -> None:
    repo = bare_repo(tmp_path / "docs.git")
    dest = GitDestination(f"git+file://{repo}#gh-pages")
    first = bundle_ref(fake_bundle(tmp_path / "b1", {"a.md": "# A\n", "b.md": "# B\n"}))
    second = bundle_ref(fake_bundle(tmp_path / "b2", {"a.md": "# A changed\n", "b.md": "# B\n"}), version=2)
    dest.publish(first)
    placement = dest.publish(second)
    assert len(commits(repo, "gh-pages")) == 2
    changed = git("--git-dir", str(repo), "diff", "--name-only", f"{placement.revision}~1", placement.revision)
    assert changed.split() == ["a.md", "manifest.json"]
    current = dest.current()
    assert current is not None and current.manifest_sha256 == second.manifest_sha256


def test_a_push_rejected_because_the_branch_moved_is_redone_on_the_new_head(tmp_path: Path) -> None:
    repo = bare_repo(tmp_path / "docs.git")
    dest = GitDestination(f"git+file://{repo}#main:site")
    dest.publish(bundle_ref(fake_bundle(tmp_path / "b1", {"a.md": "# A\n"})))
    # Somebody else pushes to the branch between our fetch and our push: the pre-receive hook
    # moves the branch to a new commit (as a concurrent pusher would) and rejects our first push.
    hook = repo / "hooks" / "pre-receive"
    flag = tmp_path / "moved-once"
    hook.write_text(
        "#!/bin/sh\n"
        f"[ -e {flag} ] && exit 0\n"
        f"touch {flag}\n"
        "unset GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES\n"
        "c=$(git commit-tree -p refs/heads/main -m 'someone else' refs/heads/main^{tree})\n"
        "git update-ref refs/heads/main $c\n"
        "exit 1\n"
    )
    hook.chmod(0o755)
    second = bundle_ref(fake_bundle(tmp_path / "b2", {"a.md": "# A2\n"}), version=2)
    placement = dest.publish(second)
    assert placement.created and flag.exists()
    subjects = [line.split(" ", 1)[1] for line in commits(repo)]
    assert subjects == [
        "docs: publish docs run x-1 bundle v2 (Test)",
        "someone else",
        "docs: publish docs run x-1 bundle v1 (Test)",
    ]
    assert trailers(repo) == [second.manifest_sha256, bundle_ref(tmp_path / "b1").manifest_sha256]


def test_bad_urls_name_what_to_fix() -> None:
    with pytest.raises(DestinationError, match="name the repository"):
        GitDestination("git+file://")
    with pytest.raises(DestinationError, match="stay inside the repository"):
        GitDestination("git+file:///r.git#main:../up")
    assert GitDestination("git+file:///r.git").url == "git+file:///r.git#main"


@pytest.fixture
def daemon_root(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "served"
    root.mkdir()
    bare_repo(root / "docs.git")
    proc = subprocess.Popen(
        [
            "git", "daemon", "--reuseaddr", "--export-all", "--enable=receive-pack", "--listen=127.0.0.1",
            f"--port={DAEMON_PORT}", f"--base-path={root}", str(root),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", DAEMON_PORT), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield root
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_publish_over_the_git_protocol_to_git_daemon(daemon_root: Path, tmp_path: Path) -> None:
    dest = GitDestination(f"git+git://127.0.0.1:{DAEMON_PORT}/docs.git#main:docs")
    bundle = bundle_ref(fake_bundle(tmp_path / "b1", {"a.md": "# A\n"}))
    placement = dest.publish(bundle)
    assert placement.created
    assert not dest.publish(bundle).created
    repo = daemon_root / "docs.git"
    assert trailers(repo) == [bundle.manifest_sha256]
    located = GitDestination(f"git+git://127.0.0.1:{DAEMON_PORT}/docs.git#main:docs").locate(bundle.manifest_sha256)
    assert located is not None and located.revision == placement.revision
