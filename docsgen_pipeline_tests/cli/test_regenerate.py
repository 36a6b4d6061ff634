"""``docsgen regenerate``: one file, with feedback, revalidated; refusals change nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from docsgen_pipeline.cli.main import main
from docsgen_pipeline.docs_run import DocsRun
from docsgen_pipeline.regeneration import regenerations
from docsgen_pipeline.store import ArtifactStore
from docsgen_pipeline_tests.conftest import EXAMPLES, Home

RUN = "cli-regen-1"


def small_blueprint() -> dict[str, object]:
    """Six generic files, one per phase: the smallest valid blueprint (fast to generate)."""
    phases = [{"number": 0, "title": "Overview", "files": [{"key": "root", "title": "Overview", "intent": "Intro."}]}]
    for number in range(1, 6):
        phases.append(
            {
                "number": number,
                "title": f"Section {number}",
                "files": [
                    {
                        "key": f"topic{number}",
                        "number": number,
                        "name": f"topic-{number}",
                        "title": f"Topic {number}",
                        "intent": f"Describe topic {number}.",
                    }
                ],
            }
        )
    return {"name": "small", "version": 1, "phases": phases}


def _env(mp: pytest.MonkeyPatch, root: Path) -> None:
    mp.setenv("DOCSGEN_HOME", str(root))
    mp.setenv("DAGSTER_HOME", str(root / "dagster"))
    mp.delenv("DOCSGEN_STORE", raising=False)
    mp.delenv("DOCSGEN_BLUEPRINT", raising=False)


@pytest.fixture(scope="module")
def completed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("cli-regen")
    blueprint = base / "small.yaml"
    blueprint.write_text(yaml.safe_dump(small_blueprint(), sort_keys=False))
    root = base / "home"
    with pytest.MonkeyPatch.context() as mp:
        _env(mp, root)
        argv = ["run", str(EXAMPLES / "acme-orders.yaml"), "--blueprint", str(blueprint), "--run-id", RUN]
        assert main(argv) == 0
    return root


@pytest.fixture
def home(completed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    root = tmp_path / "home"
    shutil.copytree(completed, root)
    _env(monkeypatch, root)
    return Home(root=root, store=ArtifactStore(root / "artifacts"))


def _versions(home: Home) -> dict[str, int]:
    return {name: r.version for name, r in DocsRun.load(home.store, RUN).file_versions().items()}


def test_regenerate_file_with_feedback(home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    before = _versions(home)
    argv = ["regenerate", RUN, "--file", "topic2", "--feedback", "Name the owner.", "--by", "ana", "--json"]
    assert main(argv) == 0
    summary = json.loads(capsys.readouterr().out)
    (phase,) = summary["phases"]
    (record,) = phase["files"]
    assert (record["file"], record["previous_version"], record["new_version"]) == ("acme-02-topic-2.md", 1, 2)
    assert (record["requested_by"], record["reason"], record["feedback"]) == ("ana", "feedback", "Name the owner.")
    assert phase["gate_passed"] and phase["approval"] == "re-approved (batch)"
    assert summary["cross_validation"]["passed"]
    assert [s["phase"] for s in summary["stale"]] == [3, 4, 5]
    assert summary["stale"][0]["command"] == f"docsgen regenerate {RUN} --phase 3"
    assert _versions(home) == {**before, "acme-02-topic-2.md": 2}

    assert main(["show", RUN, "topic2"]) == 0
    shown = capsys.readouterr().out
    assert "Review round 1" in shown and "Name the owner" not in shown  # recorded, never pasted
    assert main(["history", RUN, "topic2"]) == 0
    assert capsys.readouterr().out.count("\n") == 2


def test_human_output_names_versions_and_stale_phases(home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["regenerate", RUN, "--file", "acme-04-topic-4.md", "--feedback", "Shorter."]) == 0
    err = capsys.readouterr().err
    assert "acme-04-topic-4.md: v1 -> v2" in err
    assert "phase 4 gate: passed; approval: re-approved (batch)" in err
    assert f"phase 5 is stale (its inputs changed; left untouched); refresh: docsgen regenerate {RUN} --phase 5" in err

    # `docsgen status` shows the same staleness, with the command that refreshes the phase.
    assert main(["status", RUN, "--json"]) == 0
    phases = json.loads(capsys.readouterr().out)["phases"]
    assert [p["upstream_changed"] for p in phases] == [False, False, False, False, False, True]
    assert phases[5]["refresh"] == f"docsgen regenerate {RUN} --phase 5"


def test_refuses_unplanned_files_and_a_changed_blueprint(
    home: Home, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _versions(home)
    assert main(["regenerate", RUN, "--file", "topic9"]) == 2
    assert "'topic9' is not a planned file of blueprint 'small' v1" in capsys.readouterr().err

    changed = small_blueprint()
    changed["version"] = 2
    phases = changed["phases"]
    assert isinstance(phases, list)
    phases[2]["files"].append({"key": "extra", "number": 9, "name": "extra", "title": "Extra", "intent": "More."})
    path = tmp_path / "small-v2.yaml"
    path.write_text(yaml.safe_dump(changed, sort_keys=False))
    assert main(["regenerate", RUN, "--file", "topic2", "--blueprint", str(path)]) == 2
    err = capsys.readouterr().err
    assert "pinned to blueprint 'small' v1; blueprint 'small' v2 adds extra" in err
    assert "register a new docs run with the new blueprint version" in err

    assert main(["regenerate", RUN, "--file", "topic2", "--phase", "2"]) == 2
    assert main(["regenerate", RUN, "--file", "topic2", "--reason", "resume"]) == 2
    assert _versions(home) == before and regenerations(home.store, RUN) == []
