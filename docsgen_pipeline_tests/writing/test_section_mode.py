"""Section generation: the orchestrator writes the structure, the agent only each section's body."""

from __future__ import annotations

from docsgen_pipeline.agents.base import (
    FileReply,
    PlanReply,
    PlanRequest,
    SectionReply,
    SectionRequest,
    WriteRequest,
)
from docsgen_pipeline.agents.template.agent import TemplateAgent
from docsgen_pipeline.blueprint import default_blueprint
from docsgen_pipeline.brief import load_brief
from docsgen_pipeline.markdown.document import parse_document
from docsgen_pipeline.validators.model import Issue
from docsgen_pipeline.writing.base import Repair
from docsgen_pipeline.writing.section_mode import SectionMode, clean_body
from docsgen_pipeline_tests.agents.requests import EXAMPLE, plan_request, write_requests


class _Chatty:
    """An agent whose section bodies carry headings, a fence and chatter; it records what it was asked."""

    name = "chatty"

    def __init__(self) -> None:
        self.asked: list[tuple[str, list[str]]] = []

    def identity(self) -> dict[str, str]:
        return {"agent": self.name}

    def plan_phase(self, request: PlanRequest) -> PlanReply:
        return TemplateAgent().plan_phase(request)

    def write_file(self, request: WriteRequest) -> FileReply:
        raise AssertionError("section mode never asks for a whole file")

    def write_section(self, request: SectionRequest) -> SectionReply:
        self.asked.append((request.section.heading, request.feedback))
        body = f"# {request.section.heading}\n\n```markdown\n## Stray\n\nText about {request.section.heading}.\n```"
        return SectionReply(markdown=body)


def _requests(phase: int) -> list[WriteRequest]:
    brief = load_brief(EXAMPLE)
    plan = TemplateAgent().plan_phase(plan_request(brief, phase)).plan
    return write_requests(brief, plan)


def test_headings_are_the_plan_in_order_whatever_the_model_writes() -> None:
    request = next(r for r in _requests(2) if r.file.key == "data_model")
    agent = _Chatty()
    text = SectionMode().write(agent, request, None).markdown
    doc = parse_document(text)
    assert [h.text for h in doc.headings] == [request.plan.title, *(s.heading for s in request.plan.outline)]
    assert [h.level for h in doc.headings][1:] == [s.level for s in request.plan.outline]
    assert "**Stray**" in text and "```" not in text  # its heading demoted, the wrapping fence gone
    assert "](acme-03-canonical-schemas.md#order)" in text  # schema references by the orchestrator
    assert [a for a, _ in agent.asked] == [s.heading for s in request.plan.outline]


def test_repair_asks_again_only_for_the_sections_a_finding_points_into() -> None:
    request = next(r for r in _requests(2) if r.file.key == "data_model")
    previous = SectionMode().write(TemplateAgent(), request, None).markdown
    doc = parse_document(previous)
    second = doc.headings[2]  # the outline's second section
    finding = Issue(file="acme-15-data-model.md", line=second.line + 2, rule="terminology", message="say 'Order'")
    agent = _Chatty()
    repaired = SectionMode().write(agent, request, Repair(1, previous, (finding,), ("say 'Order' there",))).markdown
    assert agent.asked == [(second.text, ["say 'Order' there"])]
    # Every other section keeps its text.
    first = doc.headings[1]
    kept = previous.splitlines()[first.line : second.line - 1]
    assert "\n".join(kept).strip() in repaired


def test_the_template_agent_writes_the_same_files_in_both_modes_closely_enough_to_pass() -> None:
    from docsgen_pipeline.validators.api import check_file
    from docsgen_pipeline.validators.model import ValidationContext

    blueprint = default_blueprint()
    for request in _requests(1):
        text = SectionMode().write(TemplateAgent(), request, None).markdown
        name = blueprint.filenames("acme")[request.file.key]
        issues = check_file(name, text, ValidationContext(check_model_reply=True))
        assert issues == [], (request.file.key, issues)


def test_clean_body_drops_a_repeated_heading_and_closes_an_open_fence() -> None:
    assert clean_body("## Scope\n\nIn scope.\n```mermaid\ngraph TD", "Scope") == "In scope.\n```mermaid\ngraph TD\n```"
