"""``docsgen validate`` on a directory: discover, analyse per file (cached, in parallel), then
resolve links across files.

Per file (parallel, cached by content hash): parse once, run the per-file rules and terminology,
keep the headings, anchors and links.  Across files (always, cheap): links, fragments, schema
references and plan conformance over the cached facts.  So a warm run after one edit parses one
file and re-resolves the links.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from docsgen_pipeline.markdown.document import MARKDOWN_SUFFIXES, Document, parse_document, parser
from docsgen_pipeline.markdown.flavors import Flavor
from docsgen_pipeline.markdown.flavors.detect import flavor_for
from docsgen_pipeline.validators.cache import FileRecord, ResultCache, record_from_json, record_to_json
from docsgen_pipeline.validators.config import ValidateConfig
from docsgen_pipeline.validators.discover import Ignore, markdown_files
from docsgen_pipeline.validators.file_rules import (
    check_nav_block,
    check_nav_pattern,
    check_non_empty,
    check_placeholders,
    check_single_h1_first,
)
from docsgen_pipeline.validators.findings import Finding, sort_findings, unsuppressed
from docsgen_pipeline.validators.glossary import GlossaryTerm
from docsgen_pipeline.validators.links import check_links
from docsgen_pipeline.validators.plan import check_required_headings
from docsgen_pipeline.validators.schema_refs import check_schema_refs
from docsgen_pipeline.validators.terminology import check_terminology

_BUILT_ID = re.compile(r"""\bid=(?:"([^"]+)"|'([^']+)')""")
# Below this many files to parse, forking workers costs more than it saves.
PARALLEL_THRESHOLD = 24


@dataclass(frozen=True)
class PerFileSettings:
    glossary: tuple[GlossaryTerm, ...]
    nav_targets: tuple[str, ...] | None
    nav_pattern: str | None
    flavor: Flavor


@dataclass(frozen=True)
class Report:
    findings: list[Finding]
    files: int  # Markdown files validated
    parsed: int  # of which parsed in this run (cache misses)
    flavor: str = "github"  # the renderer whose rules judged links and anchors

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")


