"""Destination URLs -> implementations, and the bundle check publishing relies on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docsgen_pipeline.bundle import verify_bundle
from docsgen_pipeline.errors import DestinationError
from docsgen_pipeline.publish.directory import DirectoryDestination
from docsgen_pipeline.publish.git import GitDestination
from docsgen_pipeline.publish.registry import destination_for
from docsgen_pipeline_tests.support.publishing import fake_bundle


def test_schemes_choose_the_implementation(tmp_path: Path) -> None:
    for url in ("git+file:///r.git#main:docs", "git+ssh://git@host/r.git#pages", "git+https://host/r.git"):
        assert isinstance(destination_for(url), GitDestination)
    assert isinstance(destination_for(str(tmp_path / "site")), DirectoryDestination)
    assert destination_for((tmp_path / "site").as_uri()).url == destination_for(str(tmp_path / "site")).url
    with pytest.raises(DestinationError, match="object store destinations are not available yet"):
        destination_for("s3://bucket/prefix")
    with pytest.raises(DestinationError, match="unknown destination scheme 'ftp'"):
        destination_for("ftp://host/docs")
    with pytest.raises(DestinationError, match="no destination given"):
        destination_for("  ")


def test_verify_bundle_names_what_differs_from_the_manifest(tmp_path: Path) -> None:
    bundle = fake_bundle(tmp_path / "b", {"a.md": "# A\n", "reports/r.md": "# R\n"})
    assert verify_bundle(bundle) == []
    manifest = json.loads((bundle / "manifest.json").read_text())
    (bundle / "manifest.json").write_text(json.dumps({**manifest, "site": ["publish/mkdocs.yml"]}))
    assert verify_bundle(bundle) == ["publish/mkdocs.yml: listed in the manifest but missing from the bundle"]
    (bundle / "publish").mkdir()
    (bundle / "publish" / "mkdocs.yml").write_text("site_name: T\n")
    assert verify_bundle(bundle) == []
    (bundle / "a.md").write_text("# edited\n")
    (bundle / "reports" / "r.md").unlink()
    (bundle / "extra.md").write_text("# extra\n")
    assert verify_bundle(bundle) == [
        "a.md: sha256 differs from the manifest",
        "reports/r.md: listed in the manifest but missing from the bundle",
        "extra.md: in the bundle but not in the manifest",
    ]
    (bundle / "manifest.json").unlink()
    (bundle / "manifest.json").write_text(json.dumps({"files": ["a.md"], "reports": {}}))
    assert verify_bundle(bundle) == [  # a damaged manifest is reported, never a crash
        "manifest.json: files entry 1 has no file name",
        "manifest.json: 'reports' is not a list",
        "a.md: in the bundle but not in the manifest",
        "extra.md: in the bundle but not in the manifest",
        "publish/mkdocs.yml: in the bundle but not in the manifest",
    ]
    (bundle / "manifest.json").unlink()
    assert verify_bundle(bundle) == ["manifest.json: missing"]
