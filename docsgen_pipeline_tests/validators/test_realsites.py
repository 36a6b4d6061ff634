"""Real MkDocs, Material and mdBook trees (fixtures/realdocs, see SOURCES.txt): the flavour is
detected from their own mkdocs.yml / book.toml, no link or anchor the rendered site serves is
flagged, and defects injected the way they happen in such trees are all found."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from docsgen_pipeline.markdown.flavors.detect import flavor_for
from docsgen_pipeline.validators.config import load_config
from docsgen_pipeline.validators.engine import validate_tree
from docsgen_pipeline.validators.findings import Finding

REALDOCS = Path(__file__).parent.parent / "fixtures" / "realdocs"
TREES = {"mkdocs": "mkdocs/docs", "mkdocs-material": "mkdocs-material/docs", "rust-book": "rust-book/src"}


def link_findings(root: Path) -> list[Finding]:
    report = validate_tree(root, load_config(root), cache_dir=None, jobs=1)
    return [f for f in report.findings if f.rule in ("broken-link", "broken-fragment")]


FLAVOR_OF = [("mkdocs", "mkdocs"), ("mkdocs-material", "mkdocs"), ("rust-book", "mdbook")]


@pytest.mark.parametrize(("tree", "flavor"), FLAVOR_OF)
def test_real_trees_have_no_false_alarms(tree: str, flavor: str) -> None:
    root = REALDOCS / TREES[tree]
    assert flavor_for(root, None).name == flavor
    assert link_findings(root) == []


def test_material_anchors_resolve_as_the_site_serves_them() -> None:
    root = REALDOCS / TREES["mkdocs-material"]
    flavor = flavor_for(root, None)
    from docsgen_pipeline.markdown.document import parse_document

    def anchors(path: str) -> frozenset[str]:
        return parse_document((root / path).read_text(encoding="utf-8"), flavor).anchors

    # Python-Markdown collapses separators; attr_list `{ id=x }`; footnotes; tab ids (tabbed slugify).
    assert "caret-mark-tilde" in anchors("setup/extensions/python-markdown-extensions.md")
    assert "navigation-path" in anchors("setup/setting-up-navigation.md")
    assert {"fn:1", "fn:2"} <= anchors("reference/footnotes.md")
    assert "anchor-links--or-even-me" in anchors("reference/content-tabs.md")


def _copy(tree: str, tmp_path: Path) -> Path:
    top = tree.split("/")[0]
    shutil.copytree(REALDOCS / top, tmp_path / top)
    return tmp_path / TREES[tree]


def _append(path: Path, text: str) -> int:
    """Append ``text`` and return the line its first line lands on."""
    before = path.read_text(encoding="utf-8")
    path.write_text(before.rstrip("\n") + "\n\n" + text, encoding="utf-8")
    return before.rstrip("\n").count("\n") + 3


EXTENSIONS_PAGE = "../setup/extensions/python-markdown-extensions.md"


def test_defects_injected_into_mkdocs_trees_are_found(tmp_path: Path) -> None:
    root = _copy("mkdocs-material", tmp_path)
    page = root / "reference" / "formatting.md"
    line = _append(
        page,
        "!!! note \"Injected\"\n\n"
        "    Inside an admonition: [gone](#no-such-heading).\n\n"
        "=== \"Tab\"\n\n"
        f"    In a tab: [mark]({EXTENSIONS_PAGE}#caret-mark--tilde)\n\n"
        "An empty [link]() and <a href=\"missing-page.md\">raw HTML</a>.\n\n"
        "| table | cell |\n| --- | --- |\n| [ref][injected] | x |\n\n"
        "A footnote[^inj].\n\n"
        "[^inj]: With a [bad link](nowhere.md).\n\n"
        "[injected]: #not-here\n",
    )
    (root / "reference" / "empty-folder").mkdir()
    line2 = _append(root / "reference" / "footnotes.md", "[folder](empty-folder/) and [fn](#fn:99)\n")
    found = {(f.file, f.line, f.rule, f.target) for f in link_findings(root)}
    assert found == {
        ("reference/formatting.md", line + 2, "broken-fragment", "#no-such-heading"),
        # GitHub's slug of "Caret, Mark & Tilde" is not the one MkDocs serves.
        ("reference/formatting.md", line + 6, "broken-fragment", f"{EXTENSIONS_PAGE}#caret-mark--tilde"),
        ("reference/formatting.md", line + 8, "broken-link", ""),
        ("reference/formatting.md", line + 8, "broken-link", "missing-page.md"),
        ("reference/formatting.md", line + 12, "broken-fragment", "#not-here"),
        ("reference/formatting.md", line + 16, "broken-link", "nowhere.md"),
        ("reference/footnotes.md", line2, "broken-link", "empty-folder/"),
        ("reference/footnotes.md", line2, "broken-fragment", "#fn:99"),
    }


def test_defects_injected_into_the_snippet_include_are_found(tmp_path: Path) -> None:
    root = _copy("mkdocs", tmp_path)
    assert link_findings(root) == []
    # The anchors translations.md links to live in ../CONTRIBUTING.md, included by a snippet.
    included = root.parent / "CONTRIBUTING.md"
    included.write_text(included.read_text(encoding="utf-8").replace("## Installing for Development", "## Set up"))
    found = {(f.file, f.rule, f.target) for f in link_findings(root)}
    target = "../about/contributing.md#installing-for-development"
    assert found == {("dev-guide/translations.md", "broken-fragment", target)}


def test_defects_injected_into_an_mdbook_are_found(tmp_path: Path) -> None:
    root = _copy("rust-book", tmp_path)
    line = _append(
        root / "ch04-01-what-is-ownership.md",
        "See [borrowing](ch04-02-references-and-borrowing.html#the-rules-of-references), "
        "[gone](ch04-02-references-and-borrowing.html#no-such-rule) and [missing](ch04-09-nothing.html).\n",
    )
    found = {(f.line, f.rule, f.target) for f in link_findings(root)}
    assert found == {
        (line, "broken-fragment", "ch04-02-references-and-borrowing.html#no-such-rule"),
        (line, "broken-link", "ch04-09-nothing.html"),
    }
