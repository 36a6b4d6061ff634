"""The publish ledger: append-only intents and outcomes, read back as publications."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from docsgen_pipeline.publish.destination import Placement
from docsgen_pipeline.publish.ledger import Ledger
from docsgen_pipeline.store import ArtifactStore
from docsgen_pipeline_tests.conftest import register_example
from docsgen_pipeline_tests.support.publishing import bundle_ref, fake_bundle


def test_pending_and_last_published_follow_the_log(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path / "store")
    register_example(store, "l-1")
    ledger = Ledger(store, "l-1")
    v1 = bundle_ref(fake_bundle(tmp_path / "b1", {"a.md": "# A\n"}), run_id="l-1")
    v2 = bundle_ref(fake_bundle(tmp_path / "b2", {"a.md": "# A2\n"}), version=2, run_id="l-1")

    first = ledger.intend("file:///d", v1, by="ana")
    assert [p.intent["attempt"] for p in ledger.pending()] == [first] and ledger.last_published() is None
    ledger.record(first, "published", Placement("file:///d", v1.manifest_sha256, "/d", at="t1"))
    second = ledger.intend("file:///d", v2, by="ana")
    ledger.record(second, "failed", error="disk full")
    third = ledger.intend("file:///other", v2, by="bo")

    assert [p.intent["attempt"] for p in ledger.pending()] == [third]
    assert ledger.pending("file:///d") == []
    last = ledger.last_published("file:///d")
    assert last is not None and last.bundle_version == 1 and last.as_dict()["location"] == "/d"
    # A second outcome for one attempt never overrides the first (append-only, first wins).
    ledger.record(first, "not_published", reconciled=True)
    assert ledger.last_published("file:///d") == last
    lines = (store.run_dir("l-1") / "events" / "publish.jsonl").read_text().splitlines()
    assert len(lines) == 6

    assert ledger.auto_destination() == ""
    ledger.set_auto("file:///d", by="ana")
    assert ledger.auto_destination() == "file:///d"


def test_busy_while_another_process_holds_the_lock(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path / "store")
    register_example(store, "l-2")
    ledger = Ledger(store, "l-2")
    assert not ledger.busy()
    holder = subprocess.Popen(
        [
            sys.executable, "-c",
            "import sys, time; from docsgen_pipeline.store import ArtifactStore;"
            "from docsgen_pipeline.publish.ledger import Ledger\n"
            f"with Ledger(ArtifactStore({str(store.root)!r}), 'l-2').lock():\n"
            "    print('locked', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        assert ledger.busy()
    finally:
        holder.kill()
        holder.wait()
    assert not ledger.busy()  # a killed holder releases it
