"""`docsgen estimate BRIEF`: calls per phase and a token/cost range before running."""

from __future__ import annotations

import pytest

from docsgen_pipeline.agents.estimate import estimate_run, total
from docsgen_pipeline.agents.settings import AgentSettings
from docsgen_pipeline.blueprint import default_blueprint
from docsgen_pipeline.brief import load_brief
from docsgen_pipeline.cli.main import main
from docsgen_pipeline_tests.conftest import EXAMPLES


def test_calls_and_ranges() -> None:
    brief = load_brief(EXAMPLES / "acme-orders.yaml")
    bp = default_blueprint()
    settings = AgentSettings(kind="openai", model="gpt-4o-mini", plan_attempts=3, max_tokens=1000)
    rows = estimate_run(brief, bp, settings)
    assert [r.calls_min for r in rows] == [1 + len(p.files) for p in bp.phases]
    assert [r.calls_max for r in rows] == [3 + len(p.files) for p in bp.phases]
    overall = total(rows)
    assert overall.tokens_in_low < overall.tokens_in_high
    assert overall.tokens_out_high == sum((3 + len(p.files)) * 1000 for p in bp.phases)
    assert 0 < overall.cost_low_usd < overall.cost_high_usd


def test_cli_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["estimate", str(EXAMPLES / "acme-orders.yaml"), "--agent", "openai", "--model", "gpt-4o-mini",
                 "--budget", "0.01"])
    out = capsys.readouterr().out
    assert code == 0
    assert "1 Base                 5    6-8" in out
    assert "total                 23   29-41" in out
    assert "exceeds the $0.01 budget" in out


def test_unpriced_model_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    brief = str(EXAMPLES / "acme-orders.yaml")
    main(["estimate", brief, "--base-url", "http://localhost:11434/v1", "--model", "llama3.1"])
    assert "no price known for 'llama3.1'" in capsys.readouterr().out


def test_prompts_are_fitted_to_the_context_window() -> None:
    brief = load_brief(EXAMPLES / "acme-orders.yaml")
    bp = default_blueprint()
    unlimited = total(estimate_run(brief, bp, AgentSettings(kind="openai", max_tokens=1000)))
    fitted = total(estimate_run(brief, bp, AgentSettings(kind="openai", max_tokens=1000, context_window=4096)))
    assert fitted.tokens_in_high < unlimited.tokens_in_high  # upstream excerpts trimmed to fit
    assert fitted.tokens_out_high <= unlimited.tokens_out_high


def test_a_brief_that_cannot_fit_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["estimate", str(EXAMPLES / "acme-orders.yaml"), "--agent", "openai", "--context-window", "512"])
    err = capsys.readouterr().err
    assert code != 0
    assert "context window is 512 tokens" in err and "--n_ctx" in err
