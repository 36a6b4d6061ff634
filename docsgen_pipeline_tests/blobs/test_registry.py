"""Which backend a store location gets: folders and file:// stay on the crash-safe local backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from docsgen_pipeline.blobs.local import LocalBlobs
from docsgen_pipeline.blobs.object_store import ObjectBlobs
from docsgen_pipeline.blobs.registry import open_blobs, working_root
from docsgen_pipeline.errors import ConfigError
from docsgen_pipeline.settings import store_root
from docsgen_pipeline.store import ArtifactStore


def test_folders_and_file_urls_are_the_local_backend(tmp_path: Path) -> None:
    for location in (tmp_path, str(tmp_path), f"file://{tmp_path}"):
        blobs = open_blobs(location)
        assert isinstance(blobs, LocalBlobs) and blobs.root == tmp_path
    store = ArtifactStore(f"file://{tmp_path}")
    assert store.is_local and store.root == tmp_path and store.run_dir("a-1") == tmp_path / "runs" / "a-1"


def test_object_store_urls_get_the_object_backend_and_a_local_working_folder(tmp_path: Path) -> None:
    assert isinstance(open_blobs("s3://bucket/prefix"), ObjectBlobs)
    one, two = working_root("s3://bucket/a", tmp_path), working_root("s3://bucket/b", tmp_path)
    assert one != two and one.parent == tmp_path / "store-local" and one.name.startswith("bucket-a-")


@pytest.mark.parametrize("location", ["ftp://host/store", "file://otherhost/store"])
def test_an_unusable_url_is_one_config_error(location: str) -> None:
    with pytest.raises(ConfigError, match="DOCSGEN_STORE="):
        open_blobs(location)


def test_docsgen_store_keeps_a_url_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCSGEN_STORE", "s3://bucket/team/docs")
    assert store_root() == "s3://bucket/team/docs"  # Path() would have made it s3:/bucket/...
