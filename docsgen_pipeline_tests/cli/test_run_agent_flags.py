"""`docsgen run --agent openai --base-url … --model …`: the run's agent is recorded and used."""

from __future__ import annotations

import json

import pytest

from docsgen_pipeline.cli.main import main
from docsgen_pipeline.docs_run import DocsRun
from docsgen_pipeline_tests.conftest import EXAMPLES, Home
from docsgen_pipeline_tests.fakes.fixtures import fake_openai_server  # noqa: F401  (fixture)
from docsgen_pipeline_tests.fakes.openai_server import FakeOpenAIServer


def test_agent_flags_choose_the_writer_for_this_run(
    docsgen_home: Home,
    fake_openai_server: FakeOpenAIServer,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret-value")
    args = ["run", str(EXAMPLES / "acme-orders.yaml"), "--run-id", "llm-cli-1", "--review", "interactive"]
    args += ["--agent", "openai", "--base-url", fake_openai_server.base_url, "--model", "fake-model"]
    assert main(args) == 0
    assert "docsgen approve llm-cli-1 --phase 0" in capsys.readouterr().out

    registration = docsgen_home.store.registration("llm-cli-1")
    assert registration.agent == {"kind": "openai", "base_url": fake_openai_server.base_url, "model": "fake-model"}
    # Phase 0 (one plan call, one file) was written by the fake model over real HTTP.
    assert len(fake_openai_server.chat_requests()) == 2
    record = DocsRun.load(docsgen_home.store, "llm-cli-1").latest_file("root")
    assert record is not None and record.meta["agent"]["agent"] == "openai"
    # The API key is never stored with the run.
    run_dir = docsgen_home.store.run_dir("llm-cli-1")
    for path in run_dir.rglob("*"):
        if path.is_file():
            assert "sk-test-secret-value" not in path.read_text(errors="ignore"), path
    assert "sk-test-secret-value" not in json.dumps(registration.model_dump())


def test_bad_agent_flag_combination_writes_nothing(docsgen_home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["run", str(EXAMPLES / "acme-orders.yaml"), "--agent", "command"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("docsgen: error: ") and "command" in err
    assert not (docsgen_home.root / "artifacts").exists()
