"""Plans are asked in the strongest structured-output mode the endpoint takes, then coerced leniently."""

from __future__ import annotations

import json

import pytest

from docsgen_pipeline.agents.structured import plan_schema, response_format
from docsgen_pipeline.brief import Brief
from docsgen_pipeline_tests.agents.helpers import openai_agent
from docsgen_pipeline_tests.agents.requests import plan_request
from docsgen_pipeline_tests.fakes.openai_server import (
    LLAMA_CPP_PYTHON_FORMATS,
    FakeOpenAIServer,
    Reply,
    conforms,
    running_fake_server,
)


def _formats(server: FakeOpenAIServer) -> list[str]:
    out = []
    for request in server.chat_requests():
        fmt = request.body.get("response_format")
        out.append("prompt" if fmt is None else "json_object_schema" if "schema" in fmt else fmt["type"])
    return out


def test_schema_pins_the_phase_file_keys(example_brief: Brief) -> None:
    request = plan_request(example_brief, 1)
    schema = plan_schema(request)
    files = schema["properties"]["files"]
    # every planned file exactly once, nothing else: a constrained decoder cannot drop or repeat one
    assert list(files["properties"]) == files["required"] == [f.key for f in request.phase.files]
    assert files["additionalProperties"] is False
    fmt = response_format("json_schema", schema)
    assert fmt is not None and fmt["json_schema"]["strict"] is True
    assert response_format("json_object_schema", schema) == {"type": "json_object", "schema": schema}
    assert response_format("prompt", schema) is None


def test_auto_steps_down_to_what_llama_cpp_python_takes(example_brief: Brief) -> None:
    # llama-cpp-python's server refuses json_schema with a 500 validation error; it must not be
    # retried as a server error, and the next plan starts at the mode that worked.
    with running_fake_server(formats=LLAMA_CPP_PYTHON_FORMATS, refusal_status=500) as server:
        agent = openai_agent(server)
        reply = agent.plan_phase(plan_request(example_brief, 1))
        assert _formats(server) == ["json_schema", "json_object_schema"]
        assert reply.source == "agent" and reply.mode == "json_object_schema" and reply.attempts == 2
        assert reply.usage.calls == 1 and reply.usage.retries == 0
        second = agent.plan_phase(plan_request(example_brief, 2))
        assert _formats(server)[2:] == ["json_object_schema"] and second.mode == "json_object_schema"
        answer = json.loads(server.answers[0])
        assert conforms(answer, plan_schema(plan_request(example_brief, 1)))


def test_a_server_without_any_json_mode_gets_plain_prompts(example_brief: Brief) -> None:
    with running_fake_server(formats=()) as server:
        reply = openai_agent(server).plan_phase(plan_request(example_brief, 1))
    assert _formats(server) == ["json_schema", "json_object_schema", "json_object", "prompt"]
    assert reply.mode == "prompt" and reply.source == "agent"


def test_json_mode_is_an_alias_of_json_object(fake_openai_server: FakeOpenAIServer, example_brief: Brief) -> None:
    openai_agent(fake_openai_server, json_mode=True).plan_phase(plan_request(example_brief, 1))
    assert _formats(fake_openai_server) == ["json_object"]


def _loose_plan(example_brief: Brief) -> list[dict[str, object]]:
    request = plan_request(example_brief, 1)
    files: list[dict[str, object]] = []
    for i, f in enumerate(request.phase.files):
        outline: list[object] = [f"## {h}" if i % 2 else h for h in f.required_headings] or ["Overview"]
        outline.append({"title": "Open questions", "notes": "extra key"})  # no level, alias, extra key
        files.append({"key": f.key, "outline": outline, "confidence": 0.5})
    return files


@pytest.mark.parametrize("wrap", [False, True])
def test_loose_answers_are_coerced_and_recorded(example_brief: Brief, wrap: bool) -> None:
    loose = _loose_plan(example_brief)
    content = json.dumps({"phase": 1, "files": loose} if wrap else loose)  # a bare list when not wrapped
    with running_fake_server() as server:
        server.push(Reply(content=content))
        reply = openai_agent(server, structured_output="prompt").plan_phase(plan_request(example_brief, 1))
    assert reply.source == "agent" and reply.attempts == 1 and reply.mode == "prompt"
    foundations = reply.plan.for_key("foundations")
    assert [(s.heading, s.level) for s in foundations.outline] == [
        ("Problem statement", 2), ("Design principles", 2), ("Scope", 2), ("Open questions", 2)]
    assert "outline entries as strings" in reply.coercions
    assert "missing levels set to 2" in reply.coercions and "extra file keys dropped" in reply.coercions
    assert ("a bare list instead of {'files': [...]}" in reply.coercions) is not wrap
