"""Blueprints: the default is shaped like the seed doc set; bad ones fail with the field named."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from docsgen_pipeline.blueprint import default_blueprint, default_blueprint_text, load_blueprint, parse_blueprint
from docsgen_pipeline.errors import BlueprintError


def test_default_blueprint_shape() -> None:
    blueprint = default_blueprint()
    assert [p.number for p in blueprint.phases] == [0, 1, 2, 3, 4, 5]
    assert len(blueprint.all_files()) >= 20
    names = blueprint.filenames("acme")
    assert names["root"] == "acme.md"
    assert names["arch_index"] == "acme-12-arch-index.md"
    assert all(n == "acme.md" or n.startswith("acme-") for n in names.values())
    assert [p.title for p, _ in blueprint.section_indexes()] == ["Base", "Architecture", "UI", "Appendix", "Diagrams"]
    kinds = {f.kind for f in blueprint.phases[5].files}
    assert {"architecture_diagram", "state_machine", "sequence"} <= kinds
    assert blueprint.schema_file() is not None


def _mutated(change: dict[str, object] | None = None, **phase0: object) -> str:
    data = yaml.safe_load(default_blueprint_text())
    data["phases"][0]["files"][0].update(phase0)
    data.update(change or {})
    return yaml.safe_dump(data)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_mutated({"phases": []}), "phases must be numbered 0..5"),
        (_mutated(key="Bad-Key"), "field 'phases.0.files.0.key'"),
        (_mutated(key="foundations"), "file key 'foundations' is used twice"),
        (_mutated(number=7, name="seven"), "exactly one root file"),
        (_mutated(title=""), "field 'phases.0.files.0.title'"),
        (_mutated(surprise=True), "field 'phases.0.files.0.surprise'"),
        ("name: x\nphases: [\n", "invalid YAML"),
    ],
)
def test_bad_blueprint_names_the_field(text: str, message: str) -> None:
    with pytest.raises(BlueprintError) as excinfo:
        parse_blueprint(text, "my-blueprint.yaml")
    assert str(excinfo.value).startswith("my-blueprint.yaml")
    assert message in str(excinfo.value)


def test_unknown_dependency_is_refused() -> None:
    data = yaml.safe_load(default_blueprint_text())
    data["phases"][2]["files"][1]["depends"] = {"files": ["no_such_file"]}
    with pytest.raises(BlueprintError, match="depends on unknown file 'no_such_file'"):
        parse_blueprint(yaml.safe_dump(data), "bp.yaml")


def test_missing_blueprint_file(tmp_path: Path) -> None:
    with pytest.raises(BlueprintError, match="blueprint file not found"):
        load_blueprint(tmp_path / "missing.yaml")


def test_content_hash_changes_with_the_file_list() -> None:
    data = yaml.safe_load(default_blueprint_text())
    data["phases"][4]["files"].pop()
    assert parse_blueprint(yaml.safe_dump(data), "x").content_hash() != default_blueprint().content_hash()


def test_flavor_defaults_to_github_and_must_be_known() -> None:
    assert default_blueprint().flavor == "github"
    text = default_blueprint_text().replace("\nversion: 1\n", "\nversion: 1\nflavor: mkdocs\n", 1)
    assert parse_blueprint(text, "b.yaml").flavor == "mkdocs"
    with pytest.raises(BlueprintError, match="flavor must be one of github, mkdocs, mdbook, got 'sphinx'"):
        parse_blueprint(text.replace("flavor: mkdocs", "flavor: sphinx"), "b.yaml")


def test_severity_overrides_are_checked_and_change_the_hash() -> None:
    base = default_blueprint_text()
    relaxed = parse_blueprint(base + "severity:\n  terminology: warning\n", "relaxed.yaml")
    assert relaxed.severity == {"terminology": "warning"}
    assert relaxed.content_hash() != default_blueprint().content_hash()
    with pytest.raises(BlueprintError, match="unknown rule 'spelling'"):
        parse_blueprint(base + "severity:\n  spelling: warning\n", "bad.yaml")
    with pytest.raises(BlueprintError, match=r"severity.terminology: must be one of error, warning, info"):
        parse_blueprint(base + "severity:\n  terminology: fatal\n", "bad.yaml")


def test_blueprints_without_severity_keep_their_registered_hash() -> None:
    # Docs runs registered before `severity` existed stored a hash over exactly these fields; the
    # served blueprint must still match it, or every such run would be refused.
    import hashlib

    blueprint = default_blueprint()
    fields = {"name", "version", "description", "flavor", "phases"}
    before = hashlib.sha256(blueprint.model_dump_json(include=fields).encode()).hexdigest()
    assert blueprint.content_hash() == before
