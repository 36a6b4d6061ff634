from __future__ import annotations

from docsgen_pipeline.validators.api import run_gate
from docsgen_pipeline.validators.model import Issue, ValidationContext

CTX = ValidationContext()


def found(corpus: dict[str, str], ctx: ValidationContext = CTX) -> list[tuple[str, int, str]]:
    issues: list[Issue] = run_gate(corpus, corpus, ctx)
    return [(i.file, i.line, i.rule) for i in issues]


TARGET = """# Target

## Getting started

## Getting started

## Explicit {#custom-id}

## Spaced { #spaced-id .cls }

## Colon {: #colon-id }

<a id="html-anchor"></a>
<span name="named-anchor"></span>
"""


def test_every_link_form_resolves() -> None:
    source = """# Source

[plain](docs/target.md) [dot](./docs/target.md) [angle](<docs/my page.md>) [pct](docs/my%20page.md)
[titled](docs/target.md "A title") [ref][r] [collapsed][] [dir](docs/) [dir2](docs)
[up](docs/sub/../target.md) [abs](/docs/target.md)

| col |
|-----|
| [in table](docs/target.md) |

- [in list](docs/target.md)

[r]: docs/target.md "ref title"
[collapsed]: <docs/my page.md>
"""
    corpus = {"a.md": source, "docs/target.md": TARGET, "docs/my page.md": "# Page\n", "docs/index.md": "# Idx\n"}
    assert found(corpus) == []


def test_external_mailto_and_code_links_are_skipped() -> None:
    text = (
        "# S\n\n[w](https://nope.invalid/x.md) [p](//cdn/x.md) [m](mailto:a@b.c)\n\n"
        "`[c](gone.md)`\n\n```\n[f](gone.md)\n```\n"
    )
    assert found({"a.md": text}) == []


def test_broken_links_are_reported_with_line() -> None:
    text = "# S\n\n[a](missing.md)\n\n| x |\n|---|\n| [b](../out.md) |\n\n[c][r]\n\n[r]: nope/\n"
    assert found({"d/a.md": text}) == [
        ("d/a.md", 3, "broken-link"),
        ("d/a.md", 7, "broken-link"),
        ("d/a.md", 9, "broken-link"),
    ]


def test_planned_and_other_files_resolve() -> None:
    text = "# S\n\n[later](later.md#whatever) ![img](img/logo.png)\n"
    ctx = ValidationContext(planned_files=frozenset({"later.md"}), other_files=frozenset({"img/logo.png"}))
    assert found({"a.md": text}, ctx) == []
    assert found({"a.md": text}) == [("a.md", 3, "broken-link"), ("a.md", 3, "broken-link")]


def test_every_anchor_form_resolves_across_files() -> None:
    links = [
        "getting-started",
        "getting-started-1",
        "custom-id",
        "spaced-id",
        "colon-id",
        "html-anchor",
        "named-anchor",
        "explicit",
        "Getting-Started",
        "top",
    ]
    source = "# S\n\n" + "\n".join(f"[x](target.md#{f})" for f in links) + "\n"
    assert found({"a.md": source, "target.md": TARGET}) == []


def test_broken_fragments_same_file_and_cross_file() -> None:
    source = "# S\n\n## Here\n\n[ok](#here) [bad](#nowhere)\n[x](t.md#getting-started-2)\n"
    issues = run_gate({"a.md": source}, {"a.md": source, "t.md": TARGET}, CTX)
    assert [(i.line, i.rule) for i in issues] == [(5, "broken-fragment"), (6, "broken-fragment")]
    assert "t.md" in issues[1].message


def test_duplicate_suffix_only_exists_for_duplicates() -> None:
    assert found({"a.md": "# S\n\n## Once\n\n[x](#once-1)\n"}) == [("a.md", 5, "broken-fragment")]


def test_suppression_next_line() -> None:
    text = "# S\n\n<!-- docsgen-disable-next-line broken-link -->\n[a](gone.md)\n\n[b](gone.md)\n"
    assert found({"a.md": text}) == [("a.md", 6, "broken-link")]
