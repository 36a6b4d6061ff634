from __future__ import annotations

from docsgen_pipeline.validators.api import check_file
from docsgen_pipeline.validators.model import Issue, ValidationContext

CTX = ValidationContext()


def rules(issues: list[Issue]) -> list[tuple[int, str]]:
    return [(i.line, i.rule) for i in issues]


def test_non_empty() -> None:
    assert rules(check_file("a.md", "# Title\n\nBody.\n", CTX)) == []
    assert rules(check_file("a.md", "  \n\n", CTX)) == [(0, "non-empty")]


def test_single_h1_first_passes_after_front_matter_and_comment() -> None:
    assert check_file("a.md", "---\nk: v\n---\n<!-- c -->\n# Title\n\n## Part\n", CTX) == []


def test_single_h1_first_fails_when_prose_comes_first() -> None:
    issues = check_file("a.md", "Intro.\n\n# Title\n", CTX)
    assert rules(issues) == [(1, "single-h1-first")]
    assert "paragraph" in issues[0].message


def test_single_h1_first_fails_on_second_h1() -> None:
    issues = check_file("a.md", "# Title\n\n# Again\n", CTX)
    assert rules(issues) == [(3, "single-h1-first")]
    assert issues[0].file == "a.md" and issues[0].suggestion


def test_no_placeholders_passes_with_code_and_lowercase_words() -> None:
    text = "# T\n\nWe have a todo list.\n\nUse `TODO` and `{{ var }}`.\n\n```\nFIXME lorem ipsum\n```\n"
    assert check_file("a.md", text, CTX) == []


def test_no_placeholders_finds_each_kind_on_its_line() -> None:
    text = "# T\n\nTODO: write.\nThen TBD\n\nLorem ipsum dolor.\n\n[Insert diagram here]\n\nHi {{ name }} {% if x %}\n"
    issues = check_file("a.md", text, CTX)
    assert rules(issues) == [
        (3, "no-placeholders"),
        (4, "no-placeholders"),
        (6, "no-placeholders"),
        (8, "no-placeholders"),
        (10, "no-placeholders"),
        (10, "no-placeholders"),
    ]


NAV = """# Acme Orders

Body.

---

[← Acme Orders](acme.md)
1. **[Base](acme-00-base-index.md)** – conceptual foundations
2. **[Architecture](acme-12-arch-index.md)** – system context
"""


def test_nav_block_is_off_without_targets() -> None:
    assert check_file("x.md", "# T\n", CTX) == []


def test_nav_block_passes_with_every_target_after_last_break() -> None:
    ctx = ValidationContext(nav_targets=("acme.md", "acme-00-base-index.md", "acme-12-arch-index.md"))
    assert check_file("acme-01-foundations.md", NAV, ctx) == []


def test_nav_block_lists_missing_targets() -> None:
    ctx = ValidationContext(nav_targets=("acme.md", "acme-00-base-index.md", "acme-20-ui-index.md"))
    issues = check_file("acme-01-foundations.md", NAV, ctx)
    assert rules(issues) == [(5, "nav-block")]
    assert "acme-20-ui-index.md" in issues[0].message and "acme.md" not in issues[0].message


def test_nav_block_ignores_links_before_the_last_break() -> None:
    text = "# T\n\n[Base](acme-00-base-index.md)\n\n---\n\nno links\n"
    issues = check_file("b.md", text, ValidationContext(nav_targets=("acme-00-base-index.md",)))
    assert rules(issues) == [(5, "nav-block")]


def test_nav_block_missing_entirely() -> None:
    issues = check_file("b.md", "# T\n", ValidationContext(nav_targets=("acme.md",)))
    assert rules(issues) == [(0, "nav-block")]


def test_suppression_comment_silences_one_line() -> None:
    text = "# T\n\nTODO later <!-- docsgen-disable-line no-placeholders -->\n\nFIXME\n"
    assert rules(check_file("a.md", text, CTX)) == [(5, "no-placeholders")]
