"""Entry points the pipeline and ``docsgen validate`` call.  (Contract; implemented by the rules.)

Check names are statements that should hold, so a red check in the Dagster UI reads as the broken
promise; each maps to the rule ids whose findings decide it.
"""

from __future__ import annotations

from collections.abc import Mapping

from docsgen_pipeline.validators.model import Issue, ValidationContext

# Cheap checks run on each file as soon as it is written (blocking asset checks on file assets).
FILE_CHECKS: dict[str, tuple[str, ...]] = {
    "file_is_not_empty": ("non-empty",),
    "h1_comes_first": ("single-h1-first",),
    "has_no_placeholders": ("no-placeholders",),
    "nav_block_present": ("nav-block",),
}

# The phase gate (blocking asset checks on the phase's validation-report asset).
GATE_CHECKS: dict[str, tuple[str, ...]] = {
    "links_resolve": ("broken-link",),
    "fragments_resolve": ("broken-fragment",),
    "terminology_matches_glossary": ("terminology",),
    "schema_references_exist": ("schema-reference",),
    "plan_conformance": ("plan-conformance",),
}


def check_file(filename: str, text: str, ctx: ValidationContext) -> list[Issue]:
    """Run the per-file rules on one document."""
    raise NotImplementedError


def run_gate(targets: Mapping[str, str], corpus: Mapping[str, str], ctx: ValidationContext) -> list[Issue]:
    """Run the gate rules on ``targets`` (file -> text); links resolve against ``corpus``
    (every existing file, a superset of targets) plus ``ctx.planned_files``."""
    raise NotImplementedError
