"""Briefs: both forms give the same model; bad briefs name the file, line or field."""

from __future__ import annotations

from pathlib import Path

import pytest

from docsgen_pipeline.brief import load_brief, parse_brief_text
from docsgen_pipeline.errors import BriefError
from docsgen_pipeline_tests.conftest import EXAMPLES


def test_structured_yaml_brief() -> None:
    brief = load_brief(EXAMPLES / "acme-orders.yaml")
    assert brief.slug == "acme" and brief.source_format == "yaml"
    assert [e.name for e in brief.entities] == ["Order", "OrderLine", "Shipment"]
    assert brief.entities[0].states[0] == "Draft"
    assert brief.glossary[0].forbidden == ["AcmeOrders", "Acme-Orders"]


def test_prose_markdown_brief_maps_sections_to_fields() -> None:
    brief = load_brief(EXAMPLES / "field-notes.md")
    assert brief.name == "Field Notes" and brief.slug == "field-notes"
    assert brief.review_mode == "batch"
    assert brief.summary.startswith("Field Notes is a mobile app") and "\n" not in brief.summary
    assert [c.name for c in brief.components] == [
        "Recorder App",
        "Sync Service",
        "Survey Database",
        "Coordinator Portal",
    ]
    assert brief.components[1].responsibility == "receives batches of sightings and resolves duplicates"
    sighting = brief.entities[0]
    assert sighting.name == "Sighting" and [f.name for f in sighting.fields][:2] == ["sighting_id", "species"]
    assert sighting.fields[0].type == "uuid"
    assert brief.glossary[2].term == "Sync Service" and brief.glossary[2].forbidden == ["uploader", "sync server"]
    assert [w.name for w in brief.workflows] == ["Record a sighting", "Synchronise a survey"]
    assert brief.workflows[0].steps[0] == "The surveyor opens Quick Record"
    assert len(brief.goals) == 3 and len(brief.constraints) == 2


def test_minimal_prose_brief_without_front_matter() -> None:
    brief = parse_brief_text("# Tiny Tool\n\nA tool that does one thing well.\n", "tiny.md", "markdown")
    assert brief.slug == "tiny-tool" and brief.components == []


@pytest.mark.parametrize(
    ("text", "fmt", "message"),
    [
        ("name: Shop\n", "yaml", "field 'summary': Field required"),
        ("name: Shop\nsummary: x\nentities:\n  - fields: []\n", "yaml", "field 'entities.0.name'"),
        ("name: Shop\nsummary: x\nslug: Not A Slug\n", "yaml", "field 'slug'"),
        ("name: Shop\nsummary: x\nreview_mode: sometimes\n", "yaml", "field 'review_mode'"),
        ("name: Shop\nsummary: x\nunknown_field: 1\n", "yaml", "field 'unknown_field'"),
        ("name: [unclosed\n", "yaml", "line 2: invalid YAML"),
        ("- just\n- a list\n", "yaml", "a brief must be a mapping"),
        ("", "yaml", "the brief is empty"),
        ("Some prose with no title.\n", "markdown", "field 'name'"),
        ("# Title only\n", "markdown", "field 'summary'"),
        ("---\nslug: [x\n---\n# T\n\nS.\n", "markdown", "line 3: invalid YAML"),
    ],
)
def test_bad_brief_names_file_and_field(text: str, fmt: str, message: str) -> None:
    with pytest.raises(BriefError) as excinfo:
        parse_brief_text(text, "briefs/shop.txt", fmt)  # type: ignore[arg-type]
    assert str(excinfo.value).startswith("briefs/shop.txt")
    assert message in str(excinfo.value)


def test_missing_brief_file(tmp_path: Path) -> None:
    with pytest.raises(BriefError, match="brief file not found"):
        load_brief(tmp_path / "nope.yaml")
