"""``docsgen estimate BRIEF``: calls, tokens and cost of a docs run, before running it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from docsgen_pipeline.agents.estimate import PhaseEstimate, estimate_run, total
from docsgen_pipeline.agents.metering import PriceTable
from docsgen_pipeline.blueprint import load_blueprint
from docsgen_pipeline.brief import load_brief
from docsgen_pipeline.cli.agent_options import agent_options, settings_from_options
from docsgen_pipeline.settings import configured_blueprint


def _row(r: PhaseEstimate) -> str:
    name = "total" if r.phase < 0 else f"{r.phase} {r.title}"
    return (
        f"{name:<18} {r.files:>5} {r.calls_min:>4}-{r.calls_max:<4} {r.tokens_in_low:>8,}-{r.tokens_in_high:<9,} "
        f"{r.tokens_out_low:>7,}-{r.tokens_out_high:<8,} ${r.cost_low_usd:.4f}-${r.cost_high_usd:.4f}"
    )


@click.command("estimate")
@click.argument("brief", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--blueprint", "blueprint_path", type=click.Path(path_type=Path), help="blueprint YAML")
@agent_options
def estimate(brief: Path, blueprint_path: Path | None, **options: Any) -> int:
    """Print the expected number of agent calls and the token/cost range of a docs run of BRIEF."""
    settings = settings_from_options(**options)
    parsed = load_brief(brief)
    blueprint = load_blueprint(blueprint_path) if blueprint_path else configured_blueprint()
    rows = estimate_run(parsed, blueprint, settings)
    click.echo(f"{parsed.name}: agent {settings.kind}, model {settings.model}, max_tokens {settings.max_tokens}")
    click.echo(f"{'phase':<18} {'files':>5} {'calls':^9} {'tokens in':^18} {'tokens out':^16} cost")
    for row in rows:
        click.echo(_row(row))
    overall = total(rows)
    click.echo(_row(overall))
    if settings.kind == "template":
        click.echo("the template agent is offline: no calls are made and nothing is billed")
    elif PriceTable(settings.prices).price(settings.model) is None:
        click.echo(f"no price known for {settings.model!r} (local models are free); add one under prices to cost it")
    click.echo("ranges: low = every answer usable first time; high = all plan re-asks, full upstream excerpts, "
               "every answer at max_tokens. Retries and reviewer rejections come on top.")
    if settings.budget_usd is not None and overall.cost_high_usd > settings.budget_usd:
        click.echo(f"note: the high end exceeds the ${settings.budget_usd:.2f} budget; the run stops cleanly if it "
                   "gets there (raise --budget or lower --max-tokens)")
    return 0
