"""One phase of a docs run as Dagster assets: plan -> files (+ per-file checks) -> gate -> approval."""

from __future__ import annotations

import dagster as dg

from docsgen_pipeline.blueprint import Blueprint, Phase
from docsgen_pipeline.dagster_layer.assets.approval import build_approval_asset
from docsgen_pipeline.dagster_layer.assets.files import build_files_asset
from docsgen_pipeline.dagster_layer.assets.gate import build_gate_asset
from docsgen_pipeline.dagster_layer.assets.plan import build_plan_asset
from docsgen_pipeline.dagster_layer.keys import file_key


def build_phase_assets(blueprint: Blueprint, phase: Phase) -> list[dg.AssetsDefinition]:
    return [
        build_plan_asset(blueprint, phase),
        build_files_asset(blueprint, phase),
        build_gate_asset(blueprint, phase, [file_key(phase, f) for f in phase.files]),
        build_approval_asset(blueprint, phase),
    ]
