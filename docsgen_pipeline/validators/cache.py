"""The result cache of ``docsgen validate``: per-file facts and findings keyed by content hash.

A file whose bytes (and the per-file configuration) are unchanged is not parsed again: its
cached headings, anchors and links feed the cross-file rules and its per-file findings are
replayed.  Stored as JSON, never pickle, because the cache lives next to the documents and a
checked-out repository must not be able to run code through it.

Layout: ``<cache dir>/validate.json`` = ``{"version", "fingerprint", "files": {path: [digest,
document, findings]}}``; a version or fingerprint mismatch discards everything.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docsgen_pipeline.markdown.document import Document, Heading, Link
from docsgen_pipeline.validators.findings import Finding

CACHE_VERSION = 2  # bump whenever the parser, the document model or a per-file rule changes
CACHE_FILE = "validate.json"
_GITIGNORE = "# Created by docsgen validate; safe to delete.\n*\n"


@dataclass(frozen=True, slots=True)
class FileRecord:
    digest: str
    document: Document  # without prose: the per-file rules already ran
    findings: tuple[Finding, ...]


def document_to_json(doc: Document) -> list[Any]:
    return [
        doc.blank,
        doc.headings,  # NamedTuples: JSON arrays as they are
        sorted(doc.anchors),
        doc.links,
        list(doc.first_block) if doc.first_block else None,
        list(doc.thematic_breaks),
        [[line, sorted(rules)] for line, rules in doc.suppressed],
        list(doc.includes),
    ]


def document_from_json(data: list[Any]) -> Document:
    blank, headings, anchors, links, first_block, breaks, suppressed, includes = data
    return Document(
        blank=blank,
        headings=tuple(map(Heading._make, headings)),
        anchors=frozenset(anchors),
        links=tuple(map(Link._make, links)),
        prose=(),
        first_block=(first_block[0], first_block[1]) if first_block else None,
        thematic_breaks=tuple(breaks),
        suppressed=tuple((line, frozenset(rules)) for line, rules in suppressed),
        includes=tuple(includes),
    )


def record_to_json(record: FileRecord) -> list[Any]:
    findings = [[f.line, f.rule, f.severity, f.message, f.suggestion] for f in record.findings]
    return [record.digest, document_to_json(record.document), findings]


def record_from_json(file: str, data: list[Any]) -> FileRecord:
    digest, document, findings = data
    return FileRecord(digest, document_from_json(document), tuple(Finding(file, *f) for f in findings))


class ResultCache:
    """Load once, look up by (path, digest), save once; a missing or corrupt file is an empty cache."""

    def __init__(self, directory: Path | None, fingerprint: str) -> None:
        self.directory = directory
        self.fingerprint = fingerprint
        self._raw: dict[str, list[Any]] = {}
        self._fresh: dict[str, list[Any]] = {}
        self.dirty = False
        if directory is None:
            return
        try:
            data = json.loads((directory / CACHE_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if isinstance(data, dict) and data.get("version") == CACHE_VERSION and data.get("fingerprint") == fingerprint:
            files = data.get("files")
            self._raw = files if isinstance(files, dict) else {}

    def get(self, file: str, digest: str) -> FileRecord | None:
        raw = self._raw.get(file)
        if raw is None or raw[0] != digest:
            return None
        try:
            record = record_from_json(file, raw)
        except (TypeError, ValueError):
            return None
        self._fresh[file] = raw
        return record

    @property
    def empty(self) -> bool:
        return not self._raw

    def put(self, file: str, record: FileRecord) -> None:
        self.put_raw(file, record_to_json(record))

    def put_raw(self, file: str, raw: list[Any]) -> None:
        """Store a record already in its JSON form (as the worker processes return it)."""
        self._fresh[file] = raw
        self.dirty = True

    def save(self) -> None:
        """Write the entries seen in this run (files that disappeared are dropped)."""
        if self.directory is None or not (self.dirty or set(self._raw) != set(self._fresh)):
            return
        tmp: str | None = None
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            ignore = self.directory / ".gitignore"
            if not ignore.exists():
                ignore.write_text(_GITIGNORE, encoding="utf-8")
            payload = {"version": CACHE_VERSION, "fingerprint": self.fingerprint, "files": self._fresh}
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".validate-", suffix=".tmp")
            # dumps, not dump: dump streams through the pure-Python encoder, ten times slower.
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(json.dumps(payload, separators=(",", ":"), ensure_ascii=False))
            os.replace(tmp, self.directory / CACHE_FILE)
        except OSError:
            # A read-only checkout still validates; it just stays cold next time.
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
