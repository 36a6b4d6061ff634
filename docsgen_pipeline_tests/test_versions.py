"""File versions: naming a planned file, history, one version's text, unified diffs (no Dagster)."""

from __future__ import annotations

import pytest

from docsgen_pipeline.docs_run import FILES, DocsRun
from docsgen_pipeline.errors import PlanError, StoreError
from docsgen_pipeline.store import ArtifactStore
from docsgen_pipeline.versions import (
    diff_to_previous,
    file_history,
    file_version,
    history_markdown,
    history_text,
    resolve_file_key,
    truncate_diff,
    unified_diff,
)
from docsgen_pipeline_tests.conftest import register_example


@pytest.fixture
def run(tmp_path: object) -> DocsRun:
    store = ArtifactStore(str(tmp_path))
    register_example(store, "v-1")
    return DocsRun.load(store, "v-1")


def _put(run: DocsRun, key: str, text: str, **meta: object) -> None:
    run.store.put(run.run_id, FILES, run.filenames[key], text, {"key": key, **meta})


def test_resolve_file_key_accepts_key_filename_and_asset_key(run: DocsRun) -> None:
    name = run.filenames["components"]
    assert resolve_file_key(run, "components") == "components"
    assert resolve_file_key(run, name) == "components"
    assert resolve_file_key(run, name.removesuffix(".md")) == "components"
    assert resolve_file_key(run, "phase2/components") == "components"


def test_unplanned_file_is_refused_with_the_way_forward(run: DocsRun) -> None:
    with pytest.raises(PlanError) as err:
        resolve_file_key(run, "componnets")
    message = str(err.value)
    assert "not a planned file of blueprint 'design-docs' v1" in message
    assert "did you mean components" in message
    assert "register a new docs run with a new blueprint version" in message
    with pytest.raises(PlanError):
        resolve_file_key(run, "phase3/components")  # wrong phase


def test_history_versions_and_diff(run: DocsRun) -> None:
    assert file_history(run, "components") == []
    _put(run, "components", "# Components\n\nOne.\n", reason="generate", requested_by="cli")
    _put(run, "components", "# Components\n\nOne.\n")  # identical: not a new version
    _put(run, "components", "# Components\n\nTwo.\n", reason="feedback", requested_by="ana", feedback="say two")
    history = file_history(run, "components")
    assert [h.record.version for h in history] == [1, 2]
    assert [h.is_latest for h in history] == [False, True]

    first, text = file_version(run, "components", 1)
    assert text == "# Components\n\nOne.\n" and not first.is_latest and first.latest_version == 2
    latest, text2 = file_version(run, "components")
    assert latest.record.version == 2 and latest.summary()["feedback"] == "say two"

    diff = diff_to_previous(run, latest.record, text2)
    assert diff is not None
    assert diff.splitlines()[:2] == [f"--- {latest.record.name} (v1)", f"+++ {latest.record.name} (v2)"]
    assert "-One.\n+Two.\n" in diff
    assert diff_to_previous(run, first.record, text) is None

    table = history_markdown(history, current=1)
    assert "| v1 (this) |" in table and "| v2 (latest) |" in table
    listing = history_text(history)
    assert listing.splitlines()[1].endswith("feedback by ana  feedback: say two  (latest)")


def test_missing_versions_say_what_exists(run: DocsRun) -> None:
    with pytest.raises(StoreError, match="has not been generated yet"):
        file_version(run, "components")
    _put(run, "components", "x\n")
    with pytest.raises(StoreError, match=r"versions are v1..v1 \(see: docsgen history v-1"):
        file_version(run, "components", 3)


def test_unified_diff_marks_missing_final_newline_and_truncates() -> None:
    diff = unified_diff("a\nb", "a\nc", "f.md", "v1", "v2")
    assert "\\ No newline at end of file" in diff
    assert unified_diff("same\n", "same\n", "f.md", "v1", "v2") == ""
    long = "".join(f"+{i}\n" for i in range(10))
    cut = truncate_diff(long, max_lines=4)
    assert cut.count("\n") == 5 and cut.endswith("6 more diff lines (docsgen show --diff)\n")
