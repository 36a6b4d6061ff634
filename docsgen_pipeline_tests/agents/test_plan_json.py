"""Structured planning: sloppy JSON is repaired, invalid plans are re-asked, then fail clearly."""

from __future__ import annotations

import json

import pytest

from docsgen_pipeline.agents.plan_json import parse_plan, repair_json
from docsgen_pipeline.brief import Brief
from docsgen_pipeline.errors import PlanParseError
from docsgen_pipeline_tests.agents.helpers import openai_agent
from docsgen_pipeline_tests.agents.requests import plan_request
from docsgen_pipeline_tests.fakes.fake_model import answer_plan
from docsgen_pipeline_tests.fakes.openai_server import FakeOpenAIServer, Reply


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": [1, 2,], "b": {"c": true,},}', {"a": [1, 2], "b": {"c": True}}),
        ('Sure! Here is the plan:\n```json\n{"a": 1}\n```\nAnything else?', {"a": 1}),
        ("{'a': 'x', 'b': True, 'c': None}", {"a": "x", "b": True, "c": None}),
        ("{“a”: “x”}", {"a": "x"}),
        ('<think>the user wants JSON</think>{"a": 1} and some trailing words {', {"a": 1}),
        ('{"a": [{"h": "one"}, {"h": "tw', {"a": [{"h": "one"}]}),
        ('{"a": "unterminated', {"a": "unterminated"}),
        ('{"a": 1, "b":', {"a": 1}),
    ],
)
def test_repair_json(text: str, expected: object) -> None:
    assert repair_json(text) == expected


def test_repair_json_without_json_says_so() -> None:
    with pytest.raises(ValueError, match="no JSON object"):
        repair_json("I cannot help with that.")


def _good_plan_text(example_brief: Brief, phase: int) -> str:
    from docsgen_pipeline.agents.prompts import plan_prompt

    return json.dumps(answer_plan(plan_prompt(plan_request(example_brief, phase)).user))


def test_loose_shapes_are_accepted(example_brief: Brief) -> None:
    request = plan_request(example_brief, 1)
    data = json.loads(_good_plan_text(example_brief, 1))
    loose = []
    for entry in data["files"]:
        # Local models: titles where keys belong, plain-string outlines, extra fields, CSV lists.
        title = next(f.title for f in request.phase.files if f.key == entry["key"])
        loose.append({"title": title, "sections": [f"## {s['heading']}" for s in entry["outline"]],
                      "confidence": 0.9, "terms": "Acme Orders, carrier"})
    plan = parse_plan(json.dumps({"plan": loose}), request)
    foundations = plan.for_key("foundations")
    assert foundations.filename == "acme-01-foundations.md"
    assert [s.heading for s in foundations.outline] == ["Problem statement", "Design principles", "Scope"]
    assert foundations.terms == ["Acme Orders", "carrier"]


def test_blueprint_stays_the_authority(example_brief: Brief) -> None:
    request = plan_request(example_brief, 1)
    data = json.loads(_good_plan_text(example_brief, 1))
    data["files"] = data["files"][1:]
    with pytest.raises(PlanParseError, match="drops base_index"):
        parse_plan(json.dumps(data), request)
    # a forgotten required heading is restored by enforce_blueprint
    data = json.loads(_good_plan_text(example_brief, 1))
    data["files"][1]["outline"] = []
    plan = parse_plan(json.dumps(data), request)
    headings = [s.heading for s in plan.for_key("foundations").outline]
    assert headings == ["Problem statement", "Design principles", "Scope"]


def test_validation_error_is_specific(example_brief: Brief) -> None:
    data = json.loads(_good_plan_text(example_brief, 1))
    data["files"][0]["outline"][0]["level"] = "deep"
    with pytest.raises(PlanParseError, match=r"files\.0\.outline\.0\.level: Input should be a valid integer"):
        parse_plan(json.dumps(data), plan_request(example_brief, 1))


def test_malformed_json_is_reasked_with_the_error(fake_openai_server: FakeOpenAIServer, example_brief: Brief) -> None:
    agent = openai_agent(fake_openai_server, structured_output="prompt")
    fake_openai_server.push(Reply(content="Here you go: files = [key: base_index]"))
    reply = agent.plan_phase(plan_request(example_brief, 1))
    assert reply.usage.calls == 2
    second = fake_openai_server.chat_requests()[1].body["messages"]
    assert [m["role"] for m in second] == ["system", "user", "assistant", "user"]
    assert "could not be used: the plan is not usable JSON" in second[3]["content"]
    assert len(reply.plan.files) == 5


def test_truncated_json_is_repaired_or_reasked(fake_openai_server: FakeOpenAIServer, example_brief: Brief) -> None:
    agent = openai_agent(fake_openai_server, structured_output="prompt")
    full = _good_plan_text(example_brief, 1)
    fake_openai_server.push(Reply(content=full, truncate_to=len(full) // 2))
    reply = agent.plan_phase(plan_request(example_brief, 1))
    # half a plan parses after repair but drops files, so the blueprint check forces a re-ask
    assert reply.usage.calls == 2
    assert "drops" in fake_openai_server.chat_requests()[1].body["messages"][3]["content"]


def test_sloppy_but_repairable_json_needs_no_reask(fake_openai_server: FakeOpenAIServer, example_brief: Brief) -> None:
    agent = openai_agent(fake_openai_server, structured_output="prompt")
    sloppy = "```json\n" + _good_plan_text(example_brief, 1).replace("]}", "],}").replace('"', "'") + "\n```"
    fake_openai_server.push(Reply(content=sloppy))
    reply = agent.plan_phase(plan_request(example_brief, 1))
    assert reply.usage.calls == 1


def test_falls_back_to_the_blueprint_after_plan_attempts(
    fake_openai_server: FakeOpenAIServer, example_brief: Brief
) -> None:
    agent = openai_agent(fake_openai_server, plan_attempts=2, structured_output="prompt")
    fake_openai_server.push(Reply(content="no"), Reply(content="<html>still no</html>"))
    request = plan_request(example_brief, 1)
    reply = agent.plan_phase(request)
    assert len(fake_openai_server.chat_requests()) == 2
    assert reply.source == "blueprint" and reply.attempts == 2 and reply.mode == "prompt"
    assert "no usable plan in 2 attempt(s)" in reply.problem and "not usable JSON" in reply.problem
    # The blueprint's own outline: every file, its required headings, its intent.
    assert [f.key for f in reply.plan.files] == [f.key for f in request.phase.files]
    foundations = reply.plan.for_key("foundations")
    assert [s.heading for s in foundations.outline] == ["Problem statement", "Design principles", "Scope"]
    assert foundations.intent == next(f.intent for f in request.phase.files if f.key == "foundations")
    assert reply.metadata()["plan_source"] == "blueprint"
