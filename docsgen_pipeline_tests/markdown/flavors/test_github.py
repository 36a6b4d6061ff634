"""The github flavour: github-slugger ids, `-1` duplicates, directory links render (tree view)."""

from __future__ import annotations

from docsgen_pipeline.markdown.document import parse_document
from docsgen_pipeline.markdown.flavors import FLAVORS
from docsgen_pipeline.validators.links import check_links

GITHUB = FLAVORS["github"]


def test_slugs_keep_every_separator_and_number_duplicates() -> None:
    doc = parse_document("# Caret, Mark & Tilde\n\n## Caret, Mark & Tilde\n\n## Žluť `x.y`\n", GITHUB)
    assert [h.slug for h in doc.headings] == ["caret-mark--tilde", "caret-mark--tilde-1", "žluť-xy"]
    assert GITHUB.slug("Caret, Mark & Tilde") == "caret-mark--tilde"


def test_footnotes_and_raw_html_links() -> None:
    doc = parse_document('# T\n\nA[^1] <a href="b.md#x">b</a> <img src="i.png">\n\n[^1]: note\n', GITHUB)
    assert "user-content-fn-1" in doc.anchors
    assert [(link.path, link.fragment, link.image, link.raw) for link in doc.links] == [
        ("b.md", "x", False, True),
        ("i.png", None, True, True),
    ]


def test_directory_links_pass_and_fragments_ignore_case() -> None:
    doc = parse_document("# T\n\n[dir](assets/) [me](#T)\n", GITHUB)
    found = check_links("a.md", doc, {"a.md", "assets"}, lambda p: doc, flavor=GITHUB, is_directory=lambda p: True)
    assert found == []
