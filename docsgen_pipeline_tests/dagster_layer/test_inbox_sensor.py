"""The inbox sensor evaluated on a real temporary instance: requests become registered, launched docs runs."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import pytest

from docsgen_pipeline.cli.instance import get_definitions
from docsgen_pipeline.cli.main import main
from docsgen_pipeline.dagster_layer.partitions import DOCS_RUNS, RUN_TAG
from docsgen_pipeline.dagster_layer.sensors.inbox import INBOX_SENSOR, REQUEST_TAG
from docsgen_pipeline.inbox import Inbox, inbox_dir
from docsgen_pipeline.store import sha256_hex
from docsgen_pipeline_tests.conftest import EXAMPLES, Home

ACME = (EXAMPLES / "acme-orders.yaml").read_bytes()


def tick(home: Home, defs: dg.Definitions, launch: bool = True) -> dg.SensorResult | object:
    """One sensor evaluation; then, as the daemon would, add the partitions and (``launch``) record the runs."""
    instance = home.instance()
    sensor = defs.get_repository_def().get_sensor_def(INBOX_SENSOR)
    context = dg.build_sensor_context(
        instance=instance, instance_ref=instance.get_ref(), definitions=defs, resources=defs.resources
    )
    data = sensor.evaluate_tick(context)
    for request in data.dynamic_partitions_requests or []:
        assert isinstance(request, dg.AddDynamicPartitionsRequest)
        instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    if launch:  # the run is created (queued), not executed: executing it is the daemon test's job
        for run_request in data.run_requests or []:
            assert run_request.job_name is not None
            instance.add_run(dg.DagsterRun(job_name=run_request.job_name, tags=run_request.tags))
    return data


def drop(name: str, data: bytes) -> Path:
    """A brief dragged into the inbox a minute ago (settled)."""
    folder = inbox_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    past = path.stat().st_mtime - 60
    os.utime(path, (past, past))
    return path


@pytest.fixture
def defs(docsgen_home: Home) -> dg.Definitions:
    return get_definitions()


def test_pending_request_is_registered_launched_and_consumed(docsgen_home: Home, defs: dg.Definitions) -> None:
    assert main(["submit", str(EXAMPLES / "acme-orders.yaml")]) == 0
    sha = sha256_hex(ACME)
    run_id = f"acme-{sha[:8]}"
    data = tick(docsgen_home, defs)
    [request] = data.run_requests  # type: ignore[attr-defined]
    assert request.job_name == "docs_run_batch"
    assert request.partition_key == run_id
    assert request.run_key == f"request:{sha}"
    assert request.tags[RUN_TAG] == run_id and request.tags[REQUEST_TAG] == sha
    assert docsgen_home.instance().has_dynamic_partition(DOCS_RUNS, run_id)
    registration = docsgen_home.store.registration(run_id)
    assert (registration.created_by, registration.review_mode, registration.brief_sha256) == ("sensor", "batch", sha)
    consumed = Inbox(inbox_dir()).get(sha)
    assert (consumed.status, consumed.run_id) == ("consumed", run_id)
    # Nothing pending any more: the next tick launches nothing.
    again = tick(docsgen_home, defs)
    assert not again.run_requests and "no new briefs" in (again.skip_message or "")  # type: ignore[attr-defined]


def test_same_brief_dropped_twice_gives_one_run_with_a_content_run_key(
    docsgen_home: Home, defs: dg.Definitions
) -> None:
    drop("orders.yaml", ACME)
    drop("orders (copy).yaml", ACME)
    assert main(["submit", str(EXAMPLES / "acme-orders.yaml")]) == 0  # same bytes again: same request
    first = tick(docsgen_home, defs).run_requests  # type: ignore[attr-defined]
    drop("orders-again.yaml", ACME)
    second = tick(docsgen_home, defs).run_requests  # type: ignore[attr-defined]
    assert [r.run_key for r in first] == [f"request:{sha256_hex(ACME)}"] and second == []
    assert docsgen_home.store.run_ids() == [f"acme-{sha256_hex(ACME)[:8]}"]


def test_edited_brief_is_a_new_docs_run(docsgen_home: Home, defs: dg.Definitions) -> None:
    drop("orders.yaml", ACME)
    [first] = tick(docsgen_home, defs).run_requests  # type: ignore[attr-defined]
    edited = ACME + b"constraints:\n  - Orders ship within two days.\n"
    drop("orders.yaml", edited)  # the same file, edited in place
    [second] = tick(docsgen_home, defs).run_requests  # type: ignore[attr-defined]
    assert second.run_key == f"request:{sha256_hex(edited)}" != first.run_key
    assert second.partition_key == f"acme-{sha256_hex(edited)[:8]}" != first.partition_key
    assert len(docsgen_home.store.run_ids()) == 2


def test_invalid_brief_is_rejected_without_stopping_the_others(
    docsgen_home: Home, defs: dg.Definitions, capsys: pytest.CaptureFixture[str]
) -> None:
    drop("broken.yaml", b"name: [broken\n")
    drop("no-summary.yaml", b"name: Lonely\n")
    drop("scan.pdf", b"%PDF-1.7\n\xff\xfe\x00\x01")
    drop("orders.yaml", ACME)
    data = tick(docsgen_home, defs)
    log = capsys.readouterr().err  # the sensor's context.log (the tick log under the daemon)
    assert [r.partition_key for r in data.run_requests] == [f"acme-{sha256_hex(ACME)[:8]}"]  # type: ignore[attr-defined]
    rejected = {r.spec.source: r.reason for r in Inbox(inbox_dir()).requests() if r.status == "rejected"}
    assert set(rejected) == {"broken.yaml", "no-summary.yaml", "scan.pdf"}
    assert "invalid YAML" in rejected["broken.yaml"]
    assert "summary" in rejected["no-summary.yaml"]
    assert "not a UTF-8 text file" in rejected["scan.pdf"]
    # The reason is in the tick log too, and the rejected brief is kept.
    assert "broken.yaml) rejected: " in log
    assert all((inbox_dir() / name).is_file() for name in rejected)
    assert docsgen_home.store.run_ids() == [f"acme-{sha256_hex(ACME)[:8]}"]


def test_skipped_request_is_never_launched(docsgen_home: Home, defs: dg.Definitions) -> None:
    assert main(["submit", str(EXAMPLES / "acme-orders.yaml")]) == 0
    assert main(["skip", sha256_hex(ACME)[:8], "--reason", "not this quarter"]) == 0
    assert not tick(docsgen_home, defs).run_requests  # type: ignore[attr-defined]
    skipped = Inbox(inbox_dir()).get(sha256_hex(ACME))
    assert (skipped.status, skipped.reason) == ("skipped", "not this quarter")
    assert skipped.brief_path.read_bytes() == ACME
    assert docsgen_home.store.run_ids() == []


def test_interactive_request_launches_phase0_and_scheduled_waits(docsgen_home: Home, defs: dg.Definitions) -> None:
    assert main(["submit", str(EXAMPLES / "field-notes.md"), "--review", "interactive"]) == 0
    assert main(["submit", str(EXAMPLES / "acme-orders.yaml"), "--scheduled"]) == 0
    [request] = tick(docsgen_home, defs).run_requests  # type: ignore[attr-defined]
    assert request.job_name == "phase0_generate"
    assert docsgen_home.store.registration(request.partition_key).review_mode == "interactive"
    statuses = {r.spec.source.rsplit("/", 1)[-1]: r.status for r in Inbox(inbox_dir()).requests()}
    assert statuses == {"field-notes.md": "consumed", "acme-orders.yaml": "pending"}


def test_request_pinned_to_another_blueprint_is_rejected(docsgen_home: Home, defs: dg.Definitions) -> None:
    Inbox(inbox_dir()).submit(
        ACME,
        "orders.yaml",
        brief_format="yaml",
        blueprint_sha256="f" * 64,
        blueprint_name="custom",
        blueprint_version=2,
    )
    assert not tick(docsgen_home, defs).run_requests  # type: ignore[attr-defined]
    [request] = Inbox(inbox_dir()).requests()
    assert request.status == "rejected"
    assert "blueprint 'custom' v2" in request.reason and "DOCSGEN_BLUEPRINT" in request.reason


def test_overdue_requests_are_flagged_in_the_tick_log(
    docsgen_home: Home, defs: dg.Definitions, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCSGEN_PENDING_DAYS", "0")
    assert main(["submit", str(EXAMPLES / "acme-orders.yaml"), "--scheduled"]) == 0
    data = tick(docsgen_home, defs)
    log = capsys.readouterr().err  # the sensor's context.log (the tick log under the daemon)
    assert "1 overdue" in (data.skip_message or "")  # type: ignore[attr-defined]
    assert f"request {sha256_hex(ACME)[:12]}" in log
    assert f"docsgen skip {sha256_hex(ACME)[:12]}" in log


def test_a_launch_lost_after_the_tick_is_requested_again_with_the_same_run_key(
    docsgen_home: Home, defs: dg.Definitions
) -> None:
    assert main(["submit", str(EXAMPLES / "acme-orders.yaml")]) == 0
    [first] = tick(docsgen_home, defs, launch=False).run_requests  # type: ignore[attr-defined]
    # The daemon stopped before creating the run: the next tick asks again, under the same run key
    # (Dagster drops a request whose run key already launched), without registering anything new.
    [again] = tick(docsgen_home, defs).run_requests  # type: ignore[attr-defined]
    assert (again.run_key, again.job_name, again.partition_key) == (first.run_key, first.job_name, first.partition_key)
    assert not tick(docsgen_home, defs).run_requests  # type: ignore[attr-defined]
    assert docsgen_home.store.run_ids() == [first.partition_key]
    assert [e["status"] for e in Inbox(inbox_dir()).get(sha256_hex(ACME)).history] == ["pending", "consumed"]
