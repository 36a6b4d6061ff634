"""What a docs run against a real model cost and how repair went (for the real-model test and benchmark).

Read from recorded facts only: plan materializations (tokens, model seconds), the progress log
(file calls, tokens, model seconds) and the repairs log (files flagged per round).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import dagster as dg

from docsgen_pipeline.blueprint import Blueprint
from docsgen_pipeline.dagster_layer.keys import plan_key
from docsgen_pipeline.docs_run import DocsRun
from docsgen_pipeline.progress import latest_progress
from docsgen_pipeline.repair import REPAIRS_LOG, RepairRound
from docsgen_pipeline.store import ArtifactStore


@dataclass
class RunSummary:
    calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    model_s: float = 0.0
    files_written: int = 0
    flagged_first_try: list[str] = field(default_factory=list)
    left_after_round: dict[int, list[str]] = field(default_factory=dict)

    def passing(self, after_round: int) -> int:
        """Files passing their checks and gate on the first try (0) or after repair round N."""
        if after_round == 0:
            return self.files_written - len(self.flagged_first_try)
        rounds = [r for r in self.left_after_round if r <= after_round]
        left = self.left_after_round[max(rounds)] if rounds else self.flagged_first_try
        return self.files_written - len(left)


def summarize(store: ArtifactStore, instance: dg.DagsterInstance, run_id: str, blueprint: Blueprint) -> RunSummary:
    out = RunSummary()
    for phase in blueprint.phases:
        records = instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=plan_key(phase.number), asset_partitions=[run_id]), limit=100
        ).records
        for record in records:
            materialization = record.asset_materialization
            if materialization is None:
                continue
            meta = {k: v.value for k, v in materialization.metadata.items()}
            if meta.get("cached"):
                continue
            out.calls += int(meta.get("calls", 1) or 0)  # type: ignore[call-overload]
            out.tokens_in += int(meta.get("tokens_in", 0) or 0)  # type: ignore[call-overload]
            out.tokens_out += int(meta.get("tokens_out", 0) or 0)  # type: ignore[call-overload]
            out.model_s += float(meta.get("agent_duration_s", 0.0) or 0.0)  # type: ignore[arg-type]
    progress = latest_progress(store, run_id)
    if progress is not None:
        out.calls += progress.calls
        out.tokens_in += progress.tokens_in
        out.tokens_out += progress.tokens_out
        out.model_s += progress.model_s
    run = DocsRun.load(store, run_id)
    out.files_written = sum(1 for f in blueprint.all_files() if run.latest_file(f.key) is not None)
    for event in store.events(run_id, REPAIRS_LOG):
        entry = RepairRound.model_validate(event)
        if entry.round == 1:
            out.flagged_first_try += [f.file for f in entry.files]
        out.left_after_round.setdefault(entry.round, [])
        out.left_after_round[entry.round] += list(entry.remaining)
    return out

