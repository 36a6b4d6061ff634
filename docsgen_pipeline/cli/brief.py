"""``docsgen brief BRIEF``: show what DocsGen understood from a brief before generating from it.

stdout: the brief as understood, as structured YAML (the same schema as a structured brief, so
``docsgen brief notes.md > brief.yaml`` converts).  stderr: what was not understood, with the
heading to add.  ``--strict`` exits 1 when a core part (components, entities, glossary) is empty.
"""

from __future__ import annotations

from pathlib import Path

import click
import yaml

from docsgen_pipeline.brief import CORE_PARTS, Brief, understand_brief


def structured_yaml(brief: Brief) -> str:
    data = brief.model_dump(mode="json", exclude={"source_format"}, exclude_defaults=True)
    data = {"name": data.pop("name"), "slug": brief.slug, "summary": data.pop("summary"), **data}
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


@click.command("brief")
@click.argument("brief_path", metavar="BRIEF", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--strict", is_flag=True, help=f"exit 1 when a core part ({', '.join(CORE_PARTS)}) is empty")
def brief(brief_path: Path, strict: bool) -> int:
    """Print the brief as understood (YAML) and, on stderr, what was not understood."""
    understanding = understand_brief(brief_path)
    click.echo(structured_yaml(understanding.brief), nl=False)
    for warning in understanding.warnings():
        click.echo(f"docsgen: warning: {warning}", err=True)
    if strict and understanding.core_empty():
        click.echo(f"docsgen: brief is missing core parts: {', '.join(understanding.core_empty())}", err=True)
        return 1
    return 0
