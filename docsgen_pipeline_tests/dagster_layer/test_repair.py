"""Automatic targeted repair, end to end through the fake OpenAI server (real HTTP, real Dagster).

A model that returns nothing, HTML, a refusal or a different document is asked again for just the
flagged file (in section mode: just the flagged sections) with the findings as feedback; each
round is a recorded regeneration (reason ``repair``); when the rounds run out the phase fails with
an issues report that says what was tried and what the model returned.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from docsgen_pipeline.blueprint import Blueprint, load_blueprint
from docsgen_pipeline.cli.driver import drive
from docsgen_pipeline.docs_run import REPORTS, DocsRun, issues_report_name
from docsgen_pipeline.progress import progress_events
from docsgen_pipeline.regeneration import regenerations
from docsgen_pipeline.registration import register_docs_run
from docsgen_pipeline.versions import file_history, history_text
from docsgen_pipeline_tests.conftest import EXAMPLES, Home
from docsgen_pipeline_tests.fakes.fake_model import answer
from docsgen_pipeline_tests.fakes.fixtures import fake_openai_server  # noqa: F401  (fixture)
from docsgen_pipeline_tests.fakes.openai_server import FakeOpenAIServer

SMALL = load_blueprint(EXAMPLES.parent / "docsgen_pipeline_tests" / "fixtures" / "blueprints" / "small.yaml")
REFUSAL = "I'm sorry, but I cannot help with that request."


def _section(messages: list[dict[str, Any]]) -> tuple[str, str] | None:
    """(document title, section heading) of a section prompt."""
    task = next(str(m["content"]) for m in messages if m["role"] == "user")
    if "## Section task" not in task:
        return None
    title = task.split('Document: "', 1)[1].split('"', 1)[0]
    heading = task.split("SECTION: ", 1)[1].split("\n", 1)[0].split("|")[1].strip()
    return title, heading


def _faulty(faults: dict[tuple[str, str], list[str]], asked: Counter[tuple[str, str]]) -> Callable[..., str]:
    """The fake model, except that the named sections get the scripted replies first."""

    def respond(messages: list[dict[str, Any]]) -> str:
        where = _section(messages)
        if where is not None:
            asked[where] += 1
            if faults.get(where):
                return faults[where].pop(0)
        return answer(messages)

    return respond


def _run(home: Home, server: FakeOpenAIServer, run_id: str, blueprint: Blueprint, **agent: Any) -> int:
    brief = EXAMPLES / "acme-orders.yaml"
    register_docs_run(
        home.store, brief_text=brief.read_text(), brief_format="yaml", brief_source=str(brief),
        blueprint=blueprint, run_id=run_id,
        agent={"kind": "openai", "base_url": server.base_url, "model": "fake-model", "backoff_initial_s": 0.01,
               "max_concurrency": 1, **agent},
    )
    return drive(run_id, blueprint)


def test_empty_html_and_refusing_sections_are_repaired_one_by_one(
    docsgen_home: Home, fake_openai_server: FakeOpenAIServer  # noqa: F811
) -> None:
    asked: Counter[tuple[str, str]] = Counter()
    faults = {
        ("Overview", "Purpose"): [""],
        ("Overview", "Audience"): ["<html><body><p>Audience</p></body></html>"],
        ("Data Model", "Relationships"): [REFUSAL],
    }
    fake_openai_server.responder = _faulty(faults, asked)
    assert _run(docsgen_home, fake_openai_server, "fix-1", SMALL, generation="section") == 0

    run = DocsRun.load(docsgen_home.store, "fix-1")
    root, model = run.corpus()["acme.md"], run.corpus()["acme-15-data-model.md"]
    assert "<html>" not in root and REFUSAL not in model
    # Only the flagged sections were asked again; their siblings were written once.
    assert asked[("Overview", "Purpose")] == 2 and asked[("Overview", "Audience")] == 2
    assert asked[("Data Model", "Relationships")] == 2 and asked[("Data Model", "Entities")] == 1
    # Each round is a recorded regeneration with reason "repair", its round and the findings it answered.
    records = [r for r in regenerations(docsgen_home.store, "fix-1") if r.reason == "repair"]
    assert {r.file for r in records} == {"acme.md", "acme-15-data-model.md"}
    assert all(r.repair_round == 1 and r.findings and r.changed for r in records)
    assert {f["rule"] for r in records for f in r.findings} == {"model-reply"}
    assert "repair (round 1: 2 finding(s))" in history_text(file_history(run, "root"))
    # Files that passed were never touched.
    assert run.latest_file("screens").version == 1  # type: ignore[union-attr]


def test_a_model_that_keeps_refusing_fails_the_phase_with_what_it_returned(
    docsgen_home: Home, fake_openai_server: FakeOpenAIServer, capsys: pytest.CaptureFixture[str]  # noqa: F811
) -> None:
    asked: Counter[tuple[str, str]] = Counter()
    fake_openai_server.responder = _faulty({("Overview", "Audience"): [REFUSAL] * 10}, asked)
    assert _run(docsgen_home, fake_openai_server, "stuck-1", SMALL, generation="section") == 1

    assert asked[("Overview", "Audience")] == 3  # first write + 2 repair rounds, never more
    assert asked[("Overview", "Purpose")] == 1
    report = docsgen_home.store.latest("stuck-1", REPORTS, issues_report_name(0))
    assert report is not None
    text = docsgen_home.store.read_text("stuck-1", report)
    assert "## Repairs" in text and "| 1 | `acme.md` |" in text and "| 2 | `acme.md` |" in text
    assert "I'm sorry, but I cannot help" in text and "model-reply" in text
    # Nothing earlier lost: the one version stays (identical replies are not new versions).
    run = DocsRun.load(docsgen_home.store, "stuck-1")
    assert run.latest_file("root").version == 1  # type: ignore[union-attr]
    # Progress per file and per repair round, with tokens so far: persisted (for docsgen status) and
    # printed as plain lines when stderr is not a terminal.
    events = progress_events(docsgen_home.store, "stuck-1")
    assert [(e.stage, e.round) for e in events] == [("write", 0), ("repair", 1), ("repair", 2)]
    assert events[-1].calls == 2 + 1 + 1 and events[-1].tokens_in > events[0].tokens_in > 0
    err = capsys.readouterr().err
    assert "phase 0 write: 1/1 acme.md" in err and "phase 0 repair round 2: 1/1 acme.md" in err
    assert "tokens" in err


def test_file_mode_different_document_is_repaired_with_the_findings_as_feedback(
    docsgen_home: Home, fake_openai_server: FakeOpenAIServer  # noqa: F811
) -> None:
    prompts: list[str] = []
    state = {"wrong": 1}

    def respond(messages: list[dict[str, Any]]) -> str:
        task = next(str(m["content"]) for m in messages if m["role"] == "user")
        if 'Write the file "acme-27-screens.md"' in task:
            prompts.append(task)
            if state["wrong"]:
                state["wrong"] -= 1
                return "# Banana bread\n\nMix flour, sugar and bananas; bake for an hour.\n"
        return answer(messages)

    fake_openai_server.responder = respond
    assert _run(docsgen_home, fake_openai_server, "doc-1", SMALL) == 0
    assert len(prompts) == 2
    assert "rule plan-conformance" in prompts[1] and "Screen list" in prompts[1]
    run = DocsRun.load(docsgen_home.store, "doc-1")
    record = run.latest_file("screens")
    assert record is not None and record.version == 2 and record.meta["reason"] == "repair"
    assert "Banana" not in run.corpus()["acme-27-screens.md"]
