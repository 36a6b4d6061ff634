"""A phase's approval asset: the recorded decision that phase N may advance."""
# No `from __future__ import annotations` in asset modules (Dagster reads real annotations).

import json

import dagster as dg
from pydantic import Field

from docsgen_pipeline.blueprint import Blueprint, Phase
from docsgen_pipeline.dagster_layer.assets.common import CODE_VERSION
from docsgen_pipeline.dagster_layer.facts import collect
from docsgen_pipeline.dagster_layer.keys import approval_key, phase_group, validation_key
from docsgen_pipeline.dagster_layer.partitions import docs_runs
from docsgen_pipeline.dagster_layer.resources import ArtifactStoreResource
from docsgen_pipeline.dagster_layer.runtime import load_run, user_errors, version_metadata
from docsgen_pipeline.docs_run import APPROVALS, approval_name
from docsgen_pipeline.errors import LifecycleError
from docsgen_pipeline.lifecycle import approval_refusal
from docsgen_pipeline.store import utc_now


class ApprovalConfig(dg.Config):
    """Who approves this phase (interactive review) and why."""

    approver: str = Field(default="", description="your name; required in interactive review mode")
    note: str = Field(default="", description="optional note kept with the approval")


def build_approval_asset(blueprint: Blueprint, phase: Phase) -> dg.AssetsDefinition:
    number = phase.number

    @dg.asset(
        key=approval_key(number),
        deps=[validation_key(number)],
        partitions_def=docs_runs,
        group_name=phase_group(phase),
        code_version=CODE_VERSION,
        kinds={"json"},
        description=(
            f"{approval_name(number)} — approval of phase {number} ({phase.title}): who, when, and which file "
            "versions it covers (materialize it, or the approve_phase job, to approve)."
        ),
    )
    def approval(
        context: dg.AssetExecutionContext, config: ApprovalConfig, store: ArtifactStoreResource
    ) -> dg.MaterializeResult:
        with user_errors():
            run = load_run(context, store.get(), blueprint)
            # count_lock=False: under `docsgen approve` the approving CLI holds the lock itself.
            facts = collect(
                context.instance, run.store, run.run_id, exclude_dagster_run=context.run.run_id, count_lock=False
            )
            refusal = approval_refusal(facts, number)
            if refusal is not None:
                raise LifecycleError(f"approval refused: {refusal}")
            approver = config.approver.strip()
            if not approver:
                if run.registration.review_mode == "interactive":
                    raise dg.Failure(
                        description=(
                            f"phase {number} of '{run.run_id}' awaits a human approval: "
                            f"docsgen approve {run.run_id} --phase {number} --by NAME"
                        )
                    )
                approver = "batch"
            covered = {
                r.name: {"version": r.version, "sha256": r.sha256}
                for r in run.file_versions([f.key for f in phase.files]).values()
            }
            payload = {
                "phase": number,
                "approver": approver,
                "approved_at": utc_now(),
                "note": config.note,
                "files": covered,
                "dagster_run_id": context.run.run_id,
            }
            record, _ = run.store.put(
                run.run_id, APPROVALS, approval_name(number), json.dumps(payload, indent=2, sort_keys=True)
            )
        return dg.MaterializeResult(
            metadata={
                "approver": approver,
                "note": config.note,
                "files": dg.MetadataValue.json(covered),
                **version_metadata(record, run.store, run.run_id),
            },
            data_version=dg.DataVersion(record.sha256),
        )

    return approval
