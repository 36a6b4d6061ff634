"""Asset and check keys, group names and labels, derived from the blueprint (never from a brief).

Keys stay short and stable (``phase1/base_index``): the CLI, sensors, run history and existing
Dagster homes name them.  What a user recognises, the file name, depends on the brief's project
slug, so it cannot be a key; it leads each asset's description instead (the line the asset
graph and catalog show) as ``{slug}-00-base-index.md``, and each materialization records the
real name.  Group names are Dagster identifiers, so they read as titles: ``phase_1_base``.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

import dagster as dg

from docsgen_pipeline.blueprint import Phase, PlannedFile

BRIEF_KEY = dg.AssetKey(["docs_run", "brief"])
STATUS_KEY = dg.AssetKey(["docs_run", "status"])  # reported, never materialized by a run (ui_status.py)
CROSS_VALIDATION_KEY = dg.AssetKey(["final", "cross_validation"])
BUNDLE_KEY = dg.AssetKey(["final", "bundle"])
PUBLISHED_KEY = dg.AssetKey(["final", "published"])

DOCS_RUN_GROUP = "docs_run"
FINAL_GROUP = "final_validation_bundle_and_publishing"
SLUG_PLACEHOLDER = "{slug}"


def phase_key(number: int) -> str:
    return f"phase{number}"


def phase_group(phase: Phase) -> str:
    """``phase_2_architecture``: the number, then the phase's title as an identifier."""
    title = re.sub(r"[^a-z0-9]+", "_", phase.title.lower()).strip("_")[:40]
    return f"phase_{phase.number}_{title}" if title else f"phase_{phase.number}"


def plan_key(number: int) -> dg.AssetKey:
    return dg.AssetKey([phase_key(number), "plan"])


def validation_key(number: int) -> dg.AssetKey:
    return dg.AssetKey([phase_key(number), "validation"])


def approval_key(number: int) -> dg.AssetKey:
    return dg.AssetKey([phase_key(number), "approval"])


def file_key(phase: Phase, planned: PlannedFile) -> dg.AssetKey:
    return dg.AssetKey([phase.key, planned.key])


def file_label(planned: PlannedFile) -> str:
    """The file name a docs run gives this planned file, the project slug left as ``{slug}``."""
    return planned.filename(SLUG_PLACEHOLDER)


def asset_page(key: dg.AssetKey, partition: str | None = None) -> str:
    """The web UI's page of an asset as a root-relative URL; with a partition, that docs run's detail
    on the asset's Partitions tab (its latest materialization, preview and checks)."""
    path = "/assets/" + "/".join(quote(part, safe="") for part in key.path)
    return f"{path}?{urlencode({'view': 'partitions', 'partition': partition})}" if partition else path
