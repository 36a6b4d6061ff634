"""The docs run's brief: registered from the CLI or given in the Launchpad."""

# No `from __future__ import annotations` here: Dagster reads the asset functions' parameter
# annotations at definition time to find config and resources, and needs real types.

from pathlib import Path
from typing import Literal

import dagster as dg
from pydantic import Field

from docsgen_pipeline.blueprint import Blueprint
from docsgen_pipeline.brief import guess_format
from docsgen_pipeline.dagster_layer.keys import BRIEF_KEY, DOCS_RUN_GROUP
from docsgen_pipeline.dagster_layer.partitions import docs_runs
from docsgen_pipeline.dagster_layer.resources import ArtifactStoreResource
from docsgen_pipeline.dagster_layer.runtime import user_errors
from docsgen_pipeline.errors import BriefError, RunIdError
from docsgen_pipeline.registration import register_docs_run
from docsgen_pipeline.store import validate_run_id


class BriefConfig(dg.Config):
    """Give the brief when starting a docs run from the UI (leave empty if the CLI registered it)."""

    brief_path: str = Field(default="", description="path of a brief file (YAML or Markdown) on the Dagster host")
    brief_text: str = Field(
        default="", description="the brief pasted as text (YAML, or Markdown starting with '#' / front matter)"
    )
    brief_format: Literal["auto", "yaml", "markdown"] = "auto"
    review_mode: Literal["", "batch", "interactive"] = Field(
        default="", description="empty: the brief's choice, else batch"
    )
    generation: Literal["", "file", "section"] = Field(
        default="", description="empty: the agent resource's choice; section: headings by the orchestrator"
    )
    repair_rounds: int = Field(default=-1, ge=-1, le=10, description="-1: the agent resource's choice")


def _agent_choices(config: BriefConfig) -> dict[str, object]:
    """What the Launchpad chose for this docs run's writer (the agent resource fills in the rest)."""
    chosen: dict[str, object] = {}
    if config.generation:
        chosen["generation"] = config.generation
    if config.repair_rounds >= 0:
        chosen["repair_rounds"] = config.repair_rounds
    return chosen


def build_brief_asset(blueprint: Blueprint) -> dg.AssetsDefinition:
    @dg.asset(
        key=BRIEF_KEY,
        partitions_def=docs_runs,
        group_name=DOCS_RUN_GROUP,
        kinds={"yaml", "markdown"},
        description=(
            "brief.yaml or brief.md — the docs run's registered brief (validated; YAML or prose Markdown as given) and "
            "its settings: review mode, agent choices, blueprint."
        ),
        code_version="1",
    )
    def brief(
        context: dg.AssetExecutionContext, config: BriefConfig, store: ArtifactStoreResource
    ) -> dg.MaterializeResult:
        artifacts = store.get()
        run_id = context.partition_key
        with user_errors():
            try:
                validate_run_id(run_id)
            except RunIdError as exc:
                raise RunIdError(
                    f"partition {exc}; start docs runs with the start_docs_run job instead of adding partitions "
                    "by hand, and remove this one with the remove_docs_run_partition job"
                ) from None
            if config.brief_path or config.brief_text:
                if config.brief_path and config.brief_text:
                    raise BriefError("give either brief_path or brief_text, not both")
                if config.brief_path:
                    path = Path(config.brief_path).expanduser()
                    try:
                        text = path.read_text(encoding="utf-8")
                    except OSError as exc:
                        raise BriefError(f"{path}: cannot read brief: {exc}") from None
                    source = str(path)
                else:
                    text, source = config.brief_text, "Launchpad brief_text"
                fmt = guess_format(source, text) if config.brief_format == "auto" else config.brief_format
                registration, _ = register_docs_run(
                    artifacts,
                    brief_text=text,
                    brief_format=fmt,
                    brief_source=source,
                    blueprint=blueprint,
                    run_id=run_id,
                    review_mode=config.review_mode or None,
                    agent=_agent_choices(config),
                    created_by="ui",
                )
            elif artifacts.has_run(run_id):
                registration = artifacts.registration(run_id)
            else:
                raise BriefError(
                    f"docs run '{run_id}' has no brief yet: give brief_path or brief_text in the Launchpad config "
                    "of docs_run/brief, or register it with `docsgen run BRIEF --run-id " + run_id + "`"
                )
        return dg.MaterializeResult(
            metadata={
                "project": registration.project,
                "slug": registration.slug,
                "review_mode": registration.review_mode,
                "blueprint": f"{registration.blueprint_name} v{registration.blueprint_version}",
                "brief_sha256": registration.brief_sha256,
                "agent": dg.MetadataValue.json(registration.agent),
            },
            data_version=dg.DataVersion(registration.brief_sha256),
        )

    return brief
