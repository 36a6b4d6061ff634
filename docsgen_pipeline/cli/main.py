"""``docsgen`` entry point.

Subcommands live one per module and are registered in :data:`COMMANDS`, a plain dict, so the
list of verbs is readable in one place.  Errors from below are :class:`DocsGenError`s; this is the
one boundary that prints them (one line, on stderr) and exits non-zero.
"""

from __future__ import annotations

import sys
from importlib import import_module

import click

from docsgen_pipeline.errors import DocsGenError

# verb -> "module:attribute" of a click command; imported lazily so `docsgen validate` does not
# pay for importing Dagster.
COMMANDS: dict[str, str] = {
    "brief": "docsgen_pipeline.cli.brief:brief",
    "run": "docsgen_pipeline.cli.run:run",
    "ui": "docsgen_pipeline.cli.ui:ui",
    "submit": "docsgen_pipeline.cli.submit:submit",
    "requests": "docsgen_pipeline.cli.requests:requests",
    "skip": "docsgen_pipeline.cli.skip:skip",
    "validate": "docsgen_pipeline.cli.validate:validate",
    "doctor": "docsgen_pipeline.cli.doctor:doctor",
    "estimate": "docsgen_pipeline.cli.estimate:estimate",
    "regenerate": "docsgen_pipeline.cli.regenerate:regenerate",
    "history": "docsgen_pipeline.cli.history:history",
    "show": "docsgen_pipeline.cli.show:show",
    "approve": "docsgen_pipeline.cli.approve:approve",
    "reject": "docsgen_pipeline.cli.reject:reject",
    "status": "docsgen_pipeline.cli.status:status",
    "list": "docsgen_pipeline.cli.list_runs:list_runs",
    "cancel": "docsgen_pipeline.cli.cancel:cancel",
    "archive": "docsgen_pipeline.cli.archive:archive",
    "unarchive": "docsgen_pipeline.cli.archive:unarchive",
    "verify": "docsgen_pipeline.cli.verify:verify",
    "publish": "docsgen_pipeline.cli.publish:publish",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        command = getattr(import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="docsgen-pipeline")
def cli() -> None:
    """DocsGen: turn a project brief into a validated documentation set, phase by phase."""


def main(argv: list[str] | None = None) -> int:
    try:
        # Non-standalone click returns the exit code a command asked for with ctx.exit(N).
        result = cli.main(args=argv, prog_name="docsgen", standalone_mode=False)
    except DocsGenError as exc:
        click.echo(f"docsgen: error: {exc}", err=True)
        return 2
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("docsgen: interrupted; every file written so far is kept (see: docsgen status)", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    sys.exit(main())
