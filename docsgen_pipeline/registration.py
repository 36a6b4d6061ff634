"""Registering a docs run: validate everything first, then write once (pure).

Bad input (brief, blueprint, run id) raises before anything is written, so a failed
registration leaves no trace in the store.
"""

from __future__ import annotations

from typing import Any, Literal

from docsgen_pipeline.blueprint import Blueprint
from docsgen_pipeline.brief import Brief, parse_brief_text
from docsgen_pipeline.limits import check_brief_size, check_field_sizes
from docsgen_pipeline.store import ArtifactStore, RunRegistration, sha256_hex, validate_run_id

ReviewMode = Literal["interactive", "batch"]


def next_run_id(store: ArtifactStore, slug: str) -> str:
    """``<slug>-1``, ``<slug>-2`` … the first id not used yet."""
    used = set(store.run_ids())
    number = 1
    while f"{slug}-{number}" in used:
        number += 1
    return validate_run_id(f"{slug[:50]}-{number}")


def register_docs_run(
    store: ArtifactStore,
    *,
    brief_text: str,
    brief_format: Literal["yaml", "markdown"],
    brief_source: str,
    blueprint: Blueprint,
    run_id: str | None = None,
    review_mode: ReviewMode | None = None,
    agent: dict[str, Any] | None = None,
    created_by: str = "cli",
) -> tuple[RunRegistration, Brief]:
    check_brief_size(brief_text, brief_source)
    brief = parse_brief_text(brief_text, brief_source, brief_format)
    check_field_sizes(brief.model_dump(mode="json"), brief_source)
    run_id = validate_run_id(run_id) if run_id else next_run_id(store, brief.slug)
    mode: ReviewMode = review_mode or brief.review_mode or "batch"
    registration = RunRegistration(
        run_id=run_id,
        project=brief.name,
        slug=brief.slug,
        review_mode=mode,
        brief_file="brief.md" if brief_format == "markdown" else "brief.yaml",
        brief_sha256=sha256_hex(brief_text.encode()),
        blueprint_name=blueprint.name,
        blueprint_version=blueprint.version,
        blueprint_sha256=blueprint.content_hash(),
        # Only what the run chose; the deployment's agent resource supplies the rest.
        agent=dict(agent or {}),
        created_by=created_by,
    )
    stored = store.register_run(registration, brief_text, blueprint.to_yaml())
    return stored, brief
