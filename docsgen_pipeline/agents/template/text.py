"""Text helpers for the template agent: glossary normalisation, table cells, sentence shaping.

Pure functions (no Dagster, no I/O).  Everything brief-derived passes through
:class:`Canon` before it reaches a template, so a forbidden glossary variant copied from the
brief can never end up in a document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from docsgen_pipeline.brief import Brief, GlossaryTerm

_WS_RE = re.compile(r"\s+")


def squash(text: str) -> str:
    """Collapse runs of whitespace (prose briefs wrap lines) into single spaces."""
    return _WS_RE.sub(" ", text).strip()


def _phrase(words: str) -> str:
    return r"\s+".join(re.escape(w) for w in words.split())


class Canon:
    """Rewrites forbidden glossary variants to their canonical term (case-insensitive, word-bounded)."""

    def __init__(self, glossary: Sequence[GlossaryTerm]) -> None:
        variants: dict[str, str] = {}
        for entry in glossary:
            for variant in entry.forbidden:
                clean = squash(variant)
                # A variant that differs from the term only by case would rewrite the term itself
                # in a loop of no use; the gate judges spelling, so skip it here.
                if clean and clean.lower() != entry.term.lower():
                    variants.setdefault(clean.lower(), entry.term)
        # Terms whose capitals carry meaning (SKU, Acme Orders) must keep them: the gate flags
        # "acme orders" as a misspelling, so brief text is brought to the glossary's spelling.
        for entry in glossary:
            term = squash(entry.term)
            words = term.split()
            if any(c.isupper() for w in words for c in w[1:]) or any(w[:1].isupper() for w in words[1:]):
                variants.setdefault(term.lower(), term)
        self._variants = variants
        # Longest first so "sync server" wins over a shorter variant that is part of it.
        ordered = sorted(variants, key=lambda v: (-len(v), v))
        self._re = (
            re.compile(r"(?<![\w-])(?:" + "|".join(_phrase(v) for v in ordered) + r")(?![\w-])", re.IGNORECASE)
            if ordered
            else None
        )

    @property
    def active(self) -> bool:
        return self._re is not None

    def __call__(self, text: str) -> str:
        if self._re is None:
            return text
        return self._re.sub(lambda m: self._variants[squash(m.group(0)).lower()], text)

    def finds(self, text: str) -> list[str]:
        """Forbidden variants present in ``text`` (used by the final safety pass and tests)."""
        if self._re is None:
            return []
        return [m.group(0) for m in self._re.finditer(text)]


def canon_for(glossary: Sequence[GlossaryTerm]) -> Canon:
    """The (cached, immutable) :class:`Canon` of a glossary."""
    return _canon(tuple((g.term, tuple(g.forbidden)) for g in glossary))


@lru_cache(maxsize=16)
def _canon(entries: tuple[tuple[str, tuple[str, ...]], ...]) -> Canon:
    return Canon([GlossaryTerm(term=t, forbidden=list(f)) for t, f in entries])


_VERBATIM = frozenset({("slug",), ("source_format",), ("review_mode",)})


def normalise_brief(brief: Brief) -> Brief:
    """The normalised copy of a brief (see :func:`_normalise`), cached by content.

    Every plan and write call starts from the brief; caching by its JSON keeps 23 concurrent
    writes from redoing the same work.  The cached model is shared and never mutated.
    """
    return _normalised(brief.model_dump_json())


@lru_cache(maxsize=16)
def _normalised(brief_json: str) -> Brief:
    return _normalise(Brief.model_validate_json(brief_json))


def _normalise(brief: Brief) -> Brief:
    """A copy of the brief whose every string is whitespace-squashed and glossary-normalised.

    Glossary variants themselves are kept (the terminology page needs to know them); prose notes
    keep their paragraph breaks.
    """
    canon = canon_for(brief.glossary)

    def clean(text: str) -> str:
        return _defuse(canon(squash(text)))

    def fix(value: object, path: tuple[str, ...]) -> object:
        if isinstance(value, str):
            # Identifiers and the glossary's own spellings are data, not prose: never rewritten.
            if path[-1:] == ("forbidden",) or path[-2:-1] == ("forbidden",) or path in _VERBATIM:
                return value
            if path[-3:-1] == ("fields", "fields") and path[-1] in ("name", "type"):
                return squash(value)
            if path[-2:] == ("glossary", "term") or path[-3:] == ("glossary", "glossary", "term"):
                return inert(squash(value))
            if path == ("notes",):
                paragraphs = (clean(p) for p in re.split(r"\n\s*\n", value))
                return "\n\n".join(p for p in paragraphs if p and not _RULE_RE.match(p))
            return clean(value)
        if isinstance(value, list):
            return [fix(v, (*path, path[-1] if path else "")) for v in value]
        if isinstance(value, dict):
            return {k: fix(v, (*path, k)) for k, v in value.items()}
        return value

    data = fix(brief.model_dump(), ())
    return Brief.model_validate(data)


_MARKERS = {"TODO": "to-do", "TBD": "to be decided", "FIXME": "fix"}
_MARKER_RE = re.compile(r"(?<![\w-])(TODO|TBD|FIXME)(?![\w-])")
_RULE_RE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")


def inert(text: str) -> str:
    """Brief text with no live HTML: ``<`` and ``>`` become entities, so a tag in a name, term or
    note (``<script>…``) renders as the text it is instead of running in the page or the UI preview."""
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _defuse(text: str) -> str:
    """Brief text that would read as markup or a placeholder once copied into a document:
    template braces, upper-case TODO markers, a leading ``#`` that would open a heading, HTML tags."""
    text = inert(text)
    text = text.replace("{{", "{ {").replace("}}", "} }").replace("{%", "{ %").replace("%}", "% }")
    text = _MARKER_RE.sub(lambda m: _MARKERS[m.group(1)], text)
    return "\\" + text if text.startswith("#") else text


