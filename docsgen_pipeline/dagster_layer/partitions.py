"""One dynamic partition per docs run."""

from __future__ import annotations

import dagster as dg

DOCS_RUNS = "docs_runs"
docs_runs = dg.DynamicPartitionsDefinition(name=DOCS_RUNS)

# Tag carried by every Dagster run of a docs run; dagster.yaml limits in-flight runs per value.
RUN_TAG = "docsgen/run"
REQUESTED_BY_TAG = "docsgen/requested_by"
REASON_TAG = "docsgen/reason"
FEEDBACK_TAG = "docsgen/feedback"
