"""The approval asset's review checks: does the approval still cover the files, is the phase current?

Evaluated wherever a status record is refreshed (see ``dagster_layer/ui_status.py``) and, as an
op, in every run that materializes the approval (and from the asset's *Checks* tab: *Execute*).
Non-blocking: they report, the lifecycle decides (a phase whose approval no longer covers its files
is awaiting approval again whatever these checks say).
"""
# No `from __future__ import annotations` in asset modules (Dagster reads real annotations).

from collections.abc import Callable, Iterator

import dagster as dg

from docsgen_pipeline.blueprint import Phase
from docsgen_pipeline.dagster_layer.resources import ArtifactStoreResource
from docsgen_pipeline.dagster_layer.status_records import recompute
from docsgen_pipeline.dagster_layer.ui_status import approval_check_specs, phase_verdicts


def build_review_checks(phase: Phase, definitions: Callable[[], dg.Definitions]) -> dg.AssetChecksDefinition:
    """``definitions``: the Definitions these checks belong to (stale status needs the whole asset
    graph; a run executed in-process has no repository on its context)."""
    number = phase.number

    @dg.multi_asset_check(
        name=f"phase{number}_review_checks",
        specs=approval_check_specs(number),
        can_subset=True,
        description=f"Phase {number}: does its approval cover its current files, is it built on current inputs?",
    )
    def review_checks(
        context: dg.AssetCheckExecutionContext, store: ArtifactStoreResource
    ) -> Iterator[dg.AssetCheckResult]:
        run_id = context.partition_key
        selected = context.selected_asset_check_keys
        try:
            # count_lock=False: under `docsgen approve` the approving CLI holds the lock itself.
            # Only this phase's stale status: the refresh after the run asks about every phase
            # (an earlier stale phase included) and reports these checks again if that differs.
            record = recompute(
                context.instance, store.get(), run_id, count_lock=False, defs=definitions(), staleness_of=number
            )
            verdicts = phase_verdicts(record, number, placeholders=True)
        except Exception as exc:  # a report must never fail the run that recorded the approval
            context.log.warning(f"phase {number} review checks of {run_id!r} could not be evaluated: {exc}")
            for key in sorted(selected, key=str):
                yield dg.AssetCheckResult(
                    asset_key=key.asset_key,
                    check_name=key.name,
                    passed=False,
                    severity=dg.AssetCheckSeverity.WARN,
                    description=f"Could not be evaluated ({type(exc).__name__}: {exc}); see `docsgen status {run_id}`.",
                )
            return
        for verdict in verdicts:
            if verdict.key in selected:
                yield verdict.result()

    return review_checks
