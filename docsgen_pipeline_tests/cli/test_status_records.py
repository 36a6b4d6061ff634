"""Status records: after every step of a lifecycle the stored record equals a full recomputation,
`list` reads the records (not the facts), archived runs leave the default listing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from docsgen_pipeline.cli.instance import get_definitions
from docsgen_pipeline.cli.main import main
from docsgen_pipeline.dagster_layer.status_records import recompute
from docsgen_pipeline.docs_run import DocsRun
from docsgen_pipeline.status_record import StatusBook, agree
from docsgen_pipeline_tests.conftest import EXAMPLES, Home


def _assert_record_agrees(home: Home, run_id: str) -> dict[str, Any]:
    record = StatusBook(home.store.root).read(run_id)
    run = DocsRun.load(home.store, run_id)
    fresh = recompute(home.instance(), home.store, run_id, defs=get_definitions(run.blueprint))
    assert record is not None and agree(record, fresh), (record, fresh)
    return record


def _listed(capsys: pytest.CaptureFixture[str], *flags: str) -> dict[str, str]:
    capsys.readouterr()
    assert main(["list", "--json", *flags]) == 0
    return {r["run_id"]: r["status"] for r in json.loads(capsys.readouterr().out)}


def test_record_equals_recomputation_after_every_step(docsgen_home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    brief = str(EXAMPLES / "acme-orders.yaml")
    assert main(["run", brief, "--run-id", "rec-1", "--review", "interactive"]) == 0
    assert _assert_record_agrees(docsgen_home, "rec-1")["status"] == "AwaitingApproval"

    run = DocsRun.load(docsgen_home.store, "rec-1")
    target = run.filenames[run.blueprint.phases[0].files[0].key]
    assert main(["reject", "rec-1", "--phase", "0", "--note", "name the audit trail", "--file", target]) == 0
    record = _assert_record_agrees(docsgen_home, "rec-1")
    assert (record["status"], record["phases"][0]["revision_rounds"]) == ("AwaitingApproval", 1)

    assert main(["approve", "rec-1", "--by", "ana", "--no-continue"]) == 0
    record = _assert_record_agrees(docsgen_home, "rec-1")
    assert (record["status"], record["phase"], record["phases"][0]["approved_by"]) == ("Running", "1", "ana")

    assert main(["approve", "rec-1", "--resume"]) == 0  # phase 1 runs and waits for its approval
    assert _assert_record_agrees(docsgen_home, "rec-1")["phase"] == "1"

    # Archiving hides the run from the default listing only; the status stays what it was.
    assert main(["archive", "rec-1"]) == 0
    assert _assert_record_agrees(docsgen_home, "rec-1")["archived"] is True
    assert _listed(capsys) == {}
    assert _listed(capsys, "--archived") == {"rec-1": "AwaitingApproval"}
    assert main(["unarchive", "rec-1"]) == 0
    assert _listed(capsys) == {"rec-1": "AwaitingApproval"}

    assert main(["cancel", "rec-1", "--reason", "superseded"]) == 0
    assert _assert_record_agrees(docsgen_home, "rec-1")["status"] == "Canceled"
    assert _listed(capsys) == {"rec-1": "Canceled"}


def test_list_reads_records_and_recompute_repairs_them(
    docsgen_home: Home, capsys: pytest.CaptureFixture[str]
) -> None:
    docsgen_home.register("rec-2", review_mode="interactive")
    assert _listed(capsys) == {"rec-2": "Running"}  # no record yet: computed once and stored
    book = StatusBook(docsgen_home.store.root)
    record = book.read("rec-2")
    assert record is not None
    book.write({**record, "status": "Complete"})  # a cache gone wrong
    assert _listed(capsys) == {"rec-2": "Complete"}  # list trusts the record, it does not recompute

    capsys.readouterr()
    assert main(["status", "--recompute"]) == 0
    err = capsys.readouterr().err
    assert "1 status record(s) disagreed with the recorded facts and were rebuilt: rec-2" in err
    assert _listed(capsys) == {"rec-2": "Running"}
    assert main(["status", "--recompute"]) == 0
    assert "1 status record(s) agree with the recorded facts" in capsys.readouterr().err


def test_archive_unknown_run(docsgen_home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["archive", "nope-2"]) == 2
    assert "docs run 'nope-2' is not registered" in capsys.readouterr().err
