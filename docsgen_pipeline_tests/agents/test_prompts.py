"""Prompts render from package templates and carry the contract the checks enforce."""

from __future__ import annotations

import jinja2
import pytest

from docsgen_pipeline.agents.prompts import TRUNCATION_MARK, _env, budget_excerpts, plan_prompt, write_prompt
from docsgen_pipeline.brief import Brief
from docsgen_pipeline.planning import FilePlan, PhasePlan
from docsgen_pipeline_tests.agents.requests import plan_request, write_requests


def _plan(example_brief: Brief, phase: int) -> PhasePlan:
    from docsgen_pipeline.agents.plan_json import parse_plan
    from docsgen_pipeline_tests.fakes.fake_model import answer

    prompt = plan_prompt(plan_request(example_brief, phase))
    return parse_plan(answer([{"role": "user", "content": prompt.user}]), plan_request(example_brief, phase))


def test_templates_are_strict() -> None:
    with pytest.raises(jinja2.UndefinedError):
        _env().get_template("plan_reask.j2").render(error="x")


def test_plan_prompt_lists_files_and_glossary(example_brief: Brief) -> None:
    prompt = plan_prompt(plan_request(example_brief, 2))
    assert "PLAN_FILE: data_model | Data Model | kind: data_model" in prompt.user
    assert "  SCHEMAS: Order; OrderLine; Shipment" in prompt.user
    assert "TERM: stock reservation | avoid: stock lock, inventory hold" in prompt.user
    assert '"phase": 2' in prompt.user
    assert "Acme Orders" in prompt.system


def test_write_prompt_has_contract_links_schemas_and_feedback(example_brief: Brief) -> None:
    request = write_requests(example_brief, _plan(example_brief, 2))[3]
    request = request.model_copy(update={"feedback": ["Mention the PostgreSQL constraint."],
                                         "upstream": {"acme-01-foundations.md": "# Foundations\n\nApproved text."}})
    user = write_prompt(request, 1000).user
    assert "TITLE: Data Model\nFILE: acme-15-data-model.md\nSECTION: 2 | Entities" in user
    assert "SCHEMA: Order -> acme-03-canonical-schemas.md#order" in user
    assert "LINK: acme-01-foundations.md | Foundations | anchors: problem-statement (Problem statement), " in user
    assert "LINK: acme-02-terminology.md | Terminology | anchors: glossary, spelling-rules (Spelling rules)" in user
    assert "LINK: acme-15-data-model.md" not in user  # never told to link to itself
    assert "- Mention the PostgreSQL constraint." in user
    assert "### acme-01-foundations.md\n# Foundations\n\nApproved text." in user


def test_upstream_excerpts_share_the_budget() -> None:
    upstream = {"short.md": "tiny", "long.md": "para one\n\n" + "x" * 500, "mid.md": "y" * 50}
    out = dict(budget_excerpts(upstream, 120))
    assert out["short.md"] == "tiny" and out["mid.md"] == "y" * 50
    assert out["long.md"].endswith(TRUNCATION_MARK)
    assert sum(len(v) for v in out.values()) <= 120 + len(TRUNCATION_MARK) + 1
    assert budget_excerpts(upstream, 0) == []


def test_file_plan_fields_used_by_prompt_exist() -> None:
    # the write template reads these FilePlan fields; a rename must fail here, not in production
    assert {"title", "intent", "outline", "terms", "schemas", "links"} <= set(FilePlan.model_fields)
