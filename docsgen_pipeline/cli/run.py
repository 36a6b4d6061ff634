"""``docsgen run BRIEF``: register a docs run and execute it phase by phase."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from docsgen_pipeline.blueprint import Blueprint, load_blueprint
from docsgen_pipeline.brief import guess_format, understand_brief_text
from docsgen_pipeline.cli.agent_options import agent_options, agent_overrides
from docsgen_pipeline.deployment import check_distributed
from docsgen_pipeline.errors import BriefError, read_input_file
from docsgen_pipeline.registration import register_docs_run
from docsgen_pipeline.settings import configured_blueprint, store_root
from docsgen_pipeline.store import ArtifactStore, validate_run_id


@click.command("run")
@click.argument("brief", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--blueprint", "blueprint_path", type=click.Path(path_type=Path), help="blueprint YAML (default: the shipped one)"
)
@click.option("--run-id", help="docs-run id (default: <project-slug>-<n>)")
@click.option(
    "--review", type=click.Choice(["batch", "interactive"]), help="review mode (default: the brief's, else batch)"
)
@agent_options
def run(brief: Path, blueprint_path: Path | None, run_id: str | None, review: str | None, **options: Any) -> int:
    """Register a docs run from BRIEF and generate every phase (batch) or the first (interactive).

    Agent flags (--agent, --base-url, --model …) are recorded with the docs run; flags not given
    fall back to the deployment's agent resource (the offline template agent by default).
    """
    # Validate every input before touching the store or the instance: bad input writes nothing.
    blueprint: Blueprint = load_blueprint(blueprint_path) if blueprint_path else configured_blueprint()
    if run_id is not None:
        validate_run_id(run_id)
    agent = agent_overrides(**options)
    check_distributed(blueprint)  # a scaled-out deployment's broker and blueprint, before anything is written
    text = read_input_file(brief, "brief", BriefError)
    # What the brief does not give is said before generating, never discovered in an empty bundle.
    for warning in understand_brief_text(text, str(brief), guess_format(brief.name, text)).warnings():
        click.echo(f"docsgen: warning: {warning}", err=True)
    store = ArtifactStore(store_root())
    store.check()  # an unreachable object store is one line naming its URL, before anything is written
    registration, parsed = register_docs_run(
        store,
        brief_text=text,
        brief_format=guess_format(brief.name, text),
        brief_source=str(brief),
        blueprint=blueprint,
        run_id=run_id,
        review_mode=review,  # type: ignore[arg-type]
        agent=agent,
    )
    from docsgen_pipeline.cli.driver import drive

    click.echo(f"docs run {registration.run_id}: {parsed.name} ({registration.review_mode} review)", err=True)
    started = time.monotonic()
    code = drive(registration.run_id, blueprint, first_phase=0)
    click.echo(f"elapsed {time.monotonic() - started:.1f} s", err=True)
    return code
