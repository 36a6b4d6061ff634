"""Heading slugs the way GitHub (and MkDocs' default toc) compute them.

The generator uses these to write ``#fragment`` links and the gate uses the same function to
resolve them, so a link the generator writes can never be judged by a different rule.
"""

from __future__ import annotations

import re

# GitHub (github-slugger) and mdit-py-plugins' anchors: lower-case, drop everything but word
# characters (Unicode letters, digits, underscore), hyphens and spaces, then spaces -> hyphens.
# Written out rather than imported from mdit_py_plugins so that slugging does not import the
# Markdown parser (a fully cached ``docsgen validate`` run never needs it).
_NOT_SLUG = re.compile(r"[^\w\- ]")


def github_slug(text: str) -> str:
    """``"Schema conventions"`` -> ``"schema-conventions"`` (GitHub's algorithm)."""
    return _NOT_SLUG.sub("", text.strip().lower()).replace(" ", "-")


class SlugCounter:
    """Gives duplicate headings GitHub's ``-1``, ``-2`` … suffixes, in document order."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def add(self, text: str) -> str:
        base = github_slug(text)
        slug = base
        count = self._seen.get(base, 0)
        while slug in self._seen and count:
            slug = f"{base}-{count}"
            count += 1
        if slug != base:
            self._seen[base] = count
        else:
            self._seen[base] = 1
        self._seen.setdefault(slug, 1)
        return slug


def slugs_for(headings: list[str]) -> list[str]:
    counter = SlugCounter()
    return [counter.add(h) for h in headings]
