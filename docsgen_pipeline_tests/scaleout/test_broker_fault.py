"""An unreachable or missing Celery broker: one line naming the URL, before anything is written (issue 15)."""

from __future__ import annotations

import pytest

from docsgen_pipeline.cli.main import main
from docsgen_pipeline_tests.conftest import EXAMPLES, Home
from docsgen_pipeline_tests.support.processes import free_port
from docsgen_pipeline_tests.support.redis import REDIS_SERVER, redis_server

BRIEF = EXAMPLES / "acme-orders.yaml"


def test_unreachable_broker_is_one_line_naming_the_url_and_writes_nothing(
    docsgen_home: Home, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()  # nothing listens there
    monkeypatch.setenv("DOCSGEN_RUN_EXECUTOR", "celery")
    monkeypatch.setenv("DOCSGEN_CELERY_BROKER", f"redis://:s3cret@127.0.0.1:{port}/0")

    assert main(["run", str(BRIEF), "--run-id", "b-1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"docsgen: error: Celery broker redis://:***@127.0.0.1:{port}/0 is unreachable (Error 111 connecting to "
        f"127.0.0.1:{port}. Connection refused.); start it or fix DOCSGEN_CELERY_BROKER (`docsgen doctor` checks it)"
    ]
    assert not docsgen_home.store.has_run("b-1")

    assert main(["doctor"]) == 1
    out = capsys.readouterr().out
    assert "  ok   executor: celery: steps run on dagster-celery workers" in out
    assert f"  FAIL celery broker: Celery broker redis://:***@127.0.0.1:{port}/0 is unreachable" in out
    assert "fix: start it or fix DOCSGEN_CELERY_BROKER" in out
    assert "s3cret" not in out


def test_celery_without_a_broker_url_names_the_setting(
    docsgen_home: Home, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DOCSGEN_RUN_EXECUTOR", "celery")
    monkeypatch.delenv("DOCSGEN_CELERY_BROKER", raising=False)
    assert main(["run", str(BRIEF), "--run-id", "b-2"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "DOCSGEN_RUN_EXECUTOR=celery needs DOCSGEN_CELERY_BROKER" in line
    assert not docsgen_home.store.has_run("b-2")


@pytest.mark.skipif(REDIS_SERVER is None, reason="apt-get install redis-server")
def test_doctor_reports_a_reachable_broker(
    docsgen_home: Home, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with redis_server() as redis:
        monkeypatch.setenv("DOCSGEN_RUN_EXECUTOR", "celery")
        monkeypatch.setenv("DOCSGEN_CELERY_BROKER", redis.url(0))
        monkeypatch.setenv("DOCSGEN_CELERY_BACKEND", redis.url(1))
        assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert f"  ok   celery broker: {redis.url(0)} answers" in out
    assert f"  ok   celery result backend: {redis.url(1)} answers" in out
