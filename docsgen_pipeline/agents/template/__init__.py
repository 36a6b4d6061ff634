"""The offline template agent (``template``): plans and writes a doc set from the brief alone."""

from __future__ import annotations

from docsgen_pipeline.agents.template.agent import TEMPLATE_SET_VERSION, TemplateAgent

__all__ = ["TEMPLATE_SET_VERSION", "TemplateAgent"]
