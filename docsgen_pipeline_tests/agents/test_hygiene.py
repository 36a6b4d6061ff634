"""Model output hygiene: loops retried, a second H1, wrong heading levels and a model-written nav block fixed."""

from __future__ import annotations

from docsgen_pipeline.agents.hygiene import collapse_loop, looks_looping, tidy_file, tidy_section
from docsgen_pipeline.blueprint import default_blueprint
from docsgen_pipeline.brief import Brief
from docsgen_pipeline.planning import OutlineSection, blueprint_plan
from docsgen_pipeline_tests.agents.helpers import openai_agent
from docsgen_pipeline_tests.agents.requests import write_requests
from docsgen_pipeline_tests.fakes.openai_server import FakeOpenAIServer, Reply

LOOP = "# Foundations\n\nIntro.\n\n" + "The system is fast.\nThe system is safe.\n" * 40 + "The sys"
OUTLINE = [OutlineSection(heading="Problem statement"), OutlineSection(heading="Scope", level=3)]


def test_loops_are_told_from_long_answers() -> None:
    assert looks_looping(LOOP, "length")
    assert not looks_looping(LOOP, "stop")  # a finished answer is not a runaway loop
    assert looks_looping("# T\n\n" + "and then we go on " * 60, "length")  # a phrase, no newlines
    varied = "# T\n\n" + "\n".join(f"- item {i}: a distinct line" for i in range(80))
    assert not looks_looping(varied, "length")


def test_a_loop_collapses_to_one_copy() -> None:
    fixes: list[str] = []
    assert collapse_loop(LOOP, fixes) == "# Foundations\n\nIntro.\n\nThe system is fast.\nThe system is safe.\n"
    assert fixes == ["repeated lines collapsed"]


def test_structure_is_the_orchestrators() -> None:
    answer = (
        "Sure, here it is:\n# Foundations\n\nLead.\n\n### Problem statement\n\nText.\n\n# Foundations\n\n"
        "#### Scope\n\nMore.\n\n# Appendix notes\n\nExtra.\n\n```md\n# not a heading\n```\n\n---\n\n"
        "[← Acme Orders](acme.md)\n1. **[Foundations](acme-01.md)** – the basics\n"
    )
    fixes: list[str] = []
    out = tidy_file(answer, "Foundations", OUTLINE, fixes)
    assert out.startswith("# Foundations\n\nLead.\n\n## Problem statement\n")
    assert "\n### Scope\n" in out and "\n## Appendix notes\n" in out
    assert out.count("\n# Foundations") == 0 and "# not a heading" in out  # code stays code
    assert "[←" not in out and not out.rstrip().endswith("---")
    assert fixes == ["chatter before the H1 removed", "nav block removed", "heading levels set to the plan's",
                     "second H1 removed", "second H1 demoted"]


def test_a_missing_title_is_added() -> None:
    fixes: list[str] = []
    assert tidy_file("## Problem statement\n\nText.", "Foundations", OUTLINE, fixes).startswith("# Foundations\n\n")
    assert fixes == ["H1 added"]


def test_section_bodies_have_no_headings_of_their_level() -> None:
    fixes: list[str] = []
    body = tidy_section("## Scope\n\nIn scope.\n\n## Out of scope\n\nNot.\n\n# Title\n", "Scope", 2, fixes)
    assert body == "In scope.\n\n### Out of scope\n\nNot.\n"
    assert fixes == ["section heading repeated by the model removed", "sub-heading levels pushed below the section",
                     "H1 removed"]


def test_a_looping_reply_is_retried_cooler_with_a_repetition_penalty(
    fake_openai_server: FakeOpenAIServer, example_brief: Brief
) -> None:
    blueprint = default_blueprint()
    plan = blueprint_plan(example_brief, blueprint, blueprint.phases[1])
    request = next(r for r in write_requests(example_brief, plan) if r.file.key == "foundations")
    agent = openai_agent(fake_openai_server, temperature=0.4)
    fake_openai_server.push(Reply(content=LOOP, finish_reason="length"))
    reply = agent.write_file(request)
    first, second = (r.body for r in fake_openai_server.chat_requests())
    assert "frequency_penalty" not in first and first["temperature"] == 0.4
    assert second["frequency_penalty"] > 0 and second["repeat_penalty"] > 1  # llama.cpp's, via extra_body
    assert second["temperature"] == 0.2
    assert reply.normalized[0] == "looping answer retried" and reply.usage.calls == 2
    assert reply.markdown.startswith("# Foundations\n") and "The system is safe" not in reply.markdown


def test_a_reply_that_loops_again_is_collapsed(fake_openai_server: FakeOpenAIServer, example_brief: Brief) -> None:
    blueprint = default_blueprint()
    plan = blueprint_plan(example_brief, blueprint, blueprint.phases[1])
    request = next(r for r in write_requests(example_brief, plan) if r.file.key == "foundations")
    fake_openai_server.push(*[Reply(content=LOOP, finish_reason="length")] * 2)
    reply = openai_agent(fake_openai_server).write_file(request)
    assert reply.normalized == ["looping answer retried", "repeated lines collapsed"]
    assert reply.markdown.count("The system is safe.") == 1
