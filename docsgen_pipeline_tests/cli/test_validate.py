from __future__ import annotations

import json
from pathlib import Path

import pytest

from docsgen_pipeline.cli.main import main


def tree(root: Path) -> Path:
    docs = root / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# A\n\n## Part\n\n[b](b.md#part) [gone](gone.md)\n", encoding="utf-8")
    (docs / "b.md").write_text("# B\n\n## Part\n\nThe uploader.\n", encoding="utf-8")
    return docs


def test_errors_exit_1_with_text_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = tree(tmp_path)
    assert main(["validate", str(docs), "--no-cache"]) == 1
    out = capsys.readouterr().out
    assert f"{docs}/a.md\n  5: error [broken-link]" in out
    assert out.rstrip().endswith("(2 files checked, 2 parsed, 0 cached)")


def test_warnings_only_exit_0_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = tree(tmp_path)
    glossary = tmp_path / "g.toml"
    glossary.write_text('"Sync Service" = ["uploader"]\n', encoding="utf-8")
    code = main(
        [
            "validate",
            str(docs),
            "--format",
            "json",
            "--glossary",
            str(glossary),
            "--severity",
            "broken-link=warning",
            "--severity",
            "terminology=warning",
            "--cache-dir",
            str(tmp_path / "c"),
        ]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert [(d["rule"], d["severity"]) for d in data] == [("broken-link", "warning"), ("terminology", "warning")]
    assert (tmp_path / "c" / "validate.json").is_file()


def test_disable_and_default_cache_location(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = tree(tmp_path)
    assert main(["validate", str(docs), "--disable", "broken-link", "--format", "github"]) == 0
    assert (docs / ".docsgen-cache" / "validate.json").is_file()
    assert main(["validate", str(docs), "--disable", "broken-link"]) == 0
    assert "2 cached" in capsys.readouterr().out


def test_bad_input_is_reported_with_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = tree(tmp_path)
    assert main(["validate", str(docs), "--disable", "nope"]) == 2
    assert "--disable: unknown rule 'nope'" in capsys.readouterr().err
    assert main(["validate", str(tmp_path / "missing")]) == 2


def test_ignore_link_skips_cross_reference_targets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# A\n\nSee [frozen](attrs.frozen) and [gone](gone.md).\n", encoding="utf-8")
    assert (
        main(["validate", str(docs), "--no-cache", "--format", "json", "--ignore-link", r"^[\w-]+\.(?!md$)\w+$"]) == 1
    )
    assert [d["message"] for d in json.loads(capsys.readouterr().out)] == ["link target 'gone.md' does not exist"]
