"""``docsgen brief``: the brief as understood (YAML on stdout), what was not (stderr), --strict."""

from __future__ import annotations

from pathlib import Path

import pytest

from docsgen_pipeline.brief import load_brief, parse_brief_text
from docsgen_pipeline.cli.main import main
from docsgen_pipeline_tests.conftest import EXAMPLES
from docsgen_pipeline_tests.prose.named_parts import BRIEFS_DIR


@pytest.mark.parametrize("name", ["deck-log.md", "unicode-name.md", "readme-like.md"])
def test_output_is_a_structured_brief_that_reads_back_the_same(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["brief", str(BRIEFS_DIR / name)]) == 0
    out = capsys.readouterr().out
    converted = parse_brief_text(out, "converted.yaml", "yaml")
    original = load_brief(BRIEFS_DIR / name)
    assert converted.model_dump(exclude={"source_format"}) == original.model_dump(exclude={"source_format"})


def test_what_was_not_understood_goes_to_stderr_with_the_heading_to_add(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["brief", str(BRIEFS_DIR / "meeting-notes.md")]) == 0
    err = capsys.readouterr().err
    assert "line 41: section '## Next steps' not recognised" in err
    assert "the brief names no workflows: add a section such as '## Workflows'" in err


def test_strict_fails_when_a_core_part_is_empty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    brief = tmp_path / "thin.md"
    brief.write_text("# Thin\n\nThin does one thing.\n\n## Whatever\n\nSome prose.\n", encoding="utf-8")
    assert main(["brief", str(brief)]) == 0
    assert main(["brief", str(brief), "--strict"]) == 1
    err = capsys.readouterr().err
    assert "the brief names no components: add a section such as '## Components'" in err
    assert "missing core parts: components, entities, glossary" in err
    assert main(["brief", str(EXAMPLES / "acme-orders.yaml"), "--strict"]) == 0


def test_a_structured_brief_lists_every_problem_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    brief = tmp_path / "bad.yaml"
    brief.write_text(
        "name: Shop\nsummary: a shop\nentities:\n  - name: Order\n    fields:\n"
        "      - {name: id, type: uuid}\n      - {name: placed, type: date, format: YYYY-MM}\n"
        "components:\n  - responsibility: no name\n",
        encoding="utf-8",
    )
    assert main(["brief", str(brief)]) == 2
    err = capsys.readouterr().err
    assert f"{brief}:7: field 'entities.0.fields.1.format': Extra inputs are not permitted" in err
    assert f"{brief}:9: field 'components.0.name': Field required" in err
