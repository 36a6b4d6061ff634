"""Cross-file rules on links: broken-link and broken-fragment, as the flavour's renderer resolves them."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Container
from difflib import get_close_matches

from docsgen_pipeline.markdown.document import Document, Link
from docsgen_pipeline.markdown.flavors import FLAVORS, Flavor
from docsgen_pipeline.validators.findings import Finding, issue
from docsgen_pipeline.validators.resolve import find_target, index_of, resolve_in

# Fragments every browser honours without an element carrying the id.
_BUILTIN_FRAGMENTS = frozenset({"", "top"})


def fragment_exists(fragment: str, doc: Document, flavor: Flavor | None = None) -> bool:
    if fragment in _BUILTIN_FRAGMENTS or fragment in doc.anchors:
        return True
    if flavor is not None and not flavor.case_insensitive_fragments:
        return False
    # GitHub matches heading anchors case-insensitively (its ids are lower-case slugs anyway).
    lowered = fragment.lower()
    return any(a.lower() == lowered for a in doc.anchors)


def _closest(fragment: str, doc: Document) -> str:
    match = get_close_matches(fragment.lower(), sorted(doc.anchors), n=1, cutoff=0.6)
    return f"did you mean '#{match[0]}'?" if match else "link to an existing heading or add an explicit anchor"


def _at(file: str, link: Link, rule: str, message: str, suggestion: str) -> Finding:
    return issue(file, link.line, rule, message, suggestion, column=link.column, target=link.href)


def check_links(
    file: str,
    doc: Document,
    known: Container[str],
    document_of: Callable[[str], Document | None],
    skip: re.Pattern[str] | None = None,
    flavor: Flavor | None = None,
    is_directory: Callable[[str], bool] | None = None,
) -> list[Finding]:
    """``known``: every path a link may resolve to (corpus, planned and other existing files);
    ``document_of``: the parsed Markdown file at a path (anchors of its includes merged), None when
    it has no anchors to check (planned but unwritten, ignored, or not Markdown); ``skip``: hrefs
    never checked (e.g. Sphinx/MyST cross-reference targets that look like relative links);
    ``is_directory``: whether a known path is a directory (a link to one without an index page
    renders nothing outside GitHub)."""
    flavor = flavor if flavor is not None else FLAVORS["github"]
    found: list[Finding] = []
    folder = posixpath.dirname(file)
    here = document_of(file) or doc
    for link in doc.links:
        if link.external or (skip is not None and skip.search(link.href)):
            continue
        if not link.path:
            if link.fragment is None:
                if not link.href.strip():
                    what = "image" if link.image else "link"
                    message = f"{what} has an empty target"
                    found.append(_at(file, link, "broken-link", message, "write the target or drop the link"))
            elif not fragment_exists(link.fragment, here, flavor):
                found.append(
                    _at(
                        file,
                        link,
                        "broken-fragment",
                        f"'#{link.fragment}' matches no heading or anchor in this file",
                        _closest(link.fragment, here),
                    )
                )
            continue
        # Fast path: a Markdown link to a file of the set resolves relative to its source in every
        # flavour; only misses (and raw HTML) ask the flavour where else the renderer looks.
        resolved = "" if link.raw else resolve_in(folder, link.path)
        if resolved and resolved in known:
            target: str | None = resolved
        else:
            candidates = flavor.link_targets(file, link.path, link.raw)
            resolved = candidates[0]
            target = find_target(resolved, known, candidates[1:])
        what = "image" if link.image else "link"
        if target is None:
            written = link.path.removeprefix("./")
            where = "" if resolved == written else f" (resolved to '{resolved}')"
            found.append(
                _at(
                    file,
                    link,
                    "broken-link",
                    f"{what} target '{link.path}' does not exist{where}",
                    "fix the path (it is relative to this file) or create the file",
                )
            )
            continue
        if is_directory is not None and is_directory(target):
            index = index_of(target, known)
            if index is None and not flavor.directory_links:
                found.append(
                    _at(
                        file,
                        link,
                        "broken-link",
                        f"{what} target '{link.path}' is a directory without an index page",
                        f"{flavor.name} renders no page for it: link a file in it or add index.md",
                    )
                )
                continue
            target = index or target
        if link.fragment is None:
            continue
        target_doc = document_of(target)
        if target_doc is None or fragment_exists(link.fragment, target_doc, flavor):
            continue
        found.append(
            _at(
                file,
                link,
                "broken-fragment",
                f"'#{link.fragment}' matches no heading or anchor in {target}",
                _closest(link.fragment, target_doc),
            )
        )
    return found
