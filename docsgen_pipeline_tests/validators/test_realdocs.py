"""``docsgen validate`` on real documentation by other people (see fixtures/realdocs/SOURCES.txt)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from docsgen_pipeline.markdown.document import parse_document
from docsgen_pipeline.validators.config import load_config
from docsgen_pipeline.validators.engine import validate_tree

REALDOCS = Path(__file__).parent.parent / "fixtures" / "realdocs"
COMMANDER = "commander/Readme.md"
CAPTION = "pymdown-extensions/docs/src/markdown/extensions/blocks/plugins/caption.md"
MAGICLINK = "pymdown-extensions/docs/src/markdown/extensions/magiclink.md"
CUSTOM_RULES = "markdownlint/doc/CustomRules.md"


def test_known_true_findings_and_nothing_else() -> None:
    report = validate_tree(REALDOCS, load_config(REALDOCS), cache_dir=None, jobs=1)
    assert report.files == 4
    assert Counter((f.file, f.rule) for f in report.findings) == {
        (COMMANDER, "broken-link"): 42,
        (CAPTION, "broken-link"): 11,
        (CUSTOM_RULES, "broken-link"): 2,
        (CAPTION, "single-h1-first"): 1,
        (MAGICLINK, "single-h1-first"): 1,
    }
    assert {f.message for f in report.findings if f.file == CAPTION and f.rule == "broken-link"} == {
        "image target '../../../images/placeholder.jpeg' does not exist "
        "(resolved to 'pymdown-extensions/docs/src/markdown/images/placeholder.jpeg')"
    }
    assert sorted(f.line for f in report.findings if f.file == CUSTOM_RULES) == [116, 168]


def test_zero_false_alarms_on_real_fragments_and_explicit_anchors() -> None:
    commander = parse_document((REALDOCS / COMMANDER).read_text(encoding="utf-8"))
    magiclink = parse_document((REALDOCS / MAGICLINK).read_text(encoding="utf-8"))
    # The links being judged exist: 47 GitHub-slug fragments in commander's Readme, and
    # pymdown's `{#\_fn_1}` attribute-list anchor linked twice.
    assert sum(1 for link in commander.links if link.fragment and not link.path) == 47
    assert "_fn_1" in magiclink.anchors
    assert sum(1 for link in magiclink.links if link.fragment == "_fn_1") == 2
    report = validate_tree(REALDOCS, load_config(REALDOCS), cache_dir=None, jobs=1)
    assert [f for f in report.findings if f.rule == "broken-fragment"] == []
