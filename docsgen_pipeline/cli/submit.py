"""``docsgen submit BRIEF``: put a brief into the requests inbox for the sensor (or the nightly batch)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from docsgen_pipeline.blueprint import Blueprint, load_blueprint
from docsgen_pipeline.brief import guess_format, parse_brief_text
from docsgen_pipeline.errors import BlueprintError, BriefError
from docsgen_pipeline.inbox import Inbox, inbox_dir, run_id_for
from docsgen_pipeline.limits import check_brief_size
from docsgen_pipeline.settings import configured_blueprint


@click.command("submit")
@click.argument("brief", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--review", type=click.Choice(["batch", "interactive"]), help="review mode (default: the brief's, else batch)"
)
@click.option(
    "--blueprint",
    "blueprint_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="pin the request to this blueprint (the code location must serve the same one)",
)
@click.option("--scheduled", is_flag=True, help="leave it for the scheduled batch run instead of starting it now")
@click.option("--reopen", is_flag=True, help="if this brief's request was skipped or rejected, make it pending again")
@click.option("--json", "as_json", is_flag=True, help="print the request as JSON")
def submit(
    brief: Path, review: str | None, blueprint_path: Path | None, scheduled: bool, reopen: bool, as_json: bool
) -> int:
    """Validate BRIEF and queue it as a request in the inbox; the same brief twice is one request."""
    try:
        data = brief.read_bytes()
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise BriefError(f"{brief}: brief file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BriefError(f"{brief}: cannot read brief as UTF-8 text: {exc}") from None
    if scheduled and review == "interactive":
        raise BriefError(
            "--scheduled requests run overnight as batch runs; drop --review interactive, or drop --scheduled "
            "to have the inbox sensor start phase 0 for review now"
        )
    fmt = guess_format(brief.name, text)
    check_brief_size(text, str(brief))
    parsed = parse_brief_text(text, str(brief), fmt)
    pinned: Blueprint | None = None
    if blueprint_path is not None:
        pinned = load_blueprint(blueprint_path)
        served = configured_blueprint()
        if pinned.content_hash() != served.content_hash():
            raise BlueprintError(
                f"{blueprint_path}: blueprint '{pinned.name}' v{pinned.version} differs from the one DocsGen serves "
                f"here ('{served.name}' v{served.version}); asset keys come from the blueprint, so set "
                f"DOCSGEN_BLUEPRINT={blueprint_path} for the Dagster code location (and this shell) first"
            )
    inbox = Inbox(inbox_dir())
    request, created = inbox.submit(
        data,
        str(brief.resolve()),
        brief_format=fmt,
        review_mode=review,  # type: ignore[arg-type]
        scheduled=scheduled,
        by="cli:submit",
        blueprint_yaml=pinned.to_yaml() if pinned else None,
        blueprint_sha256=pinned.content_hash() if pinned else None,
        blueprint_name=pinned.name if pinned else None,
        blueprint_version=pinned.version if pinned else None,
    )
    reopened = False
    if not created and reopen and request.status in ("skipped", "rejected"):
        request, reopened = inbox.reopen(request.sha, by="cli:submit"), True
    if as_json:
        click.echo(json.dumps({**request.as_json(), "created": created, "reopened": reopened}, indent=2))
        return 0
    if reopened:
        click.echo(f"request {request.id} is pending again (it was {request.history[-1]['previous']})", err=True)
        click.echo(request.id)
        return 0
    if not created:
        detail = f" as docs run {request.run_id}" if request.run_id else ""
        click.echo(
            f"request {request.id} already exists for this brief ({request.status}{detail}); nothing added "
            "(a request is its brief's content; its settings stay as first submitted"
            + ("; --reopen makes it pending again)" if request.status in ("skipped", "rejected") else ")"),
            err=True,
        )
        return 0
    when = "by the scheduled batch run" if scheduled else "by the inbox sensor"
    click.echo(
        f"request {request.id}: {parsed.name} queued in {inbox.root}; it becomes docs run "
        f"{run_id_for(parsed.slug, request.sha)} {when} (watch: docsgen requests)",
        err=True,
    )
    click.echo(request.id)
    return 0
