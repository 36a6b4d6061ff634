"""Assemble the Definitions for one blueprint."""

from __future__ import annotations

import warnings
from pathlib import Path

import dagster as dg

from docsgen_pipeline.blueprint import Blueprint
from docsgen_pipeline.dagster_layer.assets.brief import build_brief_asset
from docsgen_pipeline.dagster_layer.assets.final import build_final_assets
from docsgen_pipeline.dagster_layer.assets.phase import build_phase_assets
from docsgen_pipeline.dagster_layer.automation import build_schedules, build_sensors
from docsgen_pipeline.dagster_layer.cancel import build_cancel_job
from docsgen_pipeline.dagster_layer.jobs import build_jobs
from docsgen_pipeline.dagster_layer.resources import AgentResource, ArtifactStoreResource

# Partitioned asset checks are a preview API in Dagster 1.13 (see pyproject pin); we rely on them
# deliberately, so silence that one warning here rather than everywhere.
warnings.filterwarnings("ignore", category=dg.PreviewWarning)
warnings.filterwarnings("ignore", category=dg.BetaWarning)


def build_assets(blueprint: Blueprint) -> list[dg.AssetsDefinition]:
    assets = [build_brief_asset(blueprint)]
    for phase in blueprint.phases:
        assets += build_phase_assets(blueprint, phase)
    assets += build_final_assets(blueprint)
    return assets


def build_definitions(blueprint: Blueprint, store_root: Path, agent: AgentResource | None = None) -> dg.Definitions:
    # Sensors and schedules target these very job objects (Dagster refuses two definitions of one job name).
    jobs = build_jobs(blueprint)
    return dg.Definitions(
        assets=build_assets(blueprint),
        jobs=[*jobs, build_cancel_job()],  # cancel_docs_run: the UI path of `docsgen cancel`
        sensors=build_sensors(blueprint, jobs),
        schedules=build_schedules(blueprint, jobs),
        resources={
            "store": ArtifactStoreResource(root=str(store_root)),
            "agent": agent or AgentResource(),
        },
    )
