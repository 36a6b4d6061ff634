"""Flavour detection from mkdocs.yml / book.toml at or above DIR, and --flavor overriding it."""

from __future__ import annotations

from pathlib import Path

import pytest

from docsgen_pipeline.errors import ConfigError
from docsgen_pipeline.markdown.flavors import get_flavor
from docsgen_pipeline.markdown.flavors.detect import detect_flavor, flavor_for
from docsgen_pipeline.markdown.flavors.mkdocs import MkDocsFlavor

MKDOCS_YML = """\
site_name: x
use_directory_urls: false
markdown_extensions:
  - toc:
      separator: "_"
      slugify: !!python/object/apply:pymdownx.slugs.slugify {kwds: {case: lower}}
  - pymdownx.snippets:
      base_path: [docs/includes, .]
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
"""


def test_mkdocs_yml_above_dir_tunes_the_flavour(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "mkdocs.yml").write_text(MKDOCS_YML)
    (tmp_path / "docs" / "guide").mkdir(parents=True)
    flavor, source = detect_flavor(tmp_path / "docs" / "guide")
    assert source == tmp_path / "mkdocs.yml"
    assert isinstance(flavor, MkDocsFlavor)
    assert (flavor.separator, flavor.directory_urls) == ("_", False)
    assert flavor.snippet_base == ("../../docs/includes", "../..")
    assert flavor.slug("A b") == "a_b"


def test_book_toml_means_mdbook_and_flavor_overrides(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "book.toml").write_text('[book]\ntitle = "x"\n')
    (tmp_path / "src").mkdir()
    assert flavor_for(tmp_path / "src", None).name == "mdbook"
    assert flavor_for(tmp_path / "src", "github").name == "github"


def test_nothing_found_stops_at_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text("site_name: outer\n")
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    assert detect_flavor(tmp_path / "repo")[0].name == "github"


def test_unknown_flavor_is_one_readable_line() -> None:
    with pytest.raises(ConfigError, match="unknown flavor 'sphinx' \\(flavors: github, mkdocs, mdbook\\)"):
        get_flavor("sphinx", "--flavor")
