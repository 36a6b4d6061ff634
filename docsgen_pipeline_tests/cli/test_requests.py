"""`docsgen submit`, `docsgen requests` and `docsgen skip` on an isolated DocsGen home."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from docsgen_pipeline.blueprint import default_blueprint
from docsgen_pipeline.cli.main import main
from docsgen_pipeline.inbox import inbox_dir
from docsgen_pipeline.store import sha256_hex
from docsgen_pipeline_tests.conftest import EXAMPLES, Home

ACME = EXAMPLES / "acme-orders.yaml"


def _listing(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["requests", "--json", *args]) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return data


def test_submit_lists_and_skips(docsgen_home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["submit", str(ACME), "--review", "interactive"]) == 0
    request_id = capsys.readouterr().out.strip()
    assert request_id == sha256_hex(ACME.read_bytes())[:12]
    assert main(["submit", str(ACME)]) == 0  # same brief: same request, nothing added
    assert "already exists" in capsys.readouterr().err
    [request] = _listing(capsys)["requests"]
    assert (request["id"], request["status"], request["review_mode"]) == (request_id, "pending", "interactive")
    assert Path(request["brief"]).read_bytes() == ACME.read_bytes()

    assert main(["skip", request_id, "--reason", "wrong project"]) == 0
    [skipped] = _listing(capsys, "--status", "skipped")["requests"]
    assert (skipped["status"], skipped["reason"]) == ("skipped", "wrong project")
    assert [e["status"] for e in skipped["history"]] == ["pending", "skipped"]
    assert Path(skipped["brief"]).is_file()  # nothing is deleted
    assert main(["skip", request_id]) == 2
    assert "already skipped" in capsys.readouterr().err

    # Skipped by mistake: submitting the same brief says how to reopen it, and --reopen does.
    assert main(["submit", str(ACME)]) == 0
    assert "--reopen makes it pending again" in capsys.readouterr().err
    assert main(["submit", str(ACME), "--reopen"]) == 0
    [reopened] = _listing(capsys)["requests"]
    assert [e["status"] for e in reopened["history"]] == ["pending", "skipped", "pending"]
    assert reopened["review_mode"] == "interactive"  # settings stay as first submitted


def test_a_dragged_in_file_is_a_pending_request(docsgen_home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    inbox_dir().mkdir(parents=True)
    dropped = inbox_dir() / "notes.md"
    dropped.write_bytes((EXAMPLES / "field-notes.md").read_bytes())
    past = dropped.stat().st_mtime - 60
    os.utime(dropped, (past, past))
    [request] = _listing(capsys)["requests"]
    assert (request["source"], request["status"], request["submitted_by"]) == ("notes.md", "pending", "drop")
    assert dropped.is_file()


def test_pending_too_long_is_flagged_with_the_unblocking_command(
    docsgen_home: Home, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["submit", str(ACME), "--scheduled"]) == 0
    request_id = capsys.readouterr().out.strip()
    [fresh] = _listing(capsys)["requests"]
    assert fresh["overdue"] is False
    [old] = _listing(capsys, "--older-than", "0")["requests"]
    assert old["overdue"] is True and f"docsgen skip {request_id}" in old["unblock"]
    assert main(["requests", "--older-than", "0"]) == 0
    err = capsys.readouterr().err
    assert f"WAITING TOO LONG: request {request_id}" in err and "scheduled batch" in err


def test_submit_refuses_bad_input_and_writes_nothing(
    docsgen_home: Home, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: Lonely\n")
    assert main(["submit", str(broken)]) == 2
    assert "summary" in capsys.readouterr().err
    assert main(["submit", str(ACME), "--scheduled", "--review", "interactive"]) == 2
    assert "--scheduled requests run overnight as batch runs" in capsys.readouterr().err
    other = default_blueprint().model_copy(update={"version": 9})
    custom = tmp_path / "custom.yaml"
    custom.write_text(other.to_yaml())
    assert main(["submit", str(ACME), "--blueprint", str(custom)]) == 2
    assert "DOCSGEN_BLUEPRINT" in capsys.readouterr().err
    assert not inbox_dir().exists()
    # The served blueprint itself may be pinned.
    served = tmp_path / "served.yaml"
    served.write_text(default_blueprint().to_yaml())
    assert main(["submit", str(ACME), "--blueprint", str(served), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["blueprint_sha256"] == default_blueprint().content_hash()
