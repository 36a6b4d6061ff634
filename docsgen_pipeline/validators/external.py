"""Opt-in online check of external http(s) links (``--check-external``; off by default).

The only part of ``docsgen validate`` that uses the network.  Each distinct URL is requested
once (HEAD, then GET when a server refuses HEAD) from a small thread pool; failures are
``external-link`` findings, a warning by default since remote sites come and go.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

from docsgen_pipeline.validators.cache import FileRecord
from docsgen_pipeline.validators.findings import Finding, issue

TIMEOUT_S = 10.0
_HEADERS = {"User-Agent": "docsgen-validate (link check)"}


def probe(url: str, timeout: float = TIMEOUT_S) -> str | None:
    """None when the URL answers with a success or redirect status, else the problem."""
    problem = "no answer"
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers=_HEADERS)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                if response.status < 400:
                    return None
                problem = f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            problem = f"HTTP {exc.code}"
            if exc.code not in (403, 405, 501):  # servers that refuse HEAD get a GET
                return problem
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            return f"unreachable ({getattr(exc, 'reason', exc)})"
    return problem


def check_external_links(records: Mapping[str, FileRecord], workers: int = 16) -> list[Finding]:
    uses: dict[str, list[tuple[str, int]]] = {}
    for file, record in records.items():
        for link in record.document.links:
            url = link.href.split("#", 1)[0]
            if link.external and url.startswith(("http://", "https://")):
                uses.setdefault(url, []).append((file, link.line))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = dict(zip(uses, pool.map(probe, uses), strict=True))
    return [
        issue(file, line, "external-link", f"external link {url} failed: {problem}", "update or remove the link")
        for url, problem in results.items()
        if problem is not None
        for file, line in uses[url]
    ]
