"""Cross-file rules on links: broken-link and broken-fragment."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Container
from difflib import get_close_matches

from docsgen_pipeline.markdown.document import Document
from docsgen_pipeline.validators.findings import Finding, issue
from docsgen_pipeline.validators.resolve import find_target, resolve_in

# Fragments every browser honours without an element carrying the id.
_BUILTIN_FRAGMENTS = frozenset({"", "top"})


def fragment_exists(fragment: str, doc: Document) -> bool:
    if fragment in _BUILTIN_FRAGMENTS or fragment in doc.anchors:
        return True
    # GitHub matches heading anchors case-insensitively (its ids are lower-case slugs anyway).
    lowered = fragment.lower()
    return any(a.lower() == lowered for a in doc.anchors)


def _closest(fragment: str, doc: Document) -> str:
    match = get_close_matches(fragment.lower(), sorted(doc.anchors), n=1, cutoff=0.6)
    return f"did you mean '#{match[0]}'?" if match else "link to an existing heading or add an explicit anchor"


def check_links(
    file: str,
    doc: Document,
    known: Container[str],
    document_of: Callable[[str], Document | None],
    skip: re.Pattern[str] | None = None,
) -> list[Finding]:
    """``known``: every path a link may resolve to (corpus, planned and other existing files);
    ``document_of``: the parsed Markdown file at a path, None when it has no anchors to check
    (planned but unwritten, ignored, or not Markdown); ``skip``: hrefs never checked (e.g. Sphinx/MyST
    cross-reference targets that look like relative links)."""
    found: list[Finding] = []
    folder = posixpath.dirname(file)
    for link in doc.links:
        if link.external or (skip is not None and skip.search(link.href)):
            continue
        if not link.path:
            if link.fragment is not None and not fragment_exists(link.fragment, doc):
                found.append(
                    issue(
                        file,
                        link.line,
                        "broken-fragment",
                        f"'#{link.fragment}' matches no heading or anchor in this file",
                        _closest(link.fragment, doc),
                    )
                )
            continue
        resolved = resolve_in(folder, link.path)
        target = find_target(resolved, known)
        if target is None:
            what = "image" if link.image else "link"
            written = link.path.removeprefix("./")
            where = "" if resolved == written else f" (resolved to '{resolved}')"
            found.append(
                issue(
                    file,
                    link.line,
                    "broken-link",
                    f"{what} target '{link.path}' does not exist{where}",
                    "fix the path (it is relative to this file) or create the file",
                )
            )
            continue
        if link.fragment is None:
            continue
        target_doc = document_of(target)
        if target_doc is None or fragment_exists(link.fragment, target_doc):
            continue
        found.append(
            issue(
                file,
                link.line,
                "broken-fragment",
                f"'#{link.fragment}' matches no heading or anchor in {target}",
                _closest(link.fragment, target_doc),
            )
        )
    return found