def cell(text: str) -> str:
    """A Markdown table cell: one line, pipes escaped."""
    return squash(text).replace("|", "\\|")


def link_text(text: str) -> str:
    return text.replace("[", "\\[").replace("]", "\\]")


def sentence(text: str) -> str:
    """Capitalise the first letter and end with a full stop (brief items are often fragments)."""
    text = squash(text).rstrip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def clause(text: str, keep: Iterable[str] = ()) -> str:
    """A brief item used mid-sentence: no final stop, first letter lowered unless it starts a name."""
    text = squash(text).rstrip(" .")
    if not text:
        return text
    for name in keep:
        if name and text.startswith(name):
            return text
    first = text.split(" ", 1)[0]
    # Acronyms and product names (SKU, PostgreSQL) keep their capitals.
    if len(first) > 1 and any(c.isupper() for c in first[1:]):
        return text
    return text[0].lower() + text[1:]


def does(text: str) -> str:
    """A responsibility after "and": ``reserves stock`` stays, ``the mobile app …`` becomes
    ``is the mobile app …``, ``one-tap entry`` becomes ``provides one-tap entry``."""
    first = text.split(" ", 1)[0].lower()
    if first in ("the", "a", "an") or first.endswith("'s"):
        return f"is {text}"
    if first.endswith("s") and not first.endswith("ss"):
        return text
    return f"provides {text}"


def join_words(items: Sequence[str], conj: str = "and") -> str:
    items = [i for i in items if i]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conj} {items[-1]}"


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


def count_word(count: int) -> str:
    words = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")
    return words[count] if 0 <= count < len(words) else str(count)


def name_words(name: str) -> str:
    """``OrderLine`` -> ``order line``; ``Order API`` -> ``order api`` (for matching prose)."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    return squash(spaced.replace("_", " ").replace("-", " ")).lower()


def mentions(text: str, name: str) -> bool:
    """Whether prose mentions a name, tolerating plurals and CamelCase split into words."""
    words = name_words(name)
    if not words:
        return False
    pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words.split(" ")) + r"(?:s|es)?(?!\w)"
    return re.search(pattern, name_words(text)) is not None


def snake(name: str) -> str:
    return name_words(name).replace(" ", "_")


_PLACEHOLDER_RE = re.compile(
    r"\b(?:TODO|TBD|FIXME|XXX)\b|lorem\s+ipsum|\[\s*insert[^\]]*\]|\{\{|\}\}|\{%|%\}",
    re.IGNORECASE,
)


def scrub_placeholders(text: str) -> str:
    """Reviewer notes are quoted back; never let them carry placeholder markers or a heading
    (``# …`` would be a second H1) into a document."""
    text = squash(_PLACEHOLDER_RE.sub("open item", text))
    return "\\" + text if text.startswith(("#", ">", "-", "*", "+", "=")) else text


def mermaid_label(text: str) -> str:
    """Text safe inside a quoted Mermaid label or message: no quote, no ``;``, no tag."""
    text = squash(text).replace("&lt;", "<").replace("&gt;", ">").replace(";", ",")
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
