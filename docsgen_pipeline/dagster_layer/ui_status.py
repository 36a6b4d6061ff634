"""What the web UI shows of each docs run's lifecycle, without the CLI.

* ``docs_run/status`` — an external asset partitioned by docs run.  Each change of a docs run's
  status record (:mod:`docsgen_pipeline.status_record`) is reported as a materialization of its
  partition: status, phase, detail, the next action and a table of the phases.  A materialization,
  not an observation, because the asset's *Partitions* tab shows the latest materialization's
  metadata for the selected partition (observations only once something was materialized).
* ``phaseN/approval`` checks — ``approval_covers_current_files`` (ERROR) fails once a file of the
  phase changed after its approval; ``built_on_current_inputs`` (WARN) warns once something the
  phase was built from changed after it was built (Dagster's stale status).

Both are derived from the status record, so they say exactly what ``docsgen status`` says.
Whoever refreshes a record reports them (``status_records.refresh``: in-process executions, cancel,
archive; ``advance_sensor`` returns the status in its tick's result); only events that differ from
what the instance already shows are reported, so an unchanged docs run costs two small reads and
no write. This is the one module that touches Dagster's check-execution table (see
:func:`report_checks`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import dagster as dg
import sqlalchemy as db
from dagster._core.event_api import PartitionKeyFilter
from dagster._core.instance.utils import RUNLESS_RUN_ID
from dagster._core.storage.event_log.schema import AssetCheckExecutionsTable
from dagster._core.storage.event_log.sql_event_log import SqlEventLogStorage

from docsgen_pipeline.dagster_layer.keys import DOCS_RUN_GROUP, STATUS_KEY, approval_key
from docsgen_pipeline.dagster_layer.partitions import docs_runs

APPROVAL_COVERS_CHECK = "approval_covers_current_files"
CURRENT_INPUTS_CHECK = "built_on_current_inputs"
FINGERPRINT = "fingerprint"  # metadata entry of a status materialization: what it was built from

APPROVAL_COVERS_PROMISE = (
    "Phase {n}'s approval covers exactly the phase's current files: no file was regenerated or "
    "changed after the approval. Fails (ERROR) when a regeneration changed a file after the "
    "approval; the phase then awaits approval again (launch job approve_phase, or "
    "`docsgen approve RUN --phase {n} --by NAME`). Not evaluated before the phase's first approval."
)
CURRENT_INPUTS_PROMISE = (
    "Phase {n} was built on the current versions of its inputs: nothing it was written from "
    "(the brief, an earlier phase's approval or files, or a file of its own it links to) changed "
    "after it was built. Warns (WARN, blocks nothing) when an earlier regeneration left it stale; "
    "DocsGen never rewrites it on its own: `docsgen regenerate RUN --phase {n}` (or launch job "
    "regenerate_files) refreshes it. Not evaluated before the phase has files."
)
STATUS_DESCRIPTION = (
    "Lifecycle status of each docs run (one partition per docs run): status, current phase, "
    "detail and the next action to take, with a table of the phases (files, gate, approval, "
    "stale inputs). Kept current by advance_sensor and by every docsgen command; open the "
    "Partitions tab and pick the docs run."
)

PHASES_SCHEMA = dg.TableSchema(
    columns=[
        dg.TableColumn("phase", "int"),
        dg.TableColumn("files", "string", description="files generated / planned"),
        dg.TableColumn("gate", "string", description="none, passed, failed or stale (files changed after it ran)"),
        dg.TableColumn("approved_by", "string", description="who approved it ('' = not approved)"),
        dg.TableColumn("approval_current", "bool", description="the approval covers the current files"),
        dg.TableColumn("inputs_changed", "bool", description="something it was built from changed since"),
        dg.TableColumn("refresh", "string", description="the command that refreshes a stale phase"),
    ]
)


def build_status_asset() -> dg.AssetSpec:
    """The ``docs_run/status`` asset: external (nothing runs to build it), one partition per docs run."""
    return dg.AssetSpec(
        STATUS_KEY,
        partitions_def=docs_runs,
        group_name=DOCS_RUN_GROUP,
        kinds={"json"},
        description=STATUS_DESCRIPTION,
    )


def approval_check_specs(number: int) -> list[dg.AssetCheckSpec]:
    key = approval_key(number)
    return [
        dg.AssetCheckSpec(
            APPROVAL_COVERS_CHECK,
            asset=key,
            partitions_def=docs_runs,
            description=APPROVAL_COVERS_PROMISE.format(n=number),
        ),
        dg.AssetCheckSpec(
            CURRENT_INPUTS_CHECK,
            asset=key,
            partitions_def=docs_runs,
            description=CURRENT_INPUTS_PROMISE.format(n=number),
        ),
    ]


# -- from a status record to what the UI shows ---------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """One approval check's outcome for one docs run."""

    key: dg.AssetCheckKey
    passed: bool
    severity: dg.AssetCheckSeverity
    description: str

    def evaluation(self, run_id: str) -> dg.AssetCheckEvaluation:
        return dg.AssetCheckEvaluation(
            asset_key=self.key.asset_key,
            check_name=self.key.name,
            passed=self.passed,
            severity=self.severity,
            description=self.description,
            partition=run_id,
        )

    def result(self) -> dg.AssetCheckResult:
        return dg.AssetCheckResult(
            asset_key=self.key.asset_key,
            check_name=self.key.name,
            passed=self.passed,
            severity=self.severity,
            description=self.description,
        )


