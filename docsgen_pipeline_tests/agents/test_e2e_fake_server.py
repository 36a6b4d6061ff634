"""End to end: a whole batch docs run written by the OpenAI adapter through the fake server.

Real Dagster instance, real HTTP, real SDK: every plan and file comes from the fake model,
and every gate must pass.
"""

from __future__ import annotations

import json

import dagster as dg
import pytest

from docsgen_pipeline.blueprint import default_blueprint
from docsgen_pipeline.cli.driver import drive
from docsgen_pipeline.docs_run import PLANS, REPORTS, DocsRun, plan_name, report_name
from docsgen_pipeline.registration import register_docs_run
from docsgen_pipeline_tests.conftest import EXAMPLES, Home
from docsgen_pipeline_tests.fakes.openai_server import FakeOpenAIServer, Reply


def test_batch_run_through_fake_openai_server(docsgen_home: Home, fake_openai_server: FakeOpenAIServer) -> None:
    blueprint = default_blueprint()
    brief_path = EXAMPLES / "acme-orders.yaml"
    # Some trouble on the way: a rate limit, a server error and a fenced answer; then phase 1's
    # plan is garbage three times (JSON mode, no schema: the server wraps the refusal in an
    # object), so that phase goes on with the blueprint's own outline.
    fake_openai_server.push(
        Reply(status=429, headers={"Retry-After": "0"}), Reply(status=500), Reply(), Reply(fence=True),
        *[Reply(content="I am sorry, I cannot plan that.")] * 3,
    )
    registration, _ = register_docs_run(
        docsgen_home.store,
        brief_text=brief_path.read_text(encoding="utf-8"),
        brief_format="yaml",
        brief_source=str(brief_path),
        blueprint=blueprint,
        run_id="llm-1",
        agent={"kind": "openai", "base_url": fake_openai_server.base_url, "model": "fake-model",
               "backoff_initial_s": 0.01, "max_concurrency": 4, "structured_output": "json_object"},
    )
    assert drive(registration.run_id, blueprint) == 0

    run = DocsRun.load(docsgen_home.store, "llm-1")
    corpus = run.corpus()
    assert len(corpus) == len(blueprint.all_files())
    assert "](acme-03-canonical-schemas.md#order)" in corpus["acme-15-data-model.md"]
    calls = fake_openai_server.chat_requests()
    # a plan per phase, a call per file, 2 retries, 2 re-asks of phase 1's plan
    assert len(calls) == 6 + len(blueprint.all_files()) + 2 + 2
    assert {c.body["response_format"]["type"] for c in calls if "PLAN_FILE:" in str(c.body["messages"])} == {
        "json_object"
    }
    plans = {n: docsgen_home.store.latest("llm-1", PLANS, plan_name(n)) for n in (0, 1)}
    assert plans[0] is not None and plans[0].meta["plan_source"] == "agent"
    assert plans[0].meta["plan_mode"] == "json_object"
    assert plans[1] is not None and plans[1].meta["plan_source"] == "blueprint"
    assert plans[1].meta["plan_attempts"] == 3 and "no usable plan in 3" in plans[1].meta["plan_problem"]
    report = docsgen_home.store.latest("llm-1", REPORTS, report_name(1))
    assert report is not None
    assert "| Plan source | blueprint (the model gave no usable plan" in docsgen_home.store.read_text("llm-1", report)

    bundle = max((docsgen_home.store.run_dir("llm-1")).rglob("manifest.json"))
    manifest = json.loads(bundle.read_text())
    assert {entry["generator"]["agent"] for entry in manifest["files"]} == {"openai"}

    instance = docsgen_home.instance()
    event = instance.get_latest_materialization_event(dg.AssetKey(["phase2", "data_model"]))
    assert event is not None and event.asset_materialization is not None
    metadata = event.asset_materialization.metadata
    assert metadata["model"].value == "fake-model"
    plan_event = instance.get_latest_materialization_event(dg.AssetKey(["phase1", "plan"]))
    assert plan_event is not None and plan_event.asset_materialization is not None
    assert plan_event.asset_materialization.metadata["plan_source"].value == "blueprint"
    tokens_in, tokens_out = metadata["tokens_in"].value, metadata["tokens_out"].value
    assert isinstance(tokens_in, int) and isinstance(tokens_out, int) and tokens_in > 0 and tokens_out > 0


def test_budget_stops_the_run_cleanly(
    docsgen_home: Home, fake_openai_server: FakeOpenAIServer, capsys: pytest.CaptureFixture[str]
) -> None:
    blueprint = default_blueprint()
    brief_path = EXAMPLES / "acme-orders.yaml"
    # Priced so one call's worst case is ~$4 (≈2k prompt tokens at $1000/M + 1000 max tokens at
    # $2000/M): phase 0 fits in $10, phase 1's files cannot all be started.
    registration, _ = register_docs_run(
        docsgen_home.store,
        brief_text=brief_path.read_text(encoding="utf-8"),
        brief_format="yaml",
        brief_source=str(brief_path),
        blueprint=blueprint,
        run_id="capped-1",
        agent={"kind": "openai", "base_url": fake_openai_server.base_url, "model": "fake-model", "max_tokens": 1000,
               "budget_usd": 10.0, "prices": {"fake-model": {"input_per_m": 1000.0, "output_per_m": 2000.0}}},
    )
    assert drive(registration.run_id, blueprint) == 1
    err = capsys.readouterr().err
    assert "phase 0: 1 files, gate passed" in err
    assert "phase 1: FAILED" in err and "budget" in err
    # nothing lost: phase 0's approved file is kept, and every call that was answered was stored
    run = DocsRun.load(docsgen_home.store, "capped-1")
    assert "acme.md" in run.corpus()
    answered = len(fake_openai_server.chat_requests())
    stored = len(run.corpus())
    assert answered == 2 + (stored - 1) + 1  # plans of phases 0 and 1, phase-1 files that were written, root
