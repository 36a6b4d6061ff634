from __future__ import annotations

from docsgen_pipeline.validators.api import run_gate
from docsgen_pipeline.validators.model import GlossaryEntry, ValidationContext

CTX = ValidationContext(
    glossary=(
        GlossaryEntry(term="SKU", forbidden=("stock code",)),
        GlossaryEntry(term="Acme Orders", forbidden=("AcmeOrders",)),
        GlossaryEntry(term="Sync Service", forbidden=("uploader", "sync server")),
        GlossaryEntry(term="carrier", forbidden=("shipper",)),
    )
)


def lines(text: str) -> list[tuple[int, str]]:
    return [(i.line, i.message) for i in run_gate({"a.md": text}, {"a.md": text}, CTX)]


def test_correct_usage_passes_including_sentence_initial_lowercase_term() -> None:
    text = (
        "# Acme Orders\n\nCarrier pickups use the SKU. The carrier and the Sync Service agree.\n\n"
        "Code is ignored: `acme orders`, `uploader`.\n\n```\nsync server\n```\n\n"
        "[link text is prose: Sync Service](https://x.example/uploader)\n\nSKUs and skus-like words.\n"
    )
    assert lines(text) == []


def test_forbidden_variants_are_case_insensitive_and_word_bounded() -> None:
    text = "# T\n\nThe Uploader sends a Stock Code.\nA shipper, not shippers.\n"
    assert lines(text) == [
        (3, "'Stock Code' is a forbidden variant of 'SKU'"),
        (3, "'Uploader' is a forbidden variant of 'Sync Service'"),
        (4, "'shipper' is a forbidden variant of 'carrier'"),
    ]


def test_wrong_case_of_cased_terms_is_flagged_across_line_breaks() -> None:
    text = "# T\n\nEvery sku goes to acme\norders via the sync service.\n"
    found = lines(text)
    assert [line for line, _ in found] == [3, 3, 4]
    assert "'acme orders' should be written 'Acme Orders' (glossary spelling)" in [m for _, m in found]
