"""Schedules evaluated on a real temporary instance: the scheduled batch and the drift check."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest

from docsgen_pipeline.cli.instance import get_definitions
from docsgen_pipeline.cli.main import main
from docsgen_pipeline.dagster_layer.partitions import DOCS_RUNS, RUN_TAG
from docsgen_pipeline.dagster_layer.schedules import DRIFT_CHECK, DRIFT_JOB, SCHEDULED_BATCH
from docsgen_pipeline.inbox import Inbox, inbox_dir
from docsgen_pipeline.store import sha256_hex
from docsgen_pipeline_tests.conftest import EXAMPLES, Home

NIGHT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def evaluate(home: Home, defs: dg.Definitions, name: str) -> list[dg.RunRequest]:
    instance = home.instance()
    schedule = defs.get_repository_def().get_schedule_def(name)
    context = dg.build_schedule_context(
        instance=instance,
        scheduled_execution_time=NIGHT,
        resources=defs.resources,
        repository_def=defs.get_repository_def(),
    )
    return list(schedule.evaluate_tick(context).run_requests or [])


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


def test_scheduled_batch_launches_only_scheduled_requests_as_batch(docsgen_home: Home, tmp_path: Path) -> None:
    interactive = tmp_path / "orders.yaml"
    interactive.write_bytes((EXAMPLES / "acme-orders.yaml").read_bytes() + b"review_mode: interactive\n")
    assert main(["submit", str(interactive), "--scheduled"]) == 0
    assert main(["submit", str(EXAMPLES / "field-notes.md")]) == 0  # for the sensor, not the schedule
    defs = get_definitions()
    [request] = evaluate(docsgen_home, defs, SCHEDULED_BATCH)
    run_id = f"acme-{sha256_hex(interactive.read_bytes())[:8]}"
    assert (request.job_name, request.partition_key, request.tags[RUN_TAG]) == ("docs_run_batch", run_id, run_id)
    assert docsgen_home.instance().has_dynamic_partition(DOCS_RUNS, run_id)
    registration = docsgen_home.store.registration(run_id)
    assert (registration.review_mode, registration.created_by) == ("batch", "schedule")
    statuses = {r.spec.source.rsplit("/", 1)[-1]: r.status for r in Inbox(inbox_dir()).requests()}
    assert statuses == {"orders.yaml": "consumed", "field-notes.md": "pending"}
    assert evaluate(docsgen_home, defs, SCHEDULED_BATCH) == []  # consumed: never launched twice


def test_crons_are_configurable_and_schedules_run_by_default(
    docsgen_home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    defaults = get_definitions().get_repository_def()
    assert defaults.get_schedule_def(SCHEDULED_BATCH).cron_schedule == "0 2 * * *"
    monkeypatch.setenv("DOCSGEN_BATCH_CRON", "15 23 * * 1-5")
    monkeypatch.setenv("DOCSGEN_DRIFT_CRON", "0 4 * * 0")
    repo = get_definitions().get_repository_def()
    assert repo.get_schedule_def(SCHEDULED_BATCH).cron_schedule == "15 23 * * 1-5"
    assert repo.get_schedule_def(DRIFT_CHECK).cron_schedule == "0 4 * * 0"
    for name in (SCHEDULED_BATCH, DRIFT_CHECK):
        assert repo.get_schedule_def(name).default_status == dg.DefaultScheduleStatus.RUNNING


def test_drift_check_revalidates_complete_bundles_and_writes_nothing(
    docsgen_home: Home, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(EXAMPLES / "acme-orders.yaml"), "--run-id", "drift-1"]) == 0
    assert main(["submit", str(EXAMPLES / "field-notes.md")]) == 0
    defs = get_definitions()
    [request] = evaluate(docsgen_home, defs, DRIFT_CHECK)
    assert request.job_name in (None, DRIFT_JOB)
    assert defs.get_repository_def().get_schedule_def(DRIFT_CHECK).job_name == DRIFT_JOB
    before = _tree(docsgen_home.store.root)
    result = defs.resolve_job_def(DRIFT_JOB).execute_in_process(instance=docsgen_home.instance())
    assert result.success
    [output] = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_OUTPUT]
    assert output.step_output_data is not None
    metadata = {k: v.value for k, v in output.step_output_data.metadata.items()}
    assert (metadata["bundles_checked"], metadata["drifted"], metadata["failing_now"]) == (1, 0, 0)
    assert _tree(docsgen_home.store.root) == before
    assert "drift-1: bundle v1 still validates as it did" in capsys.readouterr().err
