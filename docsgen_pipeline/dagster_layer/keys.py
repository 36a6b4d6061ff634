"""Asset and check keys, derived from the blueprint (never from a brief)."""

from __future__ import annotations

import dagster as dg

from docsgen_pipeline.blueprint import Phase, PlannedFile

BRIEF_KEY = dg.AssetKey(["docs_run", "brief"])
CROSS_VALIDATION_KEY = dg.AssetKey(["final", "cross_validation"])
BUNDLE_KEY = dg.AssetKey(["final", "bundle"])
PUBLISHED_KEY = dg.AssetKey(["final", "published"])


def phase_key(number: int) -> str:
    return f"phase{number}"


def plan_key(number: int) -> dg.AssetKey:
    return dg.AssetKey([phase_key(number), "plan"])


def validation_key(number: int) -> dg.AssetKey:
    return dg.AssetKey([phase_key(number), "validation"])


def approval_key(number: int) -> dg.AssetKey:
    return dg.AssetKey([phase_key(number), "approval"])


def file_key(phase: Phase, planned: PlannedFile) -> dg.AssetKey:
    return dg.AssetKey([phase.key, planned.key])
