"""``docsgen history`` and ``docsgen show`` read the immutable versions of a planned file."""

from __future__ import annotations

import json

import pytest

from docsgen_pipeline.blueprint import default_blueprint
from docsgen_pipeline.cli.main import main
from docsgen_pipeline.docs_run import FILES, DocsRun
from docsgen_pipeline.registration import register_docs_run
from docsgen_pipeline_tests.conftest import EXAMPLES, Home

RUN = "hist-1"


@pytest.fixture
def run(docsgen_home: Home) -> DocsRun:
    register_docs_run(
        docsgen_home.store,
        brief_text=(EXAMPLES / "acme-orders.yaml").read_text(),
        brief_format="yaml",
        brief_source="acme",
        blueprint=default_blueprint(),
        run_id=RUN,
    )
    run = DocsRun.load(docsgen_home.store, RUN)
    name = run.filenames["components"]
    run.store.put(RUN, FILES, name, "# Components\n\nFirst.\n", {"reason": "generate", "requested_by": "docsgen-cli"})
    run.store.put(
        RUN,
        FILES,
        name,
        "# Components\n\nSecond.\n",
        {"reason": "feedback", "requested_by": "cli:ana", "feedback": "2"},
    )
    return run


def test_history_lists_versions(run: DocsRun, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", RUN, "components"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["v1", "v2"]
    assert "generate by docsgen-cli" in lines[0] and lines[1].endswith("(latest)")
    assert main(["history", RUN, run.filenames["components"], "--json"]) == 0
    versions = json.loads(capsys.readouterr().out)
    assert [(v["version"], v["latest"], v["reason"]) for v in versions] == [
        (1, False, "generate"),
        (2, True, "feedback"),
    ]


def test_show_prints_a_version_and_says_when_it_is_not_the_latest(
    run: DocsRun, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["show", RUN, "components"]) == 0
    out = capsys.readouterr()
    assert out.out == "# Components\n\nSecond.\n" and out.err == ""
    assert main(["show", RUN, "components", "--version", "1"]) == 0
    out = capsys.readouterr()
    assert out.out == "# Components\n\nFirst.\n"
    assert "a newer version exists (v2)" in out.err
    assert main(["show", RUN, "components", "--diff"]) == 0
    assert "-First.\n+Second.\n" in capsys.readouterr().out
    assert main(["show", RUN, "phase2/components", "--version", "1", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["version"], shown["latest_version"], shown["text"]) == (1, 2, "# Components\n\nFirst.\n")


def test_show_refuses_unknown_files_and_versions(run: DocsRun, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", RUN, "components", "--version", "7"]) == 2
    assert "has no version 7" in capsys.readouterr().err
    assert main(["show", RUN, "changelog"]) == 2
    assert "not a planned file of blueprint 'design-docs' v1" in capsys.readouterr().err
    assert main(["history", RUN, "terminology"]) == 0
    assert "has not been generated yet" in capsys.readouterr().err
