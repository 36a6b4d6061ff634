"""The terminology rule: glossary terms spelled as the glossary spells them, in prose only."""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from docsgen_pipeline.markdown.document import Document
from docsgen_pipeline.validators.findings import Finding, issue


class Term(Hashable, Protocol):
    """A glossary entry: the pipeline's ``GlossaryEntry`` and the CLI's glossary file both fit."""

    @property
    def term(self) -> str: ...

    @property
    def forbidden(self) -> tuple[str, ...]: ...


def _phrase(words: str) -> str:
    # Any whitespace between words: a term may wrap across a soft line break.
    return r"\s+".join(re.escape(w) for w in words.split())


@dataclass(frozen=True, slots=True)
class _Matcher:
    term: str
    pattern: re.Pattern[str]  # term, any case
    variants: tuple[tuple[str, re.Pattern[str]], ...]
    case_matters: bool  # an upper-case letter beyond the first character: SKU, DocsGen, Acme Orders


def _bounded(body: str) -> str:
    return rf"(?<![\w-]){body}(?![\w-])"


@lru_cache(maxsize=64)
def _matchers(glossary: tuple[Term, ...]) -> tuple[_Matcher, ...]:
    out: list[_Matcher] = []
    for entry in glossary:
        term = " ".join(entry.term.split())
        if not term:
            continue
        variants = []
        for variant in entry.forbidden:
            variant = " ".join(variant.split())
            if not variant or variant == term:
                continue
            # A variant differing from the term only in case must match exactly, or it would
            # flag the correct spelling too.
            flags = 0 if variant.lower() == term.lower() else re.IGNORECASE
            variants.append((variant, re.compile(_bounded(_phrase(variant)), flags)))
        case_matters = any(c.isupper() for word in term.split() for c in word[1:]) or any(
            w[:1].isupper() for w in term.split()[1:]
        )
        out.append(_Matcher(term, re.compile(_bounded(_phrase(term)), re.IGNORECASE), tuple(variants), case_matters))
    return tuple(out)


def check_terminology(file: str, doc: Document, glossary: tuple[Term, ...]) -> list[Finding]:
    if not glossary:
        return []
    matchers = _matchers(glossary)
    found: list[Finding] = []
    for prose in doc.prose:
        text = prose.text
        lowered = text.lower()
        for m in matchers:
            taken: list[tuple[int, int]] = []
            for variant, pattern in m.variants:
                if variant.split()[0].lower() not in lowered:
                    continue
                for hit in pattern.finditer(text):
                    taken.append(hit.span())
                    found.append(
                        issue(
                            file,
                            prose.line_of(hit.start()),
                            "terminology",
                            f"'{' '.join(hit.group(0).split())}' is a forbidden variant of '{m.term}'",
                            f"write '{m.term}'",
                        )
                    )
            if not m.case_matters or m.term.split()[0].lower() not in lowered:
                continue
            for hit in m.pattern.finditer(text):
                written = " ".join(hit.group(0).split())
                if written == m.term or any(s <= hit.start() < e for s, e in taken):
                    continue
                found.append(
                    issue(
                        file,
                        prose.line_of(hit.start()),
                        "terminology",
                        f"'{written}' should be written '{m.term}' (glossary spelling)",
                        f"write '{m.term}'",
                    )
                )
    return found
