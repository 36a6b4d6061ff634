"""Prose briefs in six styles are read into every part they name, with stated dependencies only."""

from __future__ import annotations

import pytest

from docsgen_pipeline.brief import load_brief, parse_brief_text
from docsgen_pipeline.prose.headings import heading_kind
from docsgen_pipeline_tests.prose.named_parts import BRIEFS_DIR, FORBIDDEN, NAMED_PARTS, STATED_DEPENDENCIES


def _names(brief: object, part: str) -> list[str]:
    attr = "term" if part == "glossary" else "name"
    return [getattr(item, attr) for item in getattr(brief, part)]


@pytest.mark.parametrize("name", sorted(NAMED_PARTS))
def test_every_named_part_is_read(name: str) -> None:
    brief = load_brief(BRIEFS_DIR / name)
    for part, expected in NAMED_PARTS[name].items():
        assert [n.lower() for n in _names(brief, part)] == [e.lower() for e in expected], part


@pytest.mark.parametrize("name", sorted(NAMED_PARTS))
def test_dependencies_are_exactly_the_stated_phrases(name: str) -> None:
    brief = load_brief(BRIEFS_DIR / name)
    edges = {(c.name, d) for c in brief.components for d in c.depends_on}
    assert edges == STATED_DEPENDENCIES[name]


@pytest.mark.parametrize("name", sorted(NAMED_PARTS))
def test_forbidden_variants_come_from_use_never_rules_and_tables(name: str) -> None:
    brief = load_brief(BRIEFS_DIR / name)
    assert {t.term: t.forbidden for t in brief.glossary} == FORBIDDEN[name]


def test_fields_and_states_come_from_sentences_and_tables() -> None:
    deck = load_brief(BRIEFS_DIR / "deck-log.md")
    logbook = deck.entities[0]
    assert [f.name for f in logbook.fields] == ["vessel IMO number", "name", "list of entries"]
    assert logbook.states == ["open", "closed", "archived"]
    assert {f.type for f in logbook.fields} == {"not stated"}  # never a guessed type
    job = load_brief(BRIEFS_DIR / "readme-like.md").entities[0]
    assert [(f.name, f.type) for f in job.fields] == [("job_id", "uuid"), ("commit_sha", "string"), ("status", "enum")]
    cafe = load_brief(BRIEFS_DIR / "unicode-name.md")
    assert cafe.name == "Café Zürich — Order & Pay!" and cafe.slug == "caf-z-rich-order-pay"
    assert [f.name for f in cafe.entities[1].fields] == ["number", "QR code"]
    assert cafe.entities[0].states == ["open", "cooking", "served", "paid"]


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Main parts", "components"), ("ARCHITECTURE", "components"), ("Building blocks:", "components"),
        ("Data model", "entities"), ("Records", "entities"), ("Terms", "glossary"), ("Naming rules", "glossary"),
        ("Non-goals", "non_goals"), ("Goals & objectives", "goals"), ("Why it exists?", "background"),
        ("User journeys", "workflows"), ("UI", "screens"), ("Who it is for", "audience"), ("Next steps", None),
    ],
)
def test_headings_are_matched_by_meaning(heading: str, kind: str | None) -> None:
    assert heading_kind(heading) == kind


def test_front_matter_still_wins_over_what_the_prose_says() -> None:
    text = (
        "---\nname: Other Name\nglossary: []\n---\n"
        "# Deck Log\n\nA log.\n\n## Terms\n\n- Use \"logbook\", never \"log book\".\n"
    )
    brief = parse_brief_text(text, "x.md", "markdown")
    assert brief.name == "Other Name" and brief.glossary == []


def test_definition_lists_name_components() -> None:
    brief = load_brief(BRIEFS_DIR / "readme-like.md")
    assert brief.components[0].responsibility.startswith("executes jobs in containers")
