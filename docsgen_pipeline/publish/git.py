"""Publish to a folder of a branch in a git repository, one commit per bundle (real ``git`` CLI).

URL: ``git+file:///srv/repos/docs.git#main:docs/acme`` (also ``git+ssh://``, ``git+https://`` and
``git+git://``). The fragment is ``branch:path``; the branch defaults to ``main`` and the path to
the repository root. The bundle's files replace that folder's content in one commit whose message
names the docs run and bundle version and ends with the trailer ``DocsGen-Bundle: <manifest
sha256>``; the commit is pushed to the remote (a bare repository on disk is a remote too). The
trailer is how a later process finds out, from the repository alone, whether a bundle is there.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from docsgen_pipeline.errors import DestinationError, DestinationUnavailableError, PublishError
from docsgen_pipeline.publish.destination import BundleRef, Placement

TRAILER = "DocsGen-Bundle"
_BRANCH_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
_PUSH_ATTEMPTS = 3  # a push rejected because the branch moved is retried on top of the new head
_IDENTITY = {"GIT_AUTHOR_NAME": "DocsGen", "GIT_AUTHOR_EMAIL": "docsgen@localhost"}


def _git_env() -> dict[str, str]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    # A machine without a git identity (CI, containers) still gets a commit author.
    for key, value in _IDENTITY.items():
        env.setdefault(key, value)
        env.setdefault(key.replace("AUTHOR", "COMMITTER"), env[key])
    return env


class GitDestination:
    def __init__(self, url: str) -> None:
        raw, _, fragment = url.partition("#")
        if not raw.startswith("git+"):
            raise DestinationError(f"{url}: a git destination starts with git+file://, git+ssh:// or git+https://")
        self.remote = raw[len("git+") :]
        parts = urlsplit(self.remote)
        if not parts.path or parts.path == "/":
            raise DestinationError(f"{url}: name the repository, e.g. git+file:///srv/repos/docs.git#main:docs")
        branch, _, folder = fragment.partition(":")
        self.branch = branch or "main"
        if not _BRANCH_RE.match(self.branch) or ".." in self.branch:
            raise DestinationError(f"{url}: invalid branch {self.branch!r} in #branch:path")
        path = PurePosixPath(folder.strip("/")) if folder.strip("/") else PurePosixPath(".")
        if ".." in path.parts:
            raise DestinationError(f"{url}: the path in #branch:path must stay inside the repository")
        self.path = path.as_posix()
        self.url = f"{raw}#{self.branch}" + ("" if self.path == "." else f":{self.path}")

    # -- plumbing ---------------------------------------------------------------------------
    def _git(self, cwd: Path, *args: str) -> str:
        try:
            done = subprocess.run(
                ["git", *args], cwd=cwd, env=_git_env(), capture_output=True, text=True, check=False, timeout=300
            )
        except FileNotFoundError:
            raise PublishError("git is not installed (apt-get install git)") from None
        except subprocess.TimeoutExpired:
            raise DestinationUnavailableError(f"{self.url}: git {args[0]} timed out after 300 s") from None
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip().splitlines()
            last = detail[-1] if detail else f"exit {done.returncode}"
            raise DestinationUnavailableError(f"{self.url}: git {args[0]} failed: {last}")
        return done.stdout

    def _remote_head(self, work: Path) -> str | None:
        heads = self._git(work, "ls-remote", "--heads", self.remote, f"refs/heads/{self.branch}").split()
        return heads[0] if heads else None

    def _fetch(self, work: Path) -> str | None:
        """Fetch the branch into an empty repository at ``work``; its head commit, or None if missing."""
        self._git(work, "init", "-q")
        if self._remote_head(work) is None:
            return None
        self._git(work, "fetch", "-q", "--no-tags", self.remote, f"+refs/heads/{self.branch}:refs/remotes/dest/head")
        return self._git(work, "rev-parse", "refs/remotes/dest/head").strip()

    def _placement(self, line: str, created: bool) -> Placement:
        commit, at, sha = line.split("\x1f")
        return Placement(
            destination=self.url,
            manifest_sha256=sha.strip(),
            location=f"{self.url} @ {commit[:12]}",
            revision=commit,
            at=at,
            created=created,
        )

    def _log(self, work: Path, head: str, *options: str, path: str | None = None) -> list[str]:
        fmt = f"--format=%H%x1f%cI%x1f%(trailers:key={TRAILER},valueonly,separator=)"
        paths = ["--", path] if path is not None else []
        return [line for line in self._git(work, "log", fmt, *options, head, *paths).splitlines() if line.strip()]

    # -- Destination ------------------------------------------------------------------------
    def locate(self, manifest_sha256: str) -> Placement | None:
        with tempfile.TemporaryDirectory(prefix="docsgen-git-") as tmp:
            work = Path(tmp)
            head = self._fetch(work)
            if head is None:
                return None
            lines = self._log(work, head, "-F", f"--grep={TRAILER}: {manifest_sha256}")
            found = [self._placement(line, created=False) for line in lines]
            found = [p for p in found if p.manifest_sha256 == manifest_sha256]
            return found[-1] if found else None  # the first commit that published it

    def _current(self, work: Path, head: str) -> Placement | None:
        lines = self._log(work, head, "-1", path=self.path)
        if not lines:
            return None
        placement = self._placement(lines[0], created=False)
        return placement if placement.manifest_sha256 else None  # last touched by hand: no bundle is current

    def current(self) -> Placement | None:
        with tempfile.TemporaryDirectory(prefix="docsgen-git-") as tmp:
            work = Path(tmp)
            head = self._fetch(work)
            return None if head is None else self._current(work, head)

    def publish(self, bundle: BundleRef) -> Placement:
        files = bundle.files()
        for _ in range(_PUSH_ATTEMPTS):
            with tempfile.TemporaryDirectory(prefix="docsgen-git-") as tmp:
                work = Path(tmp)
                head = self._fetch(work)
                if head is not None:
                    current = self._current(work, head)
                    if current is not None and current.manifest_sha256 == bundle.manifest_sha256:
                        return current
                    self._git(work, "checkout", "-q", "-B", self.branch, head)
                    self._git(work, "rm", "-r", "-q", "--ignore-unmatch", "--", self.path)
                else:
                    self._git(work, "checkout", "-q", "--orphan", self.branch)
                target = work / self.path
                if target.exists() and self.path != ".":
                    shutil.rmtree(target)  # untracked leftovers cannot exist in a fresh clone, but be exact
                for relative, data in files.items():
                    out = target / relative
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(data)
                self._git(work, "add", "-A", "--", self.path)
                self._git(work, "commit", "-q", "--allow-empty", "-m", self._message(bundle, len(files)))
                commit = self._git(work, "rev-parse", "HEAD").strip()
                try:
                    self._git(work, "push", "-q", self.remote, f"HEAD:refs/heads/{self.branch}")
                except DestinationUnavailableError:
                    if self._remote_head(work) != head:
                        continue  # somebody pushed meanwhile: start again from the new head
                    raise
                at = self._git(work, "log", "-1", "--format=%cI", commit).strip()
                return Placement(
                    destination=self.url,
                    manifest_sha256=bundle.manifest_sha256,
                    location=f"{self.url} @ {commit[:12]}",
                    revision=commit,
                    at=at,
                    created=True,
                )
        raise DestinationUnavailableError(f"{self.url}: the branch kept moving; {_PUSH_ATTEMPTS} pushes were rejected")

    def _message(self, bundle: BundleRef, count: int) -> str:
        project = f" ({bundle.project})" if bundle.project else ""
        return (
            f"docs: publish docs run {bundle.run_id} bundle v{bundle.version}{project}\n\n"
            f"{count} files from DocsGen docs run {bundle.run_id}, bundle v{bundle.version}, into "
            f"{'the repository root' if self.path == '.' else self.path}/.\n\n"
            f"DocsGen-Run: {bundle.run_id}\n"
            f"DocsGen-Bundle-Version: {bundle.version}\n"
            f"{TRAILER}: {bundle.manifest_sha256}\n"
        )
