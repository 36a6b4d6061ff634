"""`docsgen run` with bad input: one clear line on stderr, exit 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from docsgen_pipeline.cli.main import main
from docsgen_pipeline_tests.conftest import EXAMPLES, Home


def _nothing_written(home: Home) -> bool:
    artifacts = home.root / "artifacts"
    history = home.root / "dagster" / "history"
    return not artifacts.exists() and not history.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "no/such/brief.yaml"], "no/such/brief.yaml: brief file not found"),
        (
            ["run", str(EXAMPLES / "acme-orders.yaml"), "--blueprint", "missing.yaml"],
            "missing.yaml: blueprint file not found",
        ),
        (["run", str(EXAMPLES / "acme-orders.yaml"), "--run-id", "Bad Id"], "invalid run id 'Bad Id'"),
    ],
)
def test_bad_input_prints_one_line_and_writes_nothing(
    docsgen_home: Home, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("docsgen: error: ") and message in err[0]
    assert _nothing_written(docsgen_home)


def test_invalid_brief_field_is_named(docsgen_home: Home, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    brief = tmp_path / "shop.yaml"
    brief.write_text("name: Shop\nsummary: A shop.\nentities:\n  - name: Order\n    fields:\n      - type: uuid\n")
    assert main(["run", str(brief)]) == 2
    err = capsys.readouterr().err.strip()
    assert "shop.yaml:6: field 'entities.0.fields.0.name': Field required" in err  # file, line, field
    assert _nothing_written(docsgen_home)


def test_bad_blueprint_is_refused_before_anything(
    docsgen_home: Home, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blueprint = tmp_path / "bp.yaml"
    blueprint.write_text("name: mine\nphases:\n  - number: 0\n    title: Only\n    files: []\n")
    assert main(["run", str(EXAMPLES / "acme-orders.yaml"), "--blueprint", str(blueprint)]) == 2
    assert "bp.yaml: field 'phases.0.files'" in capsys.readouterr().err
    assert _nothing_written(docsgen_home)
