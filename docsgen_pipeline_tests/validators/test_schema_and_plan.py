from __future__ import annotations

from docsgen_pipeline.validators.api import run_gate
from docsgen_pipeline.validators.model import ValidationContext

SCHEMAS = "# Canonical Schemas\n\n## Order Line\n\n## Customer\n\nSee [Customer](#customer).\n"
CTX = ValidationContext(
    schema_file="acme-03-canonical-schemas.md",
    required_schema_refs={
        "acme-13-data.md": ("Order Line", "Customer"),
        "acme-03-canonical-schemas.md": ("Customer",),
    },
    required_headings={"acme-13-data.md": ("Data model", "Storage")},
)


def gate(data: str) -> list[tuple[str, int, str, str]]:
    corpus = {"acme-03-canonical-schemas.md": SCHEMAS, "acme-13-data.md": data}
    return [(i.file, i.line, i.rule, i.message) for i in run_gate(corpus, corpus, CTX)]


GOOD = """# Data

## Data Model

Uses [Order Line](acme-03-canonical-schemas.md#order-line) and
[customers](./acme-03-canonical-schemas.md#customer).

### storage
"""


def test_schema_refs_and_required_headings_pass() -> None:
    assert gate(GOOD) == []


def test_missing_schema_ref_and_heading_are_reported_once() -> None:
    bad = "# Data\n\n## Data model\n\n[Order](acme-03-canonical-schemas.md#order-lines)\n"
    assert gate(bad) == [
        ("acme-13-data.md", 0, "plan-conformance", "required heading 'Storage' is missing"),
        ("acme-13-data.md", 0, "schema-reference", "schema 'Customer' is not referenced"),
        ("acme-13-data.md", 0, "schema-reference", "schema 'Order Line' is not referenced"),
        (
            "acme-13-data.md",
            5,
            "broken-fragment",
            "'#order-lines' matches no heading or anchor in acme-03-canonical-schemas.md",
        ),
    ]


def test_planned_file_missing() -> None:
    corpus = {"acme-03-canonical-schemas.md": SCHEMAS}
    issues = run_gate(corpus, corpus, CTX)
    assert [(i.file, i.rule, i.message) for i in issues] == [
        ("acme-13-data.md", "plan-conformance", "planned file missing")
    ]
