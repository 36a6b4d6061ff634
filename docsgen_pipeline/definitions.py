"""The code location `dagster dev -w workspace.yaml` and `dg dev` load."""

from __future__ import annotations

from docsgen_pipeline.dagster_layer.definitions import build_definitions
from docsgen_pipeline.settings import configured_blueprint, store_root

defs = build_definitions(configured_blueprint(), store_root())
