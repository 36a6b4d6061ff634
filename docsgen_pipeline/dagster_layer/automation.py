"""Sensors and schedules, listed explicitly so the automation of a deployment reads in one place."""

from __future__ import annotations

import dagster as dg

from docsgen_pipeline.blueprint import Blueprint


def build_sensors(blueprint: Blueprint) -> list[dg.SensorDefinition]:
    return []


def build_schedules(blueprint: Blueprint) -> list[dg.ScheduleDefinition]:
    return []
