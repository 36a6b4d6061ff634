"""Shared fixtures: an isolated DocsGen home (artifact store + Dagster instance) per test."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import dagster as dg
import pytest

from docsgen_pipeline.blueprint import default_blueprint
from docsgen_pipeline.registration import register_docs_run
from docsgen_pipeline.store import ArtifactStore

# Fixtures with a real Complete docs run, shared by the publish and Dagster-layer tests.
pytest_plugins = ["docsgen_pipeline_tests.support.publishing"]

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"

warnings.filterwarnings("ignore", category=dg.PreviewWarning)
warnings.filterwarnings("ignore", category=dg.BetaWarning)


def register_example(
    store: ArtifactStore, run_id: str, review_mode: Literal["batch", "interactive"] = "batch"
) -> None:
    """Register a docs run of the Acme example brief with the default blueprint."""
    register_docs_run(
        store,
        brief_text=(EXAMPLES / "acme-orders.yaml").read_text(),
        brief_format="yaml",
        brief_source="acme",
        blueprint=default_blueprint(),
        run_id=run_id,
        review_mode=review_mode,
    )


@dataclass
class Home:
    root: Path
    store: ArtifactStore

    def instance(self) -> dg.DagsterInstance:
        return dg.DagsterInstance.get()

    def register(self, run_id: str, review_mode: Literal["batch", "interactive"] = "batch") -> None:
        """Register a docs run of the Acme example brief with the default blueprint."""
        register_example(self.store, run_id, review_mode)


@pytest.fixture
def docsgen_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Home]:
    """A fresh $DOCSGEN_HOME with its own persistent Dagster instance, as the CLI would use."""
    root = tmp_path / "home"
    monkeypatch.setenv("DOCSGEN_HOME", str(root))
    monkeypatch.setenv("DAGSTER_HOME", str(root / "dagster"))
    monkeypatch.delenv("DOCSGEN_STORE", raising=False)
    monkeypatch.delenv("DOCSGEN_BLUEPRINT", raising=False)
    from docsgen_pipeline.cli.instance import prepare_dagster_home

    prepare_dagster_home()
    yield Home(root=root, store=ArtifactStore(root / "artifacts"))
