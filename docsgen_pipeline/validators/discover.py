"""Finding the Markdown files of a directory, honouring ignore globs.

Globs follow .gitignore habits: ``*`` and ``?`` stay inside one path segment, ``**`` crosses
segments, a glob without ``/`` matches a name at any depth, and a glob that matches a directory
ignores everything below it.  Hidden directories, ``node_modules`` and ``__pycache__`` are never
entered (links into them are still resolved on disk).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from docsgen_pipeline.markdown.document import MARKDOWN_SUFFIXES

_SKIP_DIRS = frozenset({"node_modules", "__pycache__", "site-packages"})


def glob_regex(glob: str) -> re.Pattern[str]:
    pattern = glob.strip().strip("/")
    anchored = "/" in pattern
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    body = "".join(out)
    return re.compile(body if anchored else f"(?:.*/)?{body}")


@dataclass(frozen=True)
class Ignore:
    patterns: tuple[re.Pattern[str], ...]

    @classmethod
    def of(cls, globs: tuple[str, ...]) -> Ignore:
        return cls(tuple(glob_regex(g) for g in globs if g.strip()))

    def __call__(self, rel: str) -> bool:
        return bool(self.patterns) and any(p.fullmatch(rel) for p in self.patterns)


def markdown_files(root: Path, ignore: Ignore) -> list[str]:
    """The Markdown files to validate under ``root``, as sorted posix paths relative to it.

    Ignored files are simply not listed: links to them still resolve through the file system,
    but their anchors are not read.
    """
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        rel_dir = os.path.relpath(folder, root).replace(os.sep, "/")
        prefix = "" if rel_dir == "." else rel_dir + "/"
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS and not ignore(prefix + d)]
        found.extend(prefix + name for name in files if name.endswith(MARKDOWN_SUFFIXES) and not ignore(prefix + name))
    return sorted(found)
