"""Deployment choices as resources: where artifacts live, which agent writes."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from pydantic import Field

from docsgen_pipeline.agents.base import Agent
from docsgen_pipeline.agents.metering import SpendLedger
from docsgen_pipeline.agents.settings import AgentSettings, merge_settings
from docsgen_pipeline.docs_run import DocsRun
from docsgen_pipeline.store import ArtifactStore, EventLedger

# Append-only spend ledger beside the run's artifacts, so the cost cap spans phases and steps; in
# an object store the run's "budget" event log, so it also spans the machines the steps run on.
BUDGET_LEDGER = "budget-ledger.jsonl"
BUDGET_LOG = "budget"


class ArtifactStoreResource(dg.ConfigurableResource):
    """The immutable artifact store (a folder, default under $DOCSGEN_HOME, or an object-store URL)."""

    root: str = Field(description="folder holding every docs run's artifacts, or s3://bucket/prefix, gs://…, az://…")

    def get(self) -> ArtifactStore:
        return ArtifactStore(self.root)


class PublishResource(dg.ConfigurableResource):
    """Publishing choices of the deployment."""

    auto_publish: str = Field(
        default="",
        description="destination every Complete docs run is published to (auto_publish_sensor); empty: none",
    )


class AgentResource(dg.ConfigurableResource):
    """The writer for deployments; a docs run may choose another one when it is registered."""

    kind: str = Field(default="template", description="template (offline), openai or command")
    max_concurrency: int = Field(default=4, ge=1, le=64, description="files of a phase written at once")
    generation: str = Field(default="file", description="file (one call per file) or section (one call per section)")
    repair_rounds: int = Field(default=2, ge=0, le=10, description="automatic repair rounds per phase")

    def build(
        self, run_agent: dict[str, object] | None = None, budget_ledger: Path | SpendLedger | None = None
    ) -> Agent:
        # The docs run's own choice (its registration) overrides the deployment's; the API key is
        # read from the environment inside build_agent, never from config.
        from docsgen_pipeline.agents.registry import build_agent

        settings = self.settings_for(run_agent)
        # budget_ledger: one file per docs run, so the cost cap spans all its phases and steps.
        return build_agent(settings, budget_ledger=budget_ledger)

    def for_run(self, run: DocsRun) -> Agent:
        """The docs run's writer, with a budget ledger shared by all of the run's steps."""
        ledger: Path | SpendLedger = (
            run.store.run_dir(run.run_id) / BUDGET_LEDGER
            if run.store.is_local
            else EventLedger(run.store, run.run_id, BUDGET_LOG)
        )
        return self.build(run.registration.agent, budget_ledger=ledger)

    def settings_for(self, run_agent: dict[str, object] | None = None) -> AgentSettings:
        """Deployment config overridden by the docs run's choice (e.g. its max_concurrency)."""
        deployment = {
            "kind": self.kind,
            "max_concurrency": self.max_concurrency,
            "generation": self.generation,
            "repair_rounds": self.repair_rounds,
        }
        return merge_settings(deployment, run_agent)