def digest_of(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def decode(data: bytes) -> str:
    return data.decode("utf-8-sig", errors="replace")


def analyse(file: str, text: str, digest: str, settings: PerFileSettings) -> FileRecord:
    """Parse one file and run every rule that needs only that file."""
    doc = parse_document(text, settings.flavor)
    if doc.blank:
        found = check_non_empty(file, doc)
    else:
        found = check_single_h1_first(file, doc) + check_placeholders(file, doc)
        if settings.nav_targets is not None:
            found += check_nav_block(file, doc, settings.nav_targets)
        if settings.nav_pattern is not None:
            found += check_nav_pattern(file, text, doc, settings.nav_pattern)
        found += check_terminology(file, doc, settings.glossary)
    return FileRecord(digest, replace(doc, prose=()), tuple(found))


def _analyse_batch(root: str, files: list[str], settings: PerFileSettings) -> list[tuple[str, list[Any]]]:
    # Results travel back as the cache's JSON-ready lists: they pickle several times faster
    # than the dataclasses and the parent stores them as they are.
    out = []
    for file in files:
        with open(os.path.join(root, file), "rb") as handle:
            data = handle.read()
        out.append((file, record_to_json(analyse(file, decode(data), digest_of(data), settings))))
    return out


def _batches(files: list[str], sizes: dict[str, int], count: int) -> list[list[str]]:
    """Split into ``count`` batches of similar byte size (largest first, greedy)."""
    bins: list[list[str]] = [[] for _ in range(count)]
    load = [0] * count
    for file in sorted(files, key=lambda f: -sizes[f]):
        i = load.index(min(load))
        bins[i].append(file)
        load[i] += sizes[file] + 2048  # a fixed per-file cost on top of the bytes
    return [b for b in bins if b]


def _analyse_all(
    root: Path, files: list[str], sizes: dict[str, int], settings: PerFileSettings, jobs: int
) -> Iterable[tuple[str, list[Any]]]:
    if jobs <= 1 or len(files) < PARALLEL_THRESHOLD:
        return _analyse_batch(str(root), files, settings)
    # Imported here: the warm path (few files to parse) never needs them.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork shares the already imported parser with the workers; elsewhere use the platform default.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    parser(settings.flavor.last_wins_references)  # build the parser once, before forking, not once per worker
    batches = _batches(files, sizes, jobs * 4)
    out: list[tuple[str, list[Any]]] = []
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        for result in pool.map(_analyse_batch, [str(root)] * len(batches), batches, [settings] * len(batches)):
            out.extend(result)
    return out


class _Known:
    """Link targets: the validated files first, then the file system (images, ignored files, ../)."""

    def __init__(self, root: Path, files: Iterable[str], site: Path | None = None) -> None:
        self.root = root
        self.site = site
        self.files = set(files)
        self._disk: dict[str, bool] = {}

    def __contains__(self, path: object) -> bool:
        if not isinstance(path, str):
            return False
        if path in self.files:
            return True
        hit = self._disk.get(path)
        if hit is None:
            hit = os.path.exists(self.root / path) or (self.site is not None and os.path.exists(self.site / path))
            self._disk[path] = hit
        return hit

    def is_directory(self, path: str) -> bool:
        return path not in self.files and (path == "." or os.path.isdir(self.root / path))


class _Documents:
    """Parsed Markdown by path, each with the anchors of the files it includes (snippets,
    ``{{#include}}``) merged in; included files outside the validated set are read from disk."""

    def __init__(self, root: Path, records: dict[str, FileRecord], flavor: Flavor, site: Path | None = None) -> None:
        self.root = root
        self.site = site
        self.records = records
        self.flavor = flavor
        self._merged: dict[str, Document | None] = {}

    def _own(self, path: str) -> Document | None:
        record = self.records.get(path)
        if record is not None:
            return record.document if path.endswith(MARKDOWN_SUFFIXES) else None
        if path.startswith("/") or not path.endswith(MARKDOWN_SUFFIXES):
            return None
        try:
            text = decode((self.root / path).read_bytes())
        except OSError:
            return None
        return parse_document(text, self.flavor)

    def _built_ids(self, path: str) -> frozenset[str]:
        """Ids of the page a build made from ``path`` (plugins, hooks, API docs add their own)."""
        assert self.site is not None
        for page in self.flavor.built_pages(path):
            try:
                html = (self.site / page).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            return frozenset(m.group(1) or m.group(2) for m in _BUILT_ID.finditer(html))
        return frozenset()

    def __call__(self, path: str, depth: int = 0) -> Document | None:
        if path in self._merged:
            return self._merged[path]
        doc = self._own(path)
        if doc is not None and doc.includes and depth < 8:
            self._merged[path] = doc  # guards include cycles
            anchors = set(doc.anchors)
            for written in doc.includes:
                for candidate in self.flavor.include_candidates(path, written):
                    included = self(candidate, depth + 1)
                    if included is not None:
                        anchors |= included.anchors
                        break
            doc = replace(doc, anchors=frozenset(anchors))
        if doc is not None and self.site is not None:
            built = self._built_ids(path)
            if built:
                doc = replace(doc, anchors=doc.anchors | built)
        self._merged[path] = doc
        return doc


def cross_file(
    root: Path,
    records: dict[str, FileRecord],
    config: ValidateConfig,
    flavor: Flavor | None = None,
    site: Path | None = None,
) -> list[Finding]:
    """``site``: an already built site whose pages' ids and files count as anchors and targets."""
    flavor = flavor if flavor is not None else flavor_for(root, config.flavor)
    known = _Known(root, records, site)
    document_of = _Documents(root, records, flavor, site)

    skip = re.compile("|".join(f"(?:{p})" for p in config.ignore_links)) if config.ignore_links else None
    found: list[Finding] = []
    for file, record in records.items():
        doc = record.document
        here = check_links(file, doc, known, document_of, skip, flavor, known.is_directory)
        refs = config.required_schema_refs.get(file)
        if refs:
            here += check_schema_refs(file, doc, refs, config.schema_file, flavor.slug)
        headings = config.required_headings.get(file)
        if headings:
            here += check_required_headings(file, doc, headings)
        found += unsuppressed(here, doc)
    for file in config.required_headings:
        if file not in records:
            found.append(
                Finding(file, 0, "plan-conformance", "error", "planned file missing", "create the file or drop it")
            )
    return found


def apply_levels(findings: Iterable[Finding], config: ValidateConfig, display: str) -> list[Finding]:
    """Configured severities ("off" drops the finding) and display paths (``display`` + path)."""
    out = []
    for f in findings:
        level = config.level(f.rule)
        if level != "off":
            out.append(replace(f, severity=level, file=display + f.file))
    return sort_findings(out)


def validate_tree(
    root: Path,
    config: ValidateConfig,
    *,
    cache_dir: Path | None,
    jobs: int | None = None,
    display: str = "",
    site: Path | None = None,
) -> Report:
    """Validate every Markdown file under ``root``; ``display`` prefixes reported paths."""
    files = markdown_files(root, Ignore.of(config.ignore))
    flavor = flavor_for(root, config.flavor)
    settings = PerFileSettings(
        config.glossary if config.level("terminology") != "off" else (),
        config.nav_targets if config.level("nav-block") != "off" else None,
        config.nav_pattern if config.level("nav-block") != "off" else None,
        flavor,
    )
    cache = ResultCache(cache_dir, f"{config.per_file_fingerprint()}/{flavor.key}")
    records: dict[str, FileRecord] = {}
    misses: list[str] = []
    sizes: dict[str, int] = {}
    for file in files:
        if cache.empty:  # cold: the workers read and hash, the parent only needs sizes to balance
            misses.append(file)
            sizes[file] = os.path.getsize(root / file)
            continue
        with open(root / file, "rb") as handle:
            data = handle.read()
        record = cache.get(file, digest_of(data))
        if record is None:
            misses.append(file)
            sizes[file] = len(data)
        else:
            records[file] = record
    for file, raw in _analyse_all(root, misses, sizes, settings, jobs or os.cpu_count() or 1):
        records[file] = record_from_json(file, raw)
        cache.put_raw(file, raw)
    cache.save()
    per_file = [f for record in records.values() for f in unsuppressed(record.findings, record.document)]
    findings = per_file + cross_file(root, dict(sorted(records.items())), config, flavor, site)
    if config.check_external and config.level("external-link") != "off":
        from docsgen_pipeline.validators.external import check_external_links

        findings += check_external_links(records)
    return Report(apply_levels(findings, config, display), len(files), len(misses), flavor.name)