def _built(phase: Mapping[str, Any]) -> bool:
    return not str(phase.get("files", "0/0")).startswith("0/")


def phase_verdicts(record: Mapping[str, Any], number: int, placeholders: bool = False) -> list[Verdict]:
    """The approval checks of phase ``number`` from a status record.

    A check with nothing to judge yet (no approval; no files; staleness unknown) has no verdict,
    unless ``placeholders`` (a check executed in a run must report something): then it passes and
    says why there was nothing to judge.
    """
    run_id = record["run_id"]
    phase = next((p for p in record.get("phases", []) if p["phase"] == number), None)
    key = approval_key(number)
    error, warn = dg.AssetCheckSeverity.ERROR, dg.AssetCheckSeverity.WARN
    verdicts: list[Verdict] = []
    covers = dg.AssetCheckKey(key, APPROVAL_COVERS_CHECK)
    approver = phase.get("approved_by") if phase else None
    if phase is not None and approver:
        if phase.get("approval_current"):
            text = f"Approved by {approver}; the approval covers every current file of phase {number}."
            verdicts.append(Verdict(covers, True, error, text))
        else:
            text = (
                f"Phase {number} changed after {approver} approved it: the approval no longer covers its "
                f"current files. Review them, then approve again: docsgen approve {run_id} --phase {number} "
                "--by NAME (or launch job approve_phase)."
            )
            verdicts.append(Verdict(covers, False, error, text))
    elif placeholders:
        verdicts.append(Verdict(covers, True, error, f"Phase {number} has no approval yet; nothing to cover."))
    inputs = dg.AssetCheckKey(key, CURRENT_INPUTS_CHECK)
    if phase is not None and _built(phase) and "inputs_changed" in phase:
        if phase["inputs_changed"]:
            why = phase.get("stale_because") or "its inputs changed"
            text = (
                f"Phase {number} was built on inputs that changed since ({why}). It is left as it is; "
                f"refresh it with: {phase.get('refresh') or f'docsgen regenerate {run_id} --phase {number}'}"
            )
            verdicts.append(Verdict(inputs, False, warn, text))
        else:
            verdicts.append(
                Verdict(inputs, True, warn, f"Phase {number} is built on the current versions of its inputs.")
            )
    elif placeholders:
        verdicts.append(Verdict(inputs, True, warn, f"Phase {number} has no files yet, or its staleness is unknown."))
    return verdicts


def fingerprint(record: Mapping[str, Any]) -> str:
    """What a status materialization shows, hashed: equal fingerprints need no new event."""
    shown = {k: v for k, v in record.items() if k != "recorded_at"}
    return hashlib.sha256(json.dumps(shown, sort_keys=True, default=str).encode()).hexdigest()


def status_materialization(record: Mapping[str, Any]) -> dg.AssetMaterialization:
    phases = [
        dg.TableRecord(
            {
                "phase": int(p["phase"]),
                "files": str(p.get("files", "")),
                "gate": str(p.get("gate", "")),
                "approved_by": str(p.get("approved_by") or ""),
                "approval_current": bool(p.get("approval_current")),
                "inputs_changed": bool(p.get("inputs_changed")),
                "refresh": str(p.get("refresh") or ""),
            }
        )
        for p in record.get("phases", [])
    ]
    status, phase, action = record["status"], record["phase"], record["next_action"]
    summary = f"**{status}** — phase {phase}: {record['detail']}\n\nNext: `{action}`"
    return dg.AssetMaterialization(
        asset_key=STATUS_KEY,
        partition=record["run_id"],
        description=f"{status} at phase {phase}; next: {action}",
        metadata={
            "status": dg.MetadataValue.text(status),
            "phase": dg.MetadataValue.text(str(phase)),
            "detail": dg.MetadataValue.text(str(record["detail"])),
            "next_action": dg.MetadataValue.text(action),
            "summary": dg.MetadataValue.md(summary),
            "review_mode": dg.MetadataValue.text(str(record.get("review_mode", ""))),
            "last_event_at": dg.MetadataValue.text(str(record.get("last_event_at", ""))),
            "archived": dg.MetadataValue.bool(bool(record.get("archived"))),
            "phases": dg.MetadataValue.table(records=phases, schema=PHASES_SCHEMA),
            FINGERPRINT: dg.MetadataValue.text(fingerprint(record)),
        },
    )


