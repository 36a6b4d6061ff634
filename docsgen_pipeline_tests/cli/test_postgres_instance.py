"""DocsGen on a PostgreSQL-backed Dagster instance (dagster-postgres), as a scaled-out deployment runs it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from docsgen_pipeline.cli.main import main
from docsgen_pipeline.dagster_layer.keys import BUNDLE_KEY
from docsgen_pipeline_tests.conftest import EXAMPLES, Home
from docsgen_pipeline_tests.support.postgres import PostgresServer, pg_bin, postgres_server

pytestmark = pytest.mark.skipif(
    pg_bin() is None, reason="PostgreSQL server binaries not installed (apt-get install postgresql)"
)


@pytest.fixture
def postgres() -> Iterator[PostgresServer]:
    with postgres_server() as server:
        yield server


def test_docs_run_on_postgres_storage(
    docsgen_home: Home, postgres: PostgresServer, capsys: pytest.CaptureFixture[str]
) -> None:
    dagster_yaml = docsgen_home.root / "dagster" / "dagster.yaml"
    dagster_yaml.write_text(dagster_yaml.read_text() + postgres.dagster_yaml())

    assert main(["run", str(EXAMPLES / "acme-orders.yaml"), "--run-id", "pg-1"]) == 0
    bundle = Path(capsys.readouterr().out.strip().splitlines()[-1])
    assert len(json.loads((bundle / "manifest.json").read_text())["files"]) == 23

    instance = dg.DagsterInstance.get()
    assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
    event = instance.get_latest_materialization_event(BUNDLE_KEY)
    assert event is not None and event.dagster_event is not None and event.dagster_event.partition == "pg-1"
    assert instance.get_dynamic_partitions("docs_runs") == ["pg-1"]
    # Nothing was written to a local SQLite history.
    assert not (docsgen_home.root / "dagster" / "history").exists()
