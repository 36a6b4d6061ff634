from __future__ import annotations

from pathlib import Path

from docsgen_pipeline.validators.config import ValidateConfig
from docsgen_pipeline.validators.engine import validate_tree
from docsgen_pipeline.validators.findings import Finding
from docsgen_pipeline.validators.glossary import GlossaryTerm


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def found(report_findings: list[Finding]) -> list[tuple[str, int, str]]:
    return [(f.file, f.line, f.rule) for f in report_findings]


TREE = {
    "index.md": "# Index\n\n[guide](guide/) [logo](img/logo.png) [up](../outside.md)\n",
    "guide/index.md": "# Guide\n\n## Install\n\n[home](../index.md#index) [bad](#nope)\n",
    "drafts/wip.md": "TODO everything\n",
    "img/logo.png": "png",
}


def test_tree_findings_use_disk_for_non_markdown_and_ignore_globs(tmp_path: Path) -> None:
    root = tmp_path / "docs"
    write(root, TREE)
    (tmp_path / "outside.md").write_text("# Out\n", encoding="utf-8")
    report = validate_tree(root, ValidateConfig(ignore=("drafts",)), cache_dir=None, display="docs/")
    assert found(report.findings) == [("docs/guide/index.md", 5, "broken-fragment")]
    assert report.files == 2


def test_warm_run_parses_only_the_changed_file_and_rechecks_links(tmp_path: Path) -> None:
    root = tmp_path / "docs"
    write(root, TREE)
    cache = tmp_path / "cache"
    cold = validate_tree(root, ValidateConfig(), cache_dir=cache, jobs=1)
    assert cold.parsed == 3 and (cache / "validate.json").is_file() and (cache / ".gitignore").is_file()
    warm = validate_tree(root, ValidateConfig(), cache_dir=cache, jobs=1)
    assert warm.parsed == 0 and found(warm.findings) == found(cold.findings)
    # Removing the heading another file links to breaks that (unchanged, cached) file's link.
    (root / "index.md").write_text("# Home\n", encoding="utf-8")
    edited = validate_tree(root, ValidateConfig(), cache_dir=cache, jobs=1)
    assert edited.parsed == 1
    assert ("guide/index.md", 5, "broken-fragment") in found(edited.findings)
    assert sum(1 for f in edited.findings if f.message.startswith("'#index'")) == 1


def test_config_change_invalidates_cached_per_file_results(tmp_path: Path) -> None:
    write(tmp_path, {"a.md": "# A\n\nThe uploader runs.\n"})
    cache = tmp_path / ".cache"
    assert validate_tree(tmp_path, ValidateConfig(), cache_dir=cache).findings == []
    config = ValidateConfig(glossary=(GlossaryTerm("Sync Service", ("uploader",)),))
    report = validate_tree(tmp_path, config, cache_dir=cache)
    assert report.parsed == 1 and found(report.findings) == [("a.md", 3, "terminology")]


def test_parallel_and_serial_runs_agree(tmp_path: Path) -> None:
    files = {
        f"p{i:02d}.md": f"# P{i}\n\n[next](p{(i + 1) % 40:02d}.md#p{(i + 1) % 40}) [x](#gone{i})\n" for i in range(40)
    }
    write(tmp_path, files)
    serial = validate_tree(tmp_path, ValidateConfig(), cache_dir=None, jobs=1)
    parallel = validate_tree(tmp_path, ValidateConfig(), cache_dir=None, jobs=2)
    assert len(serial.findings) == 40
    assert found(parallel.findings) == found(serial.findings)


def test_suppression_and_nav_pattern(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "a.md": "# A\n\n[x](gone.md) <!-- docsgen-disable-line broken-link -->\n\n---\n\n[Next](b.md)\n",
            "b.md": "# B\n\n---\n\nnothing here\n",
        },
    )
    config = ValidateConfig(nav_pattern=r"\[Next\]\(")
    assert found(validate_tree(tmp_path, config, cache_dir=None).findings) == [("b.md", 3, "nav-block")]


def test_site_dir_supplies_anchors_only_a_build_knows(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    import pytest

    mkdocs = shutil.which("mkdocs", path=str(Path(sys.executable).parent))
    if mkdocs is None:
        pytest.skip("mkdocs (a dev dependency) is not installed")
    # A hook makes ids the Markdown never names, as Material's docs hooks and mkdocstrings do.
    (tmp_path / "hooks.py").write_text(
        "import re\n\ndef on_page_markdown(markdown, **kwargs):\n"
        "    return re.sub(r'<!-- md:setting (\\S+) -->', r'<span id=\"\\1\"></span>', markdown)\n"
    )
    (tmp_path / "mkdocs.yml").write_text("site_name: t\nhooks: [hooks.py]\n")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n\nSee [blog dir](plugins.md#config.blog_dir) and [x](plugins.md#nope).\n")
    (docs / "plugins.md").write_text("# Plugins\n\n<!-- md:setting config.blog_dir -->\n\nText.\n")
    subprocess.run([mkdocs, "build", "-q", "-f", str(tmp_path / "mkdocs.yml")], check=True, timeout=120)
    without = validate_tree(docs, ValidateConfig(), cache_dir=None, jobs=1)
    assert [f.target for f in without.findings] == ["plugins.md#config.blog_dir", "plugins.md#nope"]
    built = validate_tree(docs, ValidateConfig(), cache_dir=None, jobs=1, site=tmp_path / "site")
    assert [f.target for f in built.findings] == ["plugins.md#nope"]
