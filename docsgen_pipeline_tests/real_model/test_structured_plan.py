"""Against the real llama.cpp server (llama-cpp-python, SmolLM2-135M): doctor finds the structured
mode, and a phase plan comes back valid in it, fitted to the server's 2048-token context."""

from __future__ import annotations

import pytest

from docsgen_pipeline.agents.registry import build_agent
from docsgen_pipeline.agents.settings import AgentSettings
from docsgen_pipeline.brief import Brief
from docsgen_pipeline.cli.main import main
from docsgen_pipeline_tests.agents.requests import example_brief, plan_request  # noqa: F401  (fixture)
from docsgen_pipeline_tests.support.llama_server import LlamaServer


def test_doctor_detects_json_object_schema(llama_server: LlamaServer, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["doctor", "--base-url", llama_server.base_url, "--model", llama_server.model])
    out = capsys.readouterr().out
    assert code == 0, out
    # llama-cpp-python refuses json_schema (a 500 validation error) but enforces a schema given
    # with json_object: the probe's only allowed value comes back.
    assert "json_schema: refused" in out
    assert "json_object_schema: enforced" in out and "-> plans use json_object_schema" in out


def test_a_plan_is_valid_in_json_object_schema_mode(llama_server: LlamaServer, example_brief: Brief) -> None:  # noqa: F811
    settings = AgentSettings(kind="openai", base_url=llama_server.base_url, model=llama_server.model,
                             temperature=0, max_tokens=500, timeout_s=300)
    agent = build_agent(settings, environ={})
    # Phase 0 (one file) keeps the grammar-constrained answer short: ~2-3 min on a busy 2-core box.
    request = plan_request(example_brief, 0)
    reply = agent.plan_phase(request)
    assert reply.source == "agent", reply.problem
    assert reply.mode == "json_object_schema"
    assert [f.key for f in reply.plan.files] == [f.key for f in request.phase.files]
    for planned, spec in zip(reply.plan.files, request.phase.files, strict=True):
        headings = [s.heading.lower() for s in planned.outline]
        assert all(h.lower() in headings for h in spec.required_headings)
        assert all(2 <= s.level <= 4 and s.heading.strip() for s in planned.outline)
        assert not any(s.heading.startswith("<") for s in planned.outline)  # template placeholders dropped
        assert not planned.intent.startswith("<")
