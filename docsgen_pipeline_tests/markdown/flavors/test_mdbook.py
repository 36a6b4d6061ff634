"""The mdbook flavour: id_from_content/unique_id, `.html` links to `.md` chapters, {{#include}}."""

from __future__ import annotations

from docsgen_pipeline.markdown.document import parse_document
from docsgen_pipeline.markdown.flavors import FLAVORS
from docsgen_pipeline.validators.links import check_links

MDBOOK = FLAVORS["mdbook"]


def test_heading_ids_follow_id_from_content() -> None:
    doc = parse_document("# Über Ölé\n\n## ::\n\n## ::\n\n## A & B  c\n\n## Named {#custom}\n\n## A & B  c\n", MDBOOK)
    assert [h.slug for h in doc.headings] == ["über-ölé", "section", "section-1", "a--b--c", "custom", "a--b--c-1"]


def test_html_links_name_md_chapters_and_their_fragments() -> None:
    chapter = parse_document("# Ch 1\n\n## Storing Keys\n", MDBOOK)
    page = parse_document(
        "# Intro\n\n[ok](ch01.html#storing-keys) [bad](ch01.html#nope) [gone](ch02.html) [idx](index.html)\n", MDBOOK
    )
    docs = {"ch01.md": chapter, "intro.md": page}
    known = {"ch01.md", "intro.md", "README.md"}
    found = check_links("intro.md", page, known, docs.get, flavor=MDBOOK)
    assert [(f.rule, f.target) for f in found] == [
        ("broken-fragment", "ch01.html#nope"),
        ("broken-link", "ch02.html"),
    ]
    assert found[0].column == 36  # where the target starts on the line


def test_includes_and_footnotes() -> None:
    text = (
        "# T\n\n{{#include ../shared/part.md}}\n\n"
        "```rust\n{{#rustdoc_include ../listings/main.rs:here}}\n```\n\nA[^n]\n\n[^n]: note\n"
    )
    doc = parse_document(text, MDBOOK)
    assert doc.includes == ("../shared/part.md",)
    assert "footnote-n" in doc.anchors
    assert MDBOOK.include_candidates("src/ch1.md", "../shared/part.md") == ("shared/part.md",)
