"""Resolving a link's path against the doc set, the way GitHub and MkDocs do for relative links."""

from __future__ import annotations

import posixpath
from collections.abc import Container
from functools import lru_cache

INDEX_NAMES = ("index.md", "README.md", "readme.md", "Readme.md")


def resolve_path(source: str, path: str) -> str:
    """Path of ``path`` (as written in ``source``) relative to the doc-set root; ``""`` = ``source`` itself.

    A leading ``/`` means the doc-set root, as on GitHub.  The result may start with ``../`` when
    the link leaves the doc set.
    """
    if not path:
        return posixpath.normpath(source)
    return resolve_in(posixpath.dirname(source), path)


@lru_cache(maxsize=65536)
def resolve_in(folder: str, path: str) -> str:
    """:func:`resolve_path` for a link written in a file of ``folder`` (``path`` non-empty)."""
    # Memoised: files of one folder link to the same targets over and over.
    joined = path.lstrip("/") if path.startswith("/") else posixpath.join(folder, path)
    return posixpath.normpath(joined) if joined else "."


def find_target(resolved: str, known: Container[str], candidates: tuple[str, ...] = ()) -> str | None:
    """The known file a resolved path names; directory links fall back to their index page.

    ``candidates``: other paths the renderer maps the link to (mdBook: ``ch1.html`` -> ``ch1.md``),
    tried in order after ``resolved``."""
    for path in (resolved, *candidates):
        if path in known:
            return path
        index = index_of(path, known)
        if index is not None:
            return index
    return None


def index_of(directory: str, known: Container[str]) -> str | None:
    base = "" if directory == "." else directory + "/"
    for name in INDEX_NAMES:
        if base + name in known:
            return base + name
    return None
