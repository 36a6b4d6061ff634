"""The directory destination: staged beside the target, swapped in whole, marked with the manifest sha."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docsgen_pipeline.errors import PublishError
from docsgen_pipeline.publish.directory import MARKER, DirectoryDestination
from docsgen_pipeline_tests.support.publishing import bundle_ref, fake_bundle


def test_publish_swaps_the_whole_folder_and_leaves_a_marker(tmp_path: Path) -> None:
    target = tmp_path / "www" / "docs"
    dest = DirectoryDestination(str(target))
    assert dest.url == target.as_uri() and DirectoryDestination(target.as_uri()).url == dest.url
    first = bundle_ref(fake_bundle(tmp_path / "b1", {"a.md": "# A\n", "old.md": "# Old\n"}))
    dest.publish(first)
    reader = (target / "a.md").open()  # a reader of the old folder keeps reading it whole

    second = bundle_ref(fake_bundle(tmp_path / "b2", {"a.md": "# A2\n", "sub/b.md": "# B\n"}), version=2)
    placement = dest.publish(second)
    assert placement.created and placement.location == str(target)
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()) == [
        MARKER, "a.md", "manifest.json", "sub/b.md",
    ]
    assert reader.read() == "# A\n"
    reader.close()
    marker = json.loads((target / MARKER).read_text())
    assert marker["manifest_sha256"] == second.manifest_sha256 and marker["bundle_version"] == 2
    # Nothing of the staging is left beside the target.
    assert [p.name for p in target.parent.iterdir()] == ["docs"]

    again = dest.publish(second)
    assert not again.created and again.at == marker["published_at"]
    assert dest.locate(second.manifest_sha256) is not None and dest.locate(first.manifest_sha256) is None


def test_leftovers_of_a_dead_attempt_are_cleared_and_a_file_target_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "docs"
    leftover = tmp_path / ".docs.docsgen-staging-deadbeef"
    leftover.mkdir()
    (leftover / "half.md").write_text("half")
    DirectoryDestination(str(target)).publish(bundle_ref(fake_bundle(tmp_path / "b1", {"a.md": "# A\n"})))
    assert not leftover.exists() and (target / "a.md").is_file()

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(PublishError, match="is not a folder"):
        DirectoryDestination(str(blocker)).publish(bundle_ref(tmp_path / "b1"))
