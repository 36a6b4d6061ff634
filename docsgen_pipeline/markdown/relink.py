"""Point a document's relative links at other places (pure): the Dagster UI's asset pages, say.

Only links the parser saw are touched (never text inside code), each where it is written: inline
links in place, reference links on their definition line.  Links to files not in the map,
external links, same-page ``#fragment`` links and raw HTML stay exactly as they are.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping

from docsgen_pipeline.markdown.document import Link, parse_document
from docsgen_pipeline.markdown.flavors import Flavor

_REFERENCE = re.compile(r"^( {0,3}\[[^\]]+\]:[ \t]*<?)(\S+?)(>?(?:[ \t].*)?)$")


def _target(link: Link, urls: Mapping[str, str]) -> str | None:
    if link.external or link.raw or link.image or not link.path:
        return None
    return urls.get(posixpath.normpath(link.path))


def _destination(row: str, href: str, start: int) -> int:
    """Where ``href`` starts as an inline link's destination (``](href`` or ``](<href>``) on ``row``, at
    or after ``start``; -1 when it is not there (a reference link's destination is on its definition)."""
    hits = [at + len(opener) for opener in ("](", "](<") if (at := row.find(opener + href, start)) >= 0]
    return min(hits, default=-1)


def relink(text: str, urls: Mapping[str, str], flavor: Flavor | None = None) -> str:
    """``text`` with every relative link to a file named in ``urls`` pointing at ``urls[file]``."""
    doc = parse_document(text, flavor)
    lines = text.splitlines(keepends=True)
    referenced: dict[str, str] = {}
    cursor: dict[int, int] = {}  # line -> where the next link's destination may start (links come in order)
    for link in doc.links:
        if not 0 < link.line <= len(lines):
            continue
        url = _target(link, urls)
        row = lines[link.line - 1]
        at = _destination(row, link.href, cursor.get(link.line, 0))
        if at < 0:  # a reference link: its destination is on the definition's line
            if url is not None:
                referenced[link.href] = url
            continue
        if url is not None:
            lines[link.line - 1] = row[:at] + url + row[at + len(link.href) :]
        cursor[link.line] = at + len(url if url is not None else link.href)
    if referenced:
        for index, row in enumerate(lines):
            body = row.rstrip("\r\n")
            match = _REFERENCE.match(body)
            if match and match.group(2) in referenced:
                lines[index] = match.group(1) + referenced[match.group(2)] + match.group(3) + row[len(body) :]
    return "".join(lines)
