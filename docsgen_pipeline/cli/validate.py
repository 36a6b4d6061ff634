"""``docsgen validate DIR``: the documentation gate as a docs-as-code tool.

Exit status: 0 when no finding is an error (warnings and notes do not fail a build), 1 when some
are, 2 for bad input (unreadable directory, invalid config) via :class:`DocsGenError`.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from docsgen_pipeline.errors import ConfigError
from docsgen_pipeline.markdown.flavors import FLAVORS
from docsgen_pipeline.validators.config import ValidateConfig, load_config, with_flags
from docsgen_pipeline.validators.engine import validate_tree
from docsgen_pipeline.validators.output import FORMATS, RENDERERS
from docsgen_pipeline.validators.rules import RULES

DEFAULT_CACHE = ".docsgen-cache"


def _display_prefix(directory: str) -> str:
    # Findings name files the way the user named the directory, so CI annotations and editors
    # resolve them from the working directory.
    norm = os.path.normpath(directory).replace(os.sep, "/")
    return "" if norm == "." else norm.rstrip("/") + "/"


_EPILOG = "\b\nRules (id: default severity):\n" + "\n".join(
    f"  {r.id}: {ValidateConfig().level(r.id)} - {r.summary}" for r in RULES.values()
)


@click.command(epilog=_EPILOG)
@click.argument("directory", type=click.Path(file_okay=False, path_type=str), default=".")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="docsgen.toml or pyproject.toml (default: nearest one at or above DIR)",
)
@click.option(
    "--glossary", type=click.Path(dir_okay=False, path_type=Path), help="glossary file (.toml, .yaml, .json or .md)"
)
@click.option("--disable", multiple=True, metavar="RULE", help="turn a rule off (repeatable)")
@click.option("--enable", multiple=True, metavar="RULE", help="turn a rule on at its default severity (repeatable)")
@click.option("--severity", multiple=True, metavar="RULE=LEVEL", help="error, warning, info or off (repeatable)")
@click.option("--ignore", multiple=True, metavar="GLOB", help="skip matching files (repeatable; ** crosses folders)")
@click.option(
    "--ignore-link", "ignore_links", multiple=True, metavar="REGEX", help="never check link targets matching REGEX"
)
@click.option(
    "--cache-dir", type=click.Path(file_okay=False, path_type=Path), help=f"result cache (default: DIR/{DEFAULT_CACHE})"
)
@click.option("--no-cache", is_flag=True, help="do not read or write the result cache")
@click.option(
    "--check-external", is_flag=True, default=None, help="ALSO request external http(s) links (network; off by default)"
)
@click.option("--jobs", type=click.IntRange(min=1), help="worker processes for parsing (default: every core)")
@click.option(
    "--site",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="an already built site of DIR (mkdocs build / mdbook build): its HTML ids and files count too",
)
@click.option(
    "--flavor",
    type=click.Choice(tuple(FLAVORS)),
    help="renderer whose slug and link rules apply (default: mkdocs.yml / book.toml at or above DIR, else github)",
)
@click.pass_context
def validate(
    ctx: click.Context,
    directory: str,
    fmt: str,
    config_path: Path | None,
    glossary: Path | None,
    disable: tuple[str, ...],
    enable: tuple[str, ...],
    severity: tuple[str, ...],
    ignore: tuple[str, ...],
    ignore_links: tuple[str, ...],
    cache_dir: Path | None,
    no_cache: bool,
    check_external: bool | None,
    jobs: int | None,
    flavor: str | None,
    site: Path | None,
) -> None:
    """Check the Markdown files under DIRECTORY: links, anchors, terminology, structure."""
    root = Path(directory)
    if not root.is_dir():
        raise ConfigError(f"{directory}: not a directory")
    config = with_flags(
        load_config(root, config_path),
        disable=disable,
        enable=enable,
        severity=severity,
        ignore=ignore,
        ignore_links=ignore_links,
        glossary=glossary,
        check_external=check_external,
        flavor=flavor,
    )
    cache = None if no_cache else (cache_dir if cache_dir is not None else root / DEFAULT_CACHE)
    report = validate_tree(root, config, cache_dir=cache, jobs=jobs, display=_display_prefix(directory), site=site)
    click.echo(RENDERERS[fmt](report))
    if report.errors:
        ctx.exit(1)
