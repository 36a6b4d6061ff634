"""Jinja2 templates for the documents the orchestrator owns (nav block, reports)."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined

ENV = Environment(
    loader=PackageLoader("docsgen_pipeline", "templates"),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=False,
    autoescape=False,
)


def render(name: str, **context: object) -> str:
    return ENV.get_template(name).render(**context)
