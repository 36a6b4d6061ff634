from __future__ import annotations

from docsgen_pipeline.markdown.document import parse_document, split_href


def test_headings_have_lines_and_github_slugs_with_duplicate_suffixes() -> None:
    doc = parse_document("# Title\n\n## Setup `pip`\n\n## Setup `pip`\n\nSetext\n------\n")
    assert [(h.level, h.text, h.line, h.slug) for h in doc.headings] == [
        (1, "Title", 1, "title"),
        (2, "Setup pip", 3, "setup-pip"),
        (2, "Setup pip", 5, "setup-pip-1"),
        (2, "Setext", 7, "setext"),
    ]


def test_explicit_anchor_forms_are_collected_and_stripped_from_heading_text() -> None:
    doc = parse_document(
        "# T {#top-id}\n\n## A { #a-id .wide }\n\n## B {: #b-id }\n\nPara.\n{: #para-id }\n\n"
        "<a id=\"html-id\"></a>\n\nText <span name='named'>x</span>\n"
    )
    assert [h.text for h in doc.headings] == ["T", "A", "B"]
    assert {"top-id", "a-id", "b-id", "para-id", "html-id", "named", "t", "a", "b"} <= doc.anchors


def test_links_come_from_inline_reference_table_and_list_but_not_code() -> None:
    text = (
        "# T\n\n"
        '| a | b |\n|---|---|\n| [x](<a b.md> "title") | `[no](code.md)` |\n\n'
        "- item [ref][r]\n\n"
        "```\n[no](fence.md)\n```\n\n"
        "line one\nline two [p](./x%20y.md#Fr%C3%A4g)\n\n"
        '[r]: ../d/ "t"\n'
    )
    doc = parse_document(text)
    assert [(link.line, link.path, link.fragment) for link in doc.links] == [
        (5, "a b.md", None),
        (7, "../d/", None),
        (14, "./x y.md", "Fräg"),
    ]


def test_prose_excludes_code_and_first_block_skips_front_matter_and_comments() -> None:
    doc = parse_document("---\ntitle: x\n---\n<!-- note -->\n# T\n\nUse `TODO` here.\n")
    assert doc.first_block == ("h1", 5)
    assert "TODO" not in doc.prose[1].text
    assert doc.prose[1].line == 7


def test_split_href_recognises_external_targets() -> None:
    assert split_href("https://x.org/a#b") == ("https://x.org/a", "b", True)
    assert split_href("//cdn.example/x")[2]
    assert split_href("mailto:a@b.c")[2]
    assert split_href("a.md?plain=1#L3") == ("a.md", "L3", False)
    assert split_href("#only") == ("", "only", False)


def test_suppression_comments_are_recorded_outside_code() -> None:
    doc = parse_document(
        "# T\n\n<!-- docsgen-disable-next-line broken-link -->\n[a](x.md)\n\n"
        "[b](y.md) <!-- docsgen-disable-line -->\n\n```\n<!-- docsgen-disable-line -->\n```\n"
    )
    assert doc.is_suppressed(4, "broken-link")
    assert not doc.is_suppressed(4, "broken-fragment")
    assert doc.is_suppressed(6, "anything")
    assert not doc.is_suppressed(9, "anything")
