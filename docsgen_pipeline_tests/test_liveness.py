"""When a busy Celery worker counts as lost (the scale-out test kills a real one: scaleout/test_worker_killed.py)."""

from __future__ import annotations

import pytest

from docsgen_pipeline.errors import ConfigError
from docsgen_pipeline.liveness import DEFAULT_LOST_AFTER_S, LOST_AFTER_ENV, Liveness, lost_after_s


def test_a_silent_worker_is_lost_only_after_the_timeout_since_it_was_first_seen() -> None:
    watch = Liveness(lost_after_s=20)
    assert watch.ping_every_s == 5
    assert watch.should_ping("w1@h", 100)
    watch.pinged("w1@h", 100, answered=False)  # first sight: it has just said it started a step
    assert not watch.should_ping("w1@h", 104) and watch.should_ping("w1@h", 105)
    watch.pinged("w1@h", 115, answered=False)
    assert not watch.is_lost("w1@h") and watch.first_loss() is None
    watch.pinged("w1@h", 120, answered=False)
    assert watch.is_lost("w1@h") and watch.first_loss() == 120
    assert not watch.should_ping("w1@h", 200)  # lost stays lost


def test_an_answer_restarts_the_clock_and_workers_are_judged_apart() -> None:
    watch = Liveness(lost_after_s=20)
    watch.pinged("w1@h", 0, answered=True)
    watch.pinged("w2@h", 0, answered=True)
    watch.pinged("w1@h", 15, answered=True)
    watch.pinged("w1@h", 30, answered=False)
    watch.pinged("w2@h", 30, answered=False)
    assert not watch.is_lost("w1@h") and watch.is_lost("w2@h")
    assert watch.silent_for("w1@h", 30) == 15


def test_the_timeout_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(LOST_AFTER_ENV, raising=False)
    assert lost_after_s() == DEFAULT_LOST_AFTER_S
    assert Liveness(lost_after_s()).ping_every_s == 5
    monkeypatch.setenv(LOST_AFTER_ENV, "4")
    assert lost_after_s() == 4 and Liveness(4).ping_every_s == 1
    refusals = {"soon": "expected a number of seconds", "1": "must be at least 2 seconds", "nan": "must be at least"}
    for bad, says in refusals.items():
        monkeypatch.setenv(LOST_AFTER_ENV, bad)
        with pytest.raises(ConfigError) as refused:
            lost_after_s()
        assert str(refused.value).startswith(f"${LOST_AFTER_ENV}={bad!r}: {says}"), refused.value
