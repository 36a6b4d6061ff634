"""Section headings matched by meaning: a synonym table, case- and punctuation-insensitive."""

from __future__ import annotations

import re

# kind -> phrases (normalised: lower case, words separated by one space).  Exact phrases are
# tried first, then multi-word phrases contained in the heading, then single keywords.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "summary": ("summary", "overview", "about", "introduction", "what it is", "what it does", "tl dr", "tldr"),
    "background": (
        "background", "why it exists", "why", "motivation", "context", "problem", "the problem",
        "rationale", "purpose",
    ),
    "audience": (
        "audience", "users", "who it is for", "who uses it", "personas", "stakeholders", "readers",
        "target users", "attendees",
    ),
    "non_goals": ("non goals", "nongoals", "out of scope", "not in scope", "not goals", "what it does not do"),
    "goals": (
        "goals", "objectives", "aims", "features", "success criteria", "what it must do", "outcomes", "decisions",
    ),
    "constraints": (
        "constraints", "requirements", "non functional requirements", "limits", "limitations", "rules",
        "assumptions", "constraints and non goals",
    ),
    "components": (
        "components", "main parts", "parts", "architecture", "services", "modules", "building blocks",
        "systems", "pieces", "system design", "how it is built",
    ),
    "entities": (
        "entities", "data", "data model", "records", "schema", "domain model", "model", "domain",
        "what we store", "storage",
    ),
    "glossary": ("glossary", "terms", "terminology", "vocabulary", "naming", "words", "language", "wording"),
    "screens": ("screens", "ui", "user interface", "pages", "views", "interface", "front end", "frontend"),
    "workflows": (
        "workflows", "flows", "journeys", "user journeys", "processes", "how it works", "scenarios",
        "use cases", "user flows", "workflow",
    ),
}

# Order of the checks: the more specific kinds first, so "Non-goals" is not read as goals and
# "Naming rules" is a glossary, not constraints.
_ORDER = (
    "non_goals", "glossary", "screens", "workflows", "entities", "components", "audience", "goals",
    "constraints", "background", "summary",
)


def normalise(heading: str) -> str:
    words = re.sub(r"[^\w]+", " ", heading.lower().replace("-", "")).split()
    return " ".join(words)


def _normalise_keeping_hyphen_words(heading: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", heading.lower()).split())


def heading_kind(heading: str) -> str | None:
    """The brief field a section heading stands for, or ``None`` when it is not recognised."""
    forms = {normalise(heading), _normalise_keeping_hyphen_words(heading)}
    kinds = _ORDER
    for kind in kinds:
        if forms & set(SYNONYMS[kind]):
            return kind
    for form in forms:
        padded = f" {form} "
        for kind in kinds:
            if any(" " in p and f" {p} " in padded for p in SYNONYMS[kind]):
                return kind
        words = set(form.split())
        for kind in kinds:
            if any(" " not in p and p in words for p in SYNONYMS[kind]):
                return kind
    return None


def suggestion(kind: str) -> str:
    """The heading to add for an empty part, as shown to the user."""
    return "## " + SYNONYMS[kind][0].capitalize()
