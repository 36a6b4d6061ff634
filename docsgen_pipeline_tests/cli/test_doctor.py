"""`docsgen doctor` against the fake OpenAI server: actionable output for 401, 404, refused."""

from __future__ import annotations

import socket

import pytest

from docsgen_pipeline.cli.main import main
from docsgen_pipeline_tests.fakes.openai_server import LLAMA_CPP_PYTHON_FORMATS, running_fake_server


def test_healthy_endpoint(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with running_fake_server() as server:
        code = main(["doctor", "--base-url", server.base_url, "--model", "fake-model"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "ok   endpoint: " in out and "serves 1 model(s)" in out
    assert "ok   model: 'fake-model' is served" in out
    assert "ok   completion: fake-model answered 'OK'" in out
    assert "ok   structured output: json_schema: enforced" in out and "-> plans use json_schema" in out


@pytest.mark.parametrize(
    ("formats", "status", "expected"),
    [
        (LLAMA_CPP_PYTHON_FORMATS, 500, "json_schema: refused; json_object_schema: enforced"),
        (("json_object",), 400, "json_object_schema: accepted in"),  # takes the field, ignores the schema
        ((), 400, "json_object: refused -> plans use prompt"),
    ],
)
def test_structured_output_is_probed(
    capsys: pytest.CaptureFixture[str], formats: tuple[str, ...], status: int, expected: str
) -> None:
    with running_fake_server(formats=formats, refusal_status=status) as server:
        code = main(["doctor", "--base-url", server.base_url, "--model", "fake-model"])
        sent = [r.body.get("response_format") for r in server.chat_requests()]
    out = capsys.readouterr().out
    assert code == 0, out
    assert expected in out
    assert len(sent) == 4  # the ping, then one probe per mode: refusals are not retried
    best = {LLAMA_CPP_PYTHON_FORMATS: "json_object_schema", ("json_object",): "json_object", (): "prompt"}[formats]
    assert f"-> plans use {best}" in out


def test_a_weaker_setting_than_the_endpoint_enforces_is_pointed_out(capsys: pytest.CaptureFixture[str]) -> None:
    with running_fake_server(formats=LLAMA_CPP_PYTHON_FORMATS) as server:
        main(["doctor", "--base-url", server.base_url, "--model", "fake-model", "--structured-output", "json_schema"])
    out = capsys.readouterr().out
    assert "warn structured output:" in out and "fix: --structured-output json_schema is not enforced here" in out


def test_wrong_key(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong-secret")
    with running_fake_server(api_key="sk-right") as server:
        code = main(["doctor", "--base-url", server.base_url, "--model", "fake-model"])
    out = capsys.readouterr().out
    assert code == 1
    assert "401 unauthorized: set a valid API key in $OPENAI_API_KEY" in out
    assert "sk-wrong-secret" not in out


def test_unknown_model_lists_available(capsys: pytest.CaptureFixture[str]) -> None:
    with running_fake_server(models=("llama3.1:8b", "qwen2.5:7b")) as server:
        code = main(["doctor", "--base-url", server.base_url, "--model", "llama3"])
    out = capsys.readouterr().out
    assert code == 1
    assert "model 'llama3' is not served here; available: llama3.1:8b, qwen2.5:7b" in out
    assert "fix: pass one of them with --model" in out


def test_connection_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code = main(["doctor", "--base-url", f"http://127.0.0.1:{port}/v1", "--model", "m"])
    out = capsys.readouterr().out
    assert code == 1
    assert "cannot connect" in out and "is the server running?" in out and "Ollama http://localhost:11434/v1" in out


def test_command_agent(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["doctor", "--agent", "command", "--agent-command", "cat"])  # echoes the prompt back
    out = capsys.readouterr().out
    assert code == 0 and "ok   command:" in out and "ok   completion:" in out


def test_template_agent_needs_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "--agent", "template"]) == 0
    assert "offline" in capsys.readouterr().out
