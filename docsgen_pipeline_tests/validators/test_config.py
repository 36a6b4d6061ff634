from __future__ import annotations

from pathlib import Path

import pytest

from docsgen_pipeline.errors import ConfigError
from docsgen_pipeline.validators.config import ValidateConfig, load_config, with_flags
from docsgen_pipeline.validators.glossary import GlossaryTerm, load_glossary


def test_defaults_keep_nav_block_off_and_other_rules_at_error(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()  # stop the upward search at this "repository"
    config = load_config(tmp_path)
    assert config.level("nav-block") == "off"
    assert config.level("broken-link") == "error"
    assert config.level("external-link") == "off"


def test_docsgen_toml_sets_levels_ignores_glossary_and_nav(tmp_path: Path) -> None:
    (tmp_path / "terms.toml").write_text('"Sync Service" = ["uploader"]\n', encoding="utf-8")
    (tmp_path / "docsgen.toml").write_text(
        '[validate]\nignore = ["drafts/**"]\nglossary = "terms.toml"\ndisable = ["no-placeholders"]\n'
        'nav_targets = ["index.md"]\n[validate.severity]\nbroken-fragment = "warning"\n',
        encoding="utf-8",
    )
    docs = tmp_path / "docs"
    docs.mkdir()
    config = load_config(docs)  # found in the parent folder
    assert config.level("no-placeholders") == "off"
    assert config.level("broken-fragment") == "warning"
    assert config.level("nav-block") == "error"  # configured targets switch it on
    assert config.ignore == ("drafts/**",)
    assert config.glossary == (GlossaryTerm("Sync Service", ("uploader",)),)


def test_pyproject_tool_docsgen_section(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[tool.docsgen.validate]\nenable = ["nav-block"]\nnav_pattern = "Next"\n',
        encoding="utf-8",
    )
    config = load_config(tmp_path)
    assert config.nav_pattern == "Next" and config.level("nav-block") == "error"


def test_flags_override_the_file(tmp_path: Path) -> None:
    (tmp_path / "docsgen.toml").write_text('[validate]\ndisable = ["broken-link"]\n', encoding="utf-8")
    config = with_flags(load_config(tmp_path), enable=("broken-link",), severity=("terminology=info",))
    assert config.level("broken-link") == "error"
    assert config.level("terminology") == "info"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[validate]\ndisable = ["no-such-rule"]\n', "field 'disable': unknown rule 'no-such-rule'"),
        ('[validate]\n[validate.severity]\nbroken-link = "fatal"\n', "field 'severity.broken-link'"),
        ('[validate]\nignroe = ["x"]\n', "unknown field 'ignroe'"),
        ('[validate]\nnav_pattern = "("\n', "field 'nav_pattern' is not a valid regular expression"),
        ("[validate\n", "invalid TOML"),
    ],
)
def test_bad_config_names_file_and_field(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "docsgen.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"docsgen\.toml") as info:
        load_config(tmp_path, path)
    assert message in str(info.value)


def test_bad_flag_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="--severity"):
        with_flags(ValidateConfig(), severity=("broken-link",))


def test_glossary_formats(tmp_path: Path) -> None:
    md = tmp_path / "g.md"
    md.write_text("- **Sighting** (not: observation record): one record\n- **Survey**: a day\n", encoding="utf-8")
    assert load_glossary(md) == (GlossaryTerm("Sighting", ("observation record",)), GlossaryTerm("Survey"))
    yml = tmp_path / "brief.yaml"
    yml.write_text("glossary:\n  - term: SKU\n    forbidden: [stock code]\n", encoding="utf-8")
    assert load_glossary(yml) == (GlossaryTerm("SKU", ("stock code",)),)
    bad = tmp_path / "g.json"
    bad.write_text('[{"forbidden": []}]', encoding="utf-8")
    with pytest.raises(ConfigError, match="entry 1 needs a string 'term'"):
        load_glossary(bad)
