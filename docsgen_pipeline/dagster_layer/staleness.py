"""Stale status of a docs run's phases and files, read from the Dagster instance.

A regeneration writes a new version of a file (a new data version); Dagster then marks what
consumed the old version STALE: the phase's gate and approval, the next phase's plan and, through
it, every later phase's files.  DocsGen never regenerates those on its own; this module names them
and the command that refreshes each phase, for ``docsgen status`` and ``docsgen regenerate``.

Dagster 1.13 exposes stale status to its UI through ``CachingStaleStatusResolver``; it is not a
public API, so this module is the one place that touches it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import dagster as dg
from dagster._core.asset_graph_view.asset_graph_view import AssetGraphView
from dagster._core.definitions.data_version import CachingStaleStatusResolver, StaleStatus
from dagster._core.definitions.temporal_context import TemporalContext
from dagster._time import get_current_datetime

from docsgen_pipeline.blueprint import Blueprint
from docsgen_pipeline.dagster_layer.keys import approval_key, file_key, plan_key, validation_key

STALE = "stale"
MISSING = "missing"
FRESH = "fresh"


@dataclass(frozen=True)
class AssetStaleness:
    asset: str
    status: str
    causes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PhaseStaleness:
    """Which assets of one phase are stale, and the command that would refresh the phase."""

    phase: int
    stale: tuple[AssetStaleness, ...] = ()
    files: tuple[str, ...] = ()  # stale file asset keys (phase<N>/<key>)
    behind: int | None = None  # an earlier stale phase this one builds on (Dagster marks direct dependents only)
    command: str = ""

    @property
    def is_stale(self) -> bool:
        return bool(self.stale) or self.behind is not None

    def as_dict(self) -> dict[str, object]:
        return {
            "phase": self.phase,
            "stale": self.is_stale,
            "behind_phase": self.behind,
            "assets": [{"asset": a.asset, "causes": list(a.causes)} for a in self.stale],
            "command": self.command,
        }


def refresh_command(run_id: str, phase: int) -> str:
    return f"docsgen regenerate {run_id} --phase {phase}"


# The asset graph to read stale status against: the Definitions (CLI, tests) or, inside a sensor
# tick or a run, the loaded repository (``context.repository_def``).
GraphSource = dg.Definitions | dg.RepositoryDefinition


class StalenessReader:
    """One consistent read of stale status for one docs run (one Dagster partition)."""

    def __init__(self, instance: dg.DagsterInstance, defs: GraphSource, run_id: str) -> None:
        graph = defs.resolve_asset_graph() if isinstance(defs, dg.Definitions) else defs.asset_graph
        view = AssetGraphView(
            temporal_context=TemporalContext(effective_dt=get_current_datetime(), last_event_id=None),
            instance=instance,
            asset_graph=graph,
        )
        self._resolver = CachingStaleStatusResolver(instance=instance, asset_graph=graph, loading_context=view)
        self.run_id = run_id

    def status(self, key: dg.AssetKey) -> AssetStaleness:
        status = self._resolver.get_status(key, self.run_id)
        if status == StaleStatus.MISSING:
            return AssetStaleness(key.to_user_string(), MISSING)
        if status == StaleStatus.FRESH:
            return AssetStaleness(key.to_user_string(), FRESH)
        causes = tuple(
            f"{c.key.asset_key.to_user_string()}: {c.reason}"
            + (f" ({c.dependency.asset_key.to_user_string()})" if c.dependency is not None else "")
            for c in self._resolver.get_stale_root_causes(key, self.run_id)
        )
        return AssetStaleness(key.to_user_string(), STALE, causes)

    def phase(self, blueprint: Blueprint, number: int, include_files: bool = True) -> PhaseStaleness:
        phase = blueprint.phases[number]
        keys = [plan_key(number)]
        if include_files:
            keys += [file_key(phase, f) for f in phase.files]
        keys += [validation_key(number), approval_key(number)]
        stale = tuple(s for s in (self.status(k) for k in keys) if s.status == STALE)
        files = tuple(s.asset for s in stale if s.asset.split("/", 1)[-1] in {f.key for f in phase.files})
        return PhaseStaleness(
            phase=number, stale=stale, files=files, command=refresh_command(self.run_id, number) if stale else ""
        )


def stale_phases(
    instance: dg.DagsterInstance,
    defs: GraphSource,
    blueprint: Blueprint,
    run_id: str,
    phases: Iterable[int] | None = None,
    include_files: bool = True,
) -> list[PhaseStaleness]:
    """Stale status of each phase (default: all) of a docs run; only materialized assets can be stale.

    Dagster marks only the direct dependents of a changed asset stale; a phase after a stale one
    is reported stale too (``behind``), since refreshing the earlier phase may change its inputs.
    """
    reader = StalenessReader(instance, defs, run_id)
    numbers = [p.number for p in blueprint.phases] if phases is None else sorted(phases)
    out: list[PhaseStaleness] = []
    first_stale: int | None = None
    for number in numbers:
        item = reader.phase(blueprint, number, include_files)
        if first_stale is not None and not item.stale:
            item = replace(item, behind=first_stale, command=refresh_command(run_id, number))
        if item.stale and first_stale is None:
            first_stale = number
        out.append(item)
    return out
