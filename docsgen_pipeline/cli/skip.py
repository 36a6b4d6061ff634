"""``docsgen skip REQUEST``: leave a pending request alone for good (it keeps its brief)."""

from __future__ import annotations

import getpass
import json

import click

from docsgen_pipeline.inbox import Inbox, inbox_dir


@click.command("skip")
@click.argument("request")
@click.option("--reason", default="", help="why (recorded in the request's history)")
@click.option("--json", "as_json", is_flag=True, help="print the request as JSON")
def skip(request: str, reason: str, as_json: bool) -> int:
    """Mark the pending REQUEST (its id or an id prefix) skipped; nothing is deleted."""
    skipped = Inbox(inbox_dir()).skip(request, by=f"cli:{getpass.getuser()}", reason=reason)
    if as_json:
        click.echo(json.dumps(skipped.as_json(), indent=2))
    else:
        click.echo(f"request {skipped.id} skipped; its brief stays at {skipped.brief_path}", err=True)
    return 0
