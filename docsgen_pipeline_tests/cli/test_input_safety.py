"""Bad or damaged input is refused up front and never breaks other runs (issue 11 cases 3, 4, 7, 8).

Every test drives the real CLI against a real store and Dagster instance.
"""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import pytest

from docsgen_pipeline.cli.main import main
from docsgen_pipeline.dagster_layer.partitions import RUN_TAG
from docsgen_pipeline_tests.conftest import EXAMPLES, REPO, Home

SMALL = REPO / "docsgen_pipeline_tests" / "fixtures" / "blueprints" / "small.yaml"


def _blueprint(tmp_path: Path, old: str, new: str) -> Path:
    text = SMALL.read_text()
    assert old in text
    path = tmp_path / "bad.yaml"
    path.write_text(text.replace(old, new, 1))
    return path


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = [line for line in capsys.readouterr().err.strip().splitlines() if not line.startswith("docsgen: warning:")]
    assert len(err) == 1 and err[0].startswith("docsgen: error: "), err
    return err[0]


def _nothing_registered(home: Home) -> bool:
    return home.store.run_ids() == [] and home.store.damaged_run_dirs() == []


@pytest.mark.parametrize("name", ["../../escape", "a/b", "..", "x..y"])
def test_unsafe_blueprint_name_is_refused_before_registration(
    docsgen_home: Home, capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str
) -> None:
    bad = _blueprint(tmp_path, "name: small-design-docs", f"name: '{name}'")
    assert main(["run", str(EXAMPLES / "acme-orders.yaml"), "--blueprint", str(bad), "--run-id", "esc"]) == 2
    line = _one_error_line(capsys)
    assert "bad.yaml: field 'name'" in line or "must not contain '..'" in line
    assert _nothing_registered(docsgen_home)


@pytest.mark.parametrize(
    ("old", "new", "cycle"),
    [
        (
            "depends: {schemas: true}\n",
            "depends: {schemas: true, files: [data_model]}\n",
            "canonical_schemas -> data_model -> canonical_schemas",
        ),
        ("files: [canonical_schemas]", "files: [data_model]", "data_model -> data_model"),
    ],
)
def test_dependency_cycle_is_one_line_naming_it(
    docsgen_home: Home, capsys: pytest.CaptureFixture[str], tmp_path: Path, old: str, new: str, cycle: str
) -> None:
    bad = _blueprint(tmp_path, old, new)
    assert main(["run", str(EXAMPLES / "acme-orders.yaml"), "--blueprint", str(bad), "--run-id", "cyc"]) == 2
    line = _one_error_line(capsys)
    assert f"depends.files forms a cycle: {cycle}" in line
    assert _nothing_registered(docsgen_home)


def test_damaged_run_folder_never_breaks_list_status_or_cancel(
    docsgen_home: Home, capsys: pytest.CaptureFixture[str]
) -> None:
    docsgen_home.register("good-1")
    docsgen_home.register("bad-1")
    run_json = docsgen_home.store.run_dir("bad-1") / "run.json"
    run_json.chmod(0o644)
    run_json.write_text("{ not json")
    half = docsgen_home.store.root / "runs" / "half-1"  # a registration killed before run.json
    half.mkdir(parents=True)
    (half / "brief.yaml").write_text("name: Half\n")
    capsys.readouterr()

    assert main(["list", "--json"]) == 0
    rows = {r["run_id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["good-1"]["status"] == "Running"
    assert rows["bad-1"]["status"] == "Broken" and "damaged registration" in rows["bad-1"]["detail"]
    assert rows["bad-1"]["next_action"].endswith("docsgen verify bad-1 --repair")
    assert rows["half-1"]["status"] == "Broken"
    assert main(["list"]) == 0
    assert "bad-1\tBroken" in capsys.readouterr().out
    assert main(["status", "good-1"]) == 0
    assert main(["status", "bad-1"]) == 0
    assert "Broken: " in capsys.readouterr().out
    assert main(["cancel", "good-1"]) == 0
    assert "canceled good-1" in capsys.readouterr().out


def test_regenerate_of_a_canceled_run_refuses_before_any_dagster_run(
    docsgen_home: Home, capsys: pytest.CaptureFixture[str]
) -> None:
    docsgen_home.register("can-1")
    assert main(["cancel", "can-1", "--reason", "replaced"]) == 0
    capsys.readouterr()
    assert main(["regenerate", "can-1", "--file", "root"]) == 2
    line = _one_error_line(capsys)
    assert "docs run 'can-1' was canceled" in line and "replaced" in line
    runs = docsgen_home.instance().get_runs(dg.RunsFilter(tags={RUN_TAG: "can-1"}))
    assert runs == []


def test_brief_over_the_size_limit_is_refused(
    docsgen_home: Home, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    brief = tmp_path / "big.yaml"
    brief.write_text((EXAMPLES / "acme-orders.yaml").read_text() + "\n# " + "x" * 300_000 + "\n")
    assert main(["run", str(brief), "--run-id", "big"]) == 2
    assert "big.yaml: the brief is 297 KB, over the 256 KB limit" in _one_error_line(capsys)
    assert _nothing_registered(docsgen_home)
    assert main(["submit", str(brief)]) == 2
    assert "over the 256 KB limit" in _one_error_line(capsys)
    monkeypatch.setenv("DOCSGEN_MAX_BRIEF_KB", "1")
    assert main(["run", str(EXAMPLES / "acme-orders.yaml"), "--run-id", "small"]) == 2
    assert "over the 1 KB limit; shorten it or raise $DOCSGEN_MAX_BRIEF_KB" in _one_error_line(capsys)


def test_one_huge_field_is_refused(docsgen_home: Home, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    brief = tmp_path / "field.yaml"
    brief.write_text(f"name: Shop\nsummary: {'word ' * 4000}\n")
    assert main(["run", str(brief), "--run-id", "field"]) == 2
    assert "field 'summary' is 20 KB, over the 16 KB field limit" in _one_error_line(capsys)
    assert _nothing_registered(docsgen_home)
