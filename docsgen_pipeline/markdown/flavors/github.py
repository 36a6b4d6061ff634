"""GitHub (github-slugger): lower-case, keep word characters, hyphens and spaces, spaces -> ``-``;
duplicates get ``-1``, ``-2``; footnotes are ``#user-content-fn-LABEL``."""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass

from docsgen_pipeline.markdown.slugs import SlugCounter, github_slug
from docsgen_pipeline.validators.resolve import resolve_in


@dataclass(frozen=True)
class GitHubFlavor:
    name: str = "github"
    # GitHub ignores attribute lists, but many trees browsed on GitHub are also rendered by a
    # tool that honours them; an explicit id is accepted besides the GitHub slug.
    attr_lists: bool = True
    last_wins_references: bool = False
    directory_links: bool = True
    case_insensitive_fragments: bool = True

    @property
    def key(self) -> str:
        return self.name

    def slug(self, text: str) -> str:
        return github_slug(text)

    def heading_ids(self, headings: Sequence[tuple[str, str | None]], taken: set[str]) -> list[str]:
        counter = SlugCounter()
        # An explicit id replaces the generated one and takes no duplicate number.
        return [github_slug(text) if explicit else counter.add(text) for text, explicit in headings]

    def built_pages(self, file: str) -> tuple[str, ...]:
        # GitHub renders in place; a site built from the tree by another tool uses plain .html names.
        return (file.rsplit(".", 1)[0] + ".html",)

    def footnote_ids(self, label: str) -> tuple[str, ...]:
        return (f"user-content-fn-{label}", f"user-content-fnref-{label}", f"fn-{label}", f"fnref-{label}")

    def block_anchors(self, text: str, headings: Sequence[tuple[int, str]]) -> list[str]:
        return []

    def preprocess(self, text: str) -> str:
        return text

    def includes(self, text: str) -> list[str]:
        return []

    def include_candidates(self, file: str, path: str) -> tuple[str, ...]:
        return ()

    def link_targets(self, file: str, path: str, raw: bool) -> tuple[str, ...]:
        return (resolve_in(posixpath.dirname(file), path),)
