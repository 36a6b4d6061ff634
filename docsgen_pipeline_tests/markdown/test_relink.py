"""Relative links pointed at other places; everything else byte for byte as written."""

from __future__ import annotations

from docsgen_pipeline.markdown.relink import relink

URLS = {"acme.md": "/assets/phase0/root?p=1", "acme-14-components.md": "/assets/phase2/components?p=1"}


def test_inline_links_move_and_the_rest_stays() -> None:
    text = (
        "# Title\n\n"
        "See [the overview](acme.md) and [components](./acme-14-components.md#data-flow), "
        "[the web](https://example.com/acme.md), [here](#title) and [later](acme-99-legacy.md).\n"
        "![diagram](acme.md) then [the overview](acme.md)\n"
    )
    out = relink(text, URLS)
    assert out == (
        "# Title\n\n"
        "See [the overview](/assets/phase0/root?p=1) and [components](/assets/phase2/components?p=1), "
        "[the web](https://example.com/acme.md), [here](#title) and [later](acme-99-legacy.md).\n"
        "![diagram](acme.md) then [the overview](/assets/phase0/root?p=1)\n"
    )


def test_code_is_never_touched() -> None:
    text = "Use `[x](acme.md)` like this:\n\n```markdown\n[x](acme.md)\n```\n\n    [x](acme.md)\n"
    assert relink(text, URLS) == text


def test_two_links_on_one_line_and_reference_definitions() -> None:
    text = "[a](acme.md) [b](acme.md) [c][comp]\r\n\r\n[comp]: acme-14-components.md \"Components\"\r\n"
    assert relink(text, URLS) == (
        "[a](/assets/phase0/root?p=1) [b](/assets/phase0/root?p=1) [c][comp]\r\n\r\n"
        '[comp]: /assets/phase2/components?p=1 "Components"\r\n'
    )


def test_nothing_to_relink_returns_the_text_unchanged() -> None:
    text = "# Only text\n\nno links at all, not even acme.md\n"
    assert relink(text, URLS) == text
    assert relink("", URLS) == ""
