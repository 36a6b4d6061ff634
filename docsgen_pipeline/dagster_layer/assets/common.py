"""Metadata helpers shared by the asset factories."""

from typing import Any

import dagster as dg

from docsgen_pipeline.agents.base import Usage
from docsgen_pipeline.reports import CheckOutcome, issue_table_markdown

CODE_VERSION = "1"


def usage_metadata(usage: Usage) -> dict[str, Any]:
    return {
        "model": usage.model,
        "calls": usage.calls,
        "tokens_in": usage.tokens_in,
        "tokens_out": usage.tokens_out,
        "agent_duration_s": round(usage.duration_s, 3),
        "retries": usage.retries,
        "cost_usd": round(usage.cost_usd, 6),
        "cached": usage.cached,
    }


def check_result(asset_key: dg.AssetKey, check: CheckOutcome, name: str | None = None) -> dg.AssetCheckResult:
    """A blocking check's result with its issue table (file, line, rule, message)."""
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=name or check.name,
        passed=check.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"issues": dg.MetadataValue.md(issue_table_markdown(check.issues)), "count": len(check.issues)},
    )
