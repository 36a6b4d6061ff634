"""What a renderer flavour decides: heading ids, footnote ids, how links map to files, and which
Markdown extensions change what a document contains.

One :class:`Flavor` per renderer (``github``, ``mkdocs``, ``mdbook``), each in its own module and
listed in :data:`~docsgen_pipeline.markdown.flavors.FLAVORS`.  The generator, the phase gate and
``docsgen validate`` all take their slugs from the same flavour object, so a ``#fragment`` the
generator writes is judged by the rule the publishing renderer applies.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class Flavor(Protocol):
    """Implementations are frozen dataclasses: hashable (parse results are memoised per flavour)
    and picklable (they travel to the parsing worker processes)."""

    def __hash__(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def key(self) -> str:
        """Identity of the flavour and its options (part of the validate cache fingerprint)."""
        ...

    # Markdown the renderer understands beyond CommonMark.
    @property
    def attr_lists(self) -> bool:
        """``{#id}`` / ``{ id="x" }`` attribute lists set ids (and are stripped from headings)."""
        ...

    @property
    def last_wins_references(self) -> bool:
        """Duplicate reference definitions: the last wins (Python-Markdown) instead of the first."""
        ...

    @property
    def directory_links(self) -> bool:
        """A link to a directory without an index page still renders (GitHub's tree view)."""
        ...

    @property
    def case_insensitive_fragments(self) -> bool: ...

    def slug(self, text: str) -> str:
        """The id of a heading with this text (no duplicate suffix)."""
        ...

    def heading_ids(self, headings: Sequence[tuple[str, str | None]], taken: set[str]) -> list[str]:
        """Ids of ``(text, explicit id)`` headings in document order, with duplicate suffixes.

        ``taken`` holds the other ids of the page (HTML, attribute lists); renderers that keep
        ids unique across the page consult it."""
        ...

    def block_anchors(self, text: str, headings: Sequence[tuple[int, str]]) -> list[str]:
        """Ids renderer blocks give themselves (content tabs); ``headings``: (line, id) in order."""
        ...

    def built_pages(self, file: str) -> tuple[str, ...]:
        """Where a built site holds the page of ``file`` (relative to the site root), if it builds one."""
        ...

    def footnote_ids(self, label: str) -> tuple[str, ...]:
        """Ids the renderer gives a footnote (definition and first reference)."""
        ...

    def preprocess(self, text: str) -> str:
        """Rewrite renderer-only block syntax as CommonMark the parser reads, keeping every line
        where it is (the line count never changes)."""
        ...

    def includes(self, text: str) -> list[str]:
        """Paths of files whose content the renderer includes into this page, as written."""
        ...

    def include_candidates(self, file: str, path: str) -> tuple[str, ...]:
        """Doc-set paths an include written in ``file`` may name, most likely first."""
        ...

    def link_targets(self, file: str, path: str, raw: bool) -> tuple[str, ...]:
        """Doc-set paths a link to ``path`` written in ``file`` may name, the renderer's first
        choice first (directory index pages are tried on top).  ``raw``: written in raw HTML."""
        ...
