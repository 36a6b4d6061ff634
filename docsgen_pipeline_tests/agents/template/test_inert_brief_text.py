"""Brief text is inert in the written documents, and the gate flags live HTML (issue 11 case 7)."""

from __future__ import annotations

from docsgen_pipeline.brief import parse_brief_text
from docsgen_pipeline.validators.api import check_file
from docsgen_pipeline.validators.model import Severity, ValidationContext
from docsgen_pipeline_tests.agents.template.docset import build_docset
from docsgen_pipeline_tests.conftest import EXAMPLES

SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(2)">'


def test_tags_from_the_brief_never_land_raw() -> None:
    brief = parse_brief_text((EXAMPLES / "acme-orders.yaml").read_text(), "acme", "yaml")
    data = brief.model_dump()
    data["glossary"] = [*data["glossary"], {"term": SCRIPT, "definition": f"a term {IMG} with a tag", "forbidden": []}]
    data["goals"] = [*data["goals"], f"Escape {SCRIPT} everywhere"]
    brief = type(brief).model_validate(data)
    docs = build_docset(brief)
    text = "\n".join(docs.files.values())
    assert "&lt;script&gt;" in text  # the term is shown, as text
    assert "<script" not in text and "<img" not in text
    diagrams = [t for t in docs.files.values() if "```mermaid" in t]
    assert diagrams and all("<script" not in t for t in diagrams)
    ctx = ValidationContext(check_model_reply=True)
    raw = [i for f, t in docs.files.items() for i in check_file(f, t, ctx) if i.rule == "model-reply"]
    assert raw == []


def test_gate_flags_raw_html_injection_outside_code() -> None:
    page = (
        "# Title\n\nIntro text.\n\n## Section\n\n"
        f"A term {SCRIPT} in prose.\n\nSafe in code: `{SCRIPT}`.\n\n```html\n{SCRIPT}\n```\n\n"
        "[click](javascript:alert(3))\n"
    )
    issues = check_file("page.md", page, ValidationContext(check_model_reply=True))
    html = [i for i in issues if i.rule == "model-reply" and "raw HTML" in i.message]
    assert [i.line for i in html] == [7, 15]
    assert all(i.severity == Severity.ERROR for i in html)
