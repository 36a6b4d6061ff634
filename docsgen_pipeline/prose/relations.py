"""Relations read from sentences: dependencies, entity fields, naming rules, lifecycle states."""

from __future__ import annotations

import re

_QUOTES = "\"'“”‘’`*"

_DEPENDENCY_VERBS = (
    "calls", "call", "reads from", "reads", "writes to", "writes", "stores", "store", "saves",
    "sends", "send", "uses", "use", "depends on", "depend on", "talks to", "queries", "pulls from",
    "pushes to", "publishes to", "syncs", "sync", "synchronises", "synchronizes", "uploads",
    "fetches", "asks", "loads", "posts", "keeps", "puts", "hands", "forwards", "relies on",
    "backed by", "through", "via",
)
_VERB_RE = re.compile(r"\b(?:" + "|".join(re.escape(v) for v in _DEPENDENCY_VERBS) + r")\b", re.IGNORECASE)


def mentions(text: str, name: str) -> list[int]:
    """Where ``name`` occurs in ``text`` as whole words (case-insensitive)."""
    return [m.start() for m in re.finditer(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", text, re.IGNORECASE)]


def dependencies(text: str, names: list[str], own: str) -> list[str]:
    """Components ``own`` depends on: names that follow a dependency phrase in the same clause.

    "stores them in the Logbook Store", "calls the Sync Service", "reads from X", "sends … to X".
    """
    found: list[str] = []
    for name in names:
        if name.lower() == own.lower():
            continue
        for at in mentions(text, name):
            clause = re.split(r"[.;]|,\s|\band\b|\bwhile\b|\bwhich\b", text[:at])[-1]
            if _VERB_RE.search(clause) and name not in found:
                found.append(name)
                break
    return found


_HAS_RE = re.compile(
    r"^(?:an?|the|each|every|one)\s+(?P<entity>[\w][\w \-]{0,40}?)\s+"
    r"(?:has|have|holds|contains|carries|records|is made of|consists of|stores|keeps)\s+(?P<fields>.+?)[.!]?$",
    re.IGNORECASE,
)
_ARTICLE_RE = re.compile(r"^(?:an?|the|its|their|one|some|optional(?:ly)?)\s+", re.IGNORECASE)


def has_fields(sentence: str) -> tuple[str, list[str]] | None:
    """``A logbook has a vessel IMO number, a name and a list of entries.`` -> (logbook, [...])."""
    match = _HAS_RE.match(sentence.strip().strip(_QUOTES))
    if not match:
        return None
    parts = re.split(r",\s*(?:and\s+|or\s+)?|\s+and\s+", match.group("fields"))
    fields = [_ARTICLE_RE.sub("", p.strip().strip(_QUOTES)).strip() for p in parts]
    fields = [f for f in fields if f and len(f.split()) <= 6]
    if not fields:
        return None
    return match.group("entity").strip(), fields


_USE_RE = re.compile(
    r"^(?:we\s+|please\s+)?(?:always\s+)?(?:use|say|write|call it|prefer)\s+(?P<term>.+?)\s*,?\s*"
    r"(?:never|not|instead of|rather than|but not|and not|over)\s+(?P<bad>.+?)[.!]?$",
    re.IGNORECASE,
)


def _unquote(text: str) -> str:
    return text.strip().strip(_QUOTES + " ").strip()


def variants(text: str) -> list[str]:
    """``"log book", "log-book" or "journal"`` -> the variants, unquoted."""
    parts = re.split(r",\s*(?:or\s+|nor\s+)?|\s+or\s+|\s+nor\s+|\s*/\s*", text)
    return [v for v in (_unquote(p) for p in parts) if v]


def usage_rule(sentence: str) -> tuple[str, list[str]] | None:
    """``Use "logbook", never "log book".`` -> ("logbook", ["log book"])."""
    match = _USE_RE.match(sentence.strip())
    if not match:
        return None
    term = _unquote(match.group("term"))
    bad = variants(match.group("bad"))
    if not term or not bad:
        return None
    return term, bad


_ARROW_RE = re.compile(r"[\w][\w ]{0,30}?(?:\s*(?:→|->|=>|⟶)\s*[\w][\w ]{0,30}?){1,}(?=$|[.;,)])")


def states(text: str) -> list[str]:
    """``draft → placed → paid`` (or ``->``) anywhere in ``text`` -> [draft, placed, paid]."""
    match = _ARROW_RE.search(text)
    if not match:
        return []
    raw = [_unquote(p) for p in re.split(r"\s*(?:→|->|=>|⟶)\s*", match.group(0))]
    # a leading phrase such as "An order goes draft" keeps only its last word
    if raw and len(raw[0].split()) > 1:
        raw[0] = raw[0].split()[-1]
    return [s for s in raw if s and len(s.split()) <= 3]
