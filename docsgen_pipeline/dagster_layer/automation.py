"""Sensors and schedules, listed explicitly so the automation of a deployment reads in one place."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeAlias

import dagster as dg

from docsgen_pipeline.blueprint import Blueprint

if TYPE_CHECKING:
    from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

Jobs: TypeAlias = "Sequence[UnresolvedAssetJobDefinition]"


def job_by_name(jobs: Jobs, name: str) -> UnresolvedAssetJobDefinition:
    """The job object the Definitions carry (targets must be these objects, not rebuilt copies)."""
    for job in jobs:
        if job.name == name:
            return job
    raise KeyError(name)


def build_sensors(blueprint: Blueprint, jobs: Jobs) -> list[dg.SensorDefinition]:
    from docsgen_pipeline.dagster_layer.revalidation import build_revalidation_sensor
    from docsgen_pipeline.dagster_layer.sensors.advance import build_advance_sensor
    from docsgen_pipeline.dagster_layer.sensors.auto_publish import build_auto_publish_sensor
    from docsgen_pipeline.dagster_layer.sensors.inbox import build_inbox_sensor

    return [
        build_inbox_sensor(blueprint, jobs),
        build_advance_sensor(blueprint, jobs),
        build_revalidation_sensor(blueprint, jobs),
        build_auto_publish_sensor(jobs),
    ]


def build_schedules(blueprint: Blueprint, jobs: Jobs) -> list[dg.ScheduleDefinition]:
    from docsgen_pipeline.dagster_layer.schedules import build_schedules as inbox_and_drift_schedules

    return [*inbox_and_drift_schedules(blueprint, jobs)]
