"""Assemble the Definitions for one blueprint."""

from __future__ import annotations

import warnings
from pathlib import Path

import dagster as dg

from docsgen_pipeline.blueprint import Blueprint
from docsgen_pipeline.dagster_layer.assets.brief import build_brief_asset
from docsgen_pipeline.dagster_layer.assets.final import build_final_assets
from docsgen_pipeline.dagster_layer.assets.phase import build_phase_assets
from docsgen_pipeline.dagster_layer.assets.published import build_published_asset
from docsgen_pipeline.dagster_layer.assets.review_checks import build_review_checks
from docsgen_pipeline.dagster_layer.automation import build_schedules, build_sensors
from docsgen_pipeline.dagster_layer.cancel import build_cancel_job
from docsgen_pipeline.dagster_layer.jobs import build_jobs
from docsgen_pipeline.dagster_layer.resources import AgentResource, ArtifactStoreResource, PublishResource
from docsgen_pipeline.dagster_layer.ui_jobs import build_ui_jobs
from docsgen_pipeline.dagster_layer.ui_status import build_status_asset
from docsgen_pipeline.errors import ConfigError
from docsgen_pipeline.settings import RUN_EXECUTORS, auto_publish, run_executor_name

# Partitioned asset checks are a preview API in Dagster 1.13 (see pyproject pin); we rely on them
# deliberately, so silence that one warning here rather than everywhere.
warnings.filterwarnings("ignore", category=dg.PreviewWarning)
warnings.filterwarnings("ignore", category=dg.BetaWarning)


def build_assets(blueprint: Blueprint) -> list[dg.AssetsDefinition | dg.AssetSpec]:
    assets: list[dg.AssetsDefinition | dg.AssetSpec] = [build_brief_asset(blueprint), build_status_asset()]
    for phase in blueprint.phases:
        assets += build_phase_assets(blueprint, phase)
    assets += build_final_assets(blueprint)
    assets.append(build_published_asset())
    return assets


def build_definitions(
    blueprint: Blueprint, store_root: str | Path, agent: AgentResource | None = None
) -> dg.Definitions:
    # Sensors and schedules target these very job objects (Dagster refuses two definitions of one job name).
    jobs = build_jobs(blueprint)
    built: list[dg.Definitions] = []  # the approve job executes the approval asset of these very Definitions
    defs = dg.Definitions(
        assets=build_assets(blueprint),
        # On each phase's approval: does it still cover the files, is the phase built on current inputs?
        asset_checks=[build_review_checks(phase, lambda: built[0]) for phase in blueprint.phases],
        # cancel_docs_run, start_docs_run, approve_phase, ...: the UI paths of the CLI commands
        jobs=[*jobs, build_cancel_job(), *build_ui_jobs(lambda: built[0])],
        executor=run_executor(),
        sensors=build_sensors(blueprint, jobs),
        schedules=build_schedules(blueprint, jobs),
        resources={
            "store": ArtifactStoreResource(root=str(store_root)),
            "agent": agent or AgentResource(),
            "publishing": PublishResource(auto_publish=auto_publish()),
        },
    )
    built.append(defs)
    return defs


def run_executor() -> dg.ExecutorDefinition:
    """Executor of every DocsGen job wherever it is launched (UI, sensors, schedules, CLI): in-process by default.

    ``$DOCSGEN_RUN_EXECUTOR`` is a deployment setting: ``multiprocess`` runs a subprocess per step
    (each imports Dagster, ~2-3 s per step on 2 cores); ``celery`` sends every step to the
    dagster-celery workers listening on ``$DOCSGEN_CELERY_BROKER`` (see the README's "Scaling out").
    """
    executor = run_executor_name()
    if executor == "in_process":
        return dg.in_process_executor
    if executor == "multiprocess":
        return dg.multiprocess_executor
    if executor == "celery":
        from docsgen_pipeline.dagster_layer.celery_executor import docsgen_celery_executor

        return docsgen_celery_executor()
    raise ConfigError(f"DOCSGEN_RUN_EXECUTOR={executor!r}: use {', '.join(RUN_EXECUTORS)}")
