"""Jobs: the whole docs run in batch, one phase at a time (interactive), and the final step."""

from __future__ import annotations

from typing import TYPE_CHECKING

import dagster as dg

from docsgen_pipeline.blueprint import Blueprint

if TYPE_CHECKING:
    from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition
from docsgen_pipeline.dagster_layer.keys import (
    BRIEF_KEY,
    BUNDLE_KEY,
    CROSS_VALIDATION_KEY,
    PUBLISHED_KEY,
    approval_key,
    file_key,
    phase_key,
    plan_key,
    validation_key,
)

BATCH_JOB = "docs_run_batch"
FINAL_JOB = "docs_run_final"
PUBLISH_JOB = "publish_docs_run"


def phase_job_name(number: int) -> str:
    return f"phase{number}_generate"


def phase_selection(number: int) -> dg.AssetSelection:
    """Plan, files and gate of one phase (approval is a separate, deliberate step)."""
    # By key prefix, not group: group names are titles for people and may change.
    phase = dg.AssetSelection.key_prefixes([phase_key(number)])
    return phase - dg.AssetSelection.assets(approval_key(number))


def rest_of_batch(blueprint: Blueprint, first: int) -> list[dg.AssetKey]:
    """What ``docs_run_batch`` still has to do from phase ``first`` on: every later phase (approved
    automatically when its gate passes), the cross-validation and the bundle."""
    keys: list[dg.AssetKey] = []
    for phase in blueprint.phases[first:]:
        keys += [plan_key(phase.number), *(file_key(phase, f) for f in phase.files)]
        keys += [validation_key(phase.number), approval_key(phase.number)]
    return [*keys, CROSS_VALIDATION_KEY, BUNDLE_KEY]


def build_jobs(blueprint: Blueprint) -> list[UnresolvedAssetJobDefinition]:
    jobs = [
        dg.define_asset_job(
            BATCH_JOB,
            # Publishing is a deliberate step (docsgen publish, publish_docs_run, auto_publish_sensor).
            selection=dg.AssetSelection.all() - dg.AssetSelection.assets(PUBLISHED_KEY),
            description="Every phase of a docs run, approving each phase automatically when its gate passes.",
        ),
        dg.define_asset_job(
            PUBLISH_JOB,
            selection=dg.AssetSelection.assets(PUBLISHED_KEY),
            description="Publish the Complete docs run's bundle (Launchpad: destination), exactly once per bundle.",
        ),
        dg.define_asset_job(
            FINAL_JOB,
            selection=dg.AssetSelection.assets(CROSS_VALIDATION_KEY, BUNDLE_KEY),
            description="Cross-validate the whole doc set and write the bundle.",
        ),
    ]
    for phase in blueprint.phases:
        selection = phase_selection(phase.number)
        if phase.number == 0:
            selection = selection | dg.AssetSelection.assets(BRIEF_KEY)
        jobs.append(
            dg.define_asset_job(
                phase_job_name(phase.number),
                selection=selection,
                description=f"Plan, generate and gate phase {phase.number} ({phase.title}).",
            )
        )
    return jobs