# -- only what changed ---------------------------------------------------------------------------


def _shown_fingerprint(instance: dg.DagsterInstance, run_id: str) -> str | None:
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=STATUS_KEY, asset_partitions=[run_id]), limit=1, ascending=False
    ).records
    materialization = records[0].asset_materialization if records else None
    value = materialization.metadata.get(FINGERPRINT) if materialization is not None else None
    return str(value.value) if value is not None else None


def _shown_verdicts(
    instance: dg.DagsterInstance, keys: Sequence[dg.AssetCheckKey], run_id: str
) -> dict[dg.AssetCheckKey, tuple[bool, dg.AssetCheckSeverity, str | None]]:
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(
        list(keys), partition_filter=PartitionKeyFilter(key=run_id)
    )
    shown = {}
    for key, execution in latest.items():
        evaluation = execution.evaluation
        # A check planned in a run that never executed it (a refused approval) shows no verdict.
        if isinstance(evaluation, dg.AssetCheckEvaluation):
            shown[key] = (evaluation.passed, evaluation.severity, evaluation.description)
    return shown


def status_event(instance: dg.DagsterInstance, record: Mapping[str, Any]) -> dg.AssetMaterialization | None:
    """The ``docs_run/status`` materialization of ``record``, unless the instance shows it already."""
    if record.get("status") == "Broken" or _shown_fingerprint(instance, record["run_id"]) == fingerprint(record):
        return None
    return status_materialization(record)


def check_events(instance: dg.DagsterInstance, record: Mapping[str, Any]) -> list[dg.AssetCheckEvaluation]:
    """The approval check evaluations of ``record`` that differ from the latest the instance shows."""
    run_id = record["run_id"]
    verdicts = [v for p in record.get("phases", []) for v in phase_verdicts(record, int(p["phase"]))]
    if not verdicts:
        return []
    shown = _shown_verdicts(instance, [v.key for v in verdicts], run_id)
    return [v.evaluation(run_id) for v in verdicts if shown.get(v.key) != (v.passed, v.severity, v.description)]


def report_checks(instance: dg.DagsterInstance, evaluations: Sequence[dg.AssetCheckEvaluation]) -> None:
    """Record check evaluations that belong to no Dagster run.

    Dagster 1.13 stores a runless evaluation of a partitioned check as a new row of
    ``asset_check_executions`` under a unique (check, run id "", partition) index, so a second
    runless evaluation of the same check and partition fails with an IntegrityError (SQLite and
    Postgres alike). The previous runless row is removed first: the evaluation events themselves
    stay in the event log, and evaluations made in runs (the approval's) are untouched.
    """
    storage = instance.event_log_storage
    for evaluation in evaluations:
        if isinstance(storage, SqlEventLogStorage) and evaluation.partition is not None:
            with storage.index_connection() as conn:
                conn.execute(
                    AssetCheckExecutionsTable.delete().where(
                        db.and_(
                            AssetCheckExecutionsTable.c.asset_key == evaluation.asset_key.to_string(),
                            AssetCheckExecutionsTable.c.check_name == evaluation.check_name,
                            AssetCheckExecutionsTable.c.run_id == RUNLESS_RUN_ID,
                            AssetCheckExecutionsTable.c.partition == evaluation.partition,
                        )
                    )
                )
        instance.report_runless_asset_event(evaluation)


def report_ui_events(instance: dg.DagsterInstance, record: Mapping[str, Any]) -> int:
    """Show what changed of ``record`` in the web UI (runless events); returns how many events."""
    if record.get("status") == "Broken":
        return 0
    status = status_event(instance, record)
    if status is not None:
        instance.report_runless_asset_event(status)
    checks = check_events(instance, record)
    report_checks(instance, checks)
    return len(checks) + (status is not None)
