"""The mkdocs flavour against Python-Markdown itself: the ids it renders are the anchors we read."""

from __future__ import annotations

import re

import pytest

from docsgen_pipeline.markdown.document import parse_document
from docsgen_pipeline.markdown.flavors import FLAVORS
from docsgen_pipeline.markdown.flavors.mkdocs import slugify, unindent_blocks, unique

markdown = pytest.importorskip("markdown")

MKDOCS = FLAVORS["mkdocs"]
EXTENSIONS = ["toc", "attr_list", "footnotes", "admonition", "pymdownx.details", "pymdownx.superfences"]

PAGE = """\
# Caret, Mark & Tilde

## Caret, Mark & Tilde

## Caret, Mark & Tilde

## Žluťoučký kůň -- _fast_ `code`

## Navigation path <small>Breadcrumbs</small> { id="navigation-path" }

## 9.7.0 <small>November 2025</small> { id=9.7.0 }

## Options {: #opts .wide data-toc-label="Opts" }

## Plain { #plain }

## plain

## Section_1

## Section

## Section

!!! note "Links inside"

    See [the section](#section_2) and a footnote[^note].

    ??? tip "Nested"

        Deep [link](#opts).

[^note]: Footnote with a [link](#plain).
"""


def rendered_ids(text: str) -> set[str]:
    html = markdown.markdown(text, extensions=EXTENSIONS)
    return set(re.findall(r'\bid="([^"]+)"', html))


def test_heading_ids_match_python_markdown_exactly() -> None:
    doc = parse_document(PAGE, MKDOCS)
    ids = rendered_ids(PAGE)
    heading_ids = {h.slug for h in doc.headings}
    assert heading_ids <= ids
    # Every id Python-Markdown gives a heading or a footnote is an anchor we know.
    assert {i for i in ids if not i.startswith("fnref")} <= doc.anchors
    assert [h.slug for h in doc.headings[:4]] == [
        "caret-mark-tilde",
        "caret-mark-tilde_1",
        "caret-mark-tilde_2",
        "zlutoucky-kun-fast-code",
    ]
    assert {"navigation-path", "9.7.0", "opts", "plain", "plain_1", "section_1", "section", "section_2"} <= heading_ids
    # Other attributes never leak into the text or the slug.
    assert doc.headings[5].text == "9.7.0 November 2025"
    assert doc.headings[6].text == "Options"


def test_links_inside_admonitions_and_footnotes_are_links() -> None:
    doc = parse_document(PAGE, MKDOCS)
    fragments = {(link.line, link.fragment) for link in doc.links}
    assert (27, "section_2") in fragments
    assert (31, "opts") in fragments
    assert (33, "plain") in fragments
    assert {"fn:note", "fnref:note"} <= doc.anchors


def test_slugify_and_unique_follow_toc() -> None:
    from markdown.extensions.toc import slugify as real_slugify
    from markdown.extensions.toc import unique as real_unique

    for text in ["Caret, Mark & Tilde", "  Ünïcödé — dash  ", "a_b-c  d", "C++ / C#", "", "日本語 heading"]:
        assert slugify(text, "-") == real_slugify(text, "-")
        assert slugify(text, "_", unicode=True) == real_slugify(text, "_", unicode=True)
    ours: set[str] = set()
    theirs: set[str] = set()
    for id in ["a", "a", "a_1", "", "", "b_9", "b_9"]:
        assert unique(id, ours) == real_unique(id, theirs)


def test_last_reference_definition_wins_like_python_markdown() -> None:
    text = "# T\n\nSee [guide].\n\n[guide]: one.md\n[guide]: two.md\n"
    assert [link.path for link in parse_document(text, MKDOCS).links] == ["two.md"]
    assert 'href="two.md"' in markdown.markdown(text)
    assert [link.path for link in parse_document(text, FLAVORS["github"]).links] == ["one.md"]


def test_block_bodies_keep_their_lines_and_code_stays_code() -> None:
    text = '=== "Tab"\n\n    ```\n    !!! not a block\n    ```\n\n    [a](a.md)\n\nafter\n'
    out = unindent_blocks(text)
    assert out.count("\n") == text.count("\n")
    assert out.split("\n")[3] == "!!! not a block"
    assert [(link.line, link.path) for link in parse_document(text, MKDOCS).links] == [(7, "a.md")]


def test_snippet_includes_are_listed() -> None:
    text = '# T\n\n--8<-- "includes/abbr.md"\n\n--8<--\nshared/a.md:3:9\nhttps://example.com/x.md\n--8<--\n'
    assert parse_document(text, MKDOCS).includes == ("includes/abbr.md", "shared/a.md")


def test_autorefs_anchor_is_not_an_empty_link() -> None:
    doc = parse_document("# T\n\n[](){#pattern-note}\n\nAnd [x]() here.\n", MKDOCS)
    assert "pattern-note" in doc.anchors
    assert [(link.line, link.href) for link in doc.links] == [(5, "")]


TABS = """\
# Page

## Anchor links

=== "One & two"

    First [link](#anchor-links--one--two).

=== "... or even me"

    Second.

Between.

=== "Alone"

    Third.
"""


def test_content_tab_ids_match_pymdownx_tabbed() -> None:
    from pymdownx.slugs import slugify as pymdownx_slugify

    from docsgen_pipeline.markdown.flavors.mkdocs import MkDocsFlavor

    options = {"alternate_style": True, "combine_header_slug": True, "slugify": pymdownx_slugify(case="lower")}
    configs = {"pymdownx.tabbed": options}
    html = markdown.markdown(TABS, extensions=["toc", "pymdownx.tabbed"], extension_configs=configs)
    real = {i for i in re.findall(r'<input[^>]*\bid="([^"]+)"', html)}
    flavor = MkDocsFlavor(tab_slug_case="lower", combine_header_slug=True)
    assert real == set(flavor.block_anchors(TABS, [(1, "page"), (3, "anchor-links")]))
    counters = markdown.markdown(TABS, extensions=["pymdownx.tabbed"], extension_configs={"pymdownx.tabbed": {}})
    plain = {i for i in re.findall(r'<input[^>]*\bid="([^"]+)"', counters)}
    assert plain == set(MKDOCS.block_anchors(TABS, [])) == {"__tabbed_1_1", "__tabbed_1_2", "__tabbed_2_1"}
