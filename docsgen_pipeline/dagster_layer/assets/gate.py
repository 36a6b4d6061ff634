"""A phase's gate: the validation-report asset with partitioned, blocking gate checks."""
# No `from __future__ import annotations` in asset modules (Dagster reads real annotations).

from collections.abc import Iterator

import dagster as dg

from docsgen_pipeline.blueprint import Blueprint, Phase
from docsgen_pipeline.dagster_layer.assets.common import CODE_VERSION, check_description, check_result
from docsgen_pipeline.dagster_layer.keys import phase_group, validation_key
from docsgen_pipeline.dagster_layer.partitions import docs_runs
from docsgen_pipeline.dagster_layer.resources import ArtifactStoreResource
from docsgen_pipeline.dagster_layer.runtime import load_run, user_errors, version_metadata
from docsgen_pipeline.docs_run import issues_name, report_name
from docsgen_pipeline.gate import run_phase_gate, write_phase_report
from docsgen_pipeline.validators.api import GATE_CHECKS


def build_gate_asset(blueprint: Blueprint, phase: Phase, file_asset_keys: list[dg.AssetKey]) -> dg.AssetsDefinition:
    number = phase.number
    key = validation_key(number)

    @dg.asset(
        key=key,
        deps=file_asset_keys,
        partitions_def=docs_runs,
        group_name=phase_group(phase),
        code_version=CODE_VERSION,
        kinds={"markdown", "json"},
        description=(
            f"{report_name(number)} — phase {number} ({phase.title}) gate: every rule over the phase's files, "
            f"links resolved against earlier phases. Writes {report_name(number)} and {issues_name(number)}; "
            "a failing check blocks the approval."
        ),
        check_specs=[
            dg.AssetCheckSpec(
                name,
                asset=key,
                blocking=True,
                partitions_def=docs_runs,
                description=check_description(name, rules, blueprint.severity, f"Phase {number} ({phase.title}): "),
            )
            for name, rules in GATE_CHECKS.items()
        ],
    )
    def validation(
        context: dg.AssetExecutionContext, store: ArtifactStoreResource
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        with user_errors():
            run = load_run(context, store.get(), blueprint)
            result = run_phase_gate(run, phase)
            report = write_phase_report(run, number, result)
        yield dg.MaterializeResult(
            metadata={
                "passed": result.passed,
                "errors": sum(len(c.errors) for c in result.checks),
                "repairs": len(result.repairs),
                **version_metadata(report, run.store, run.run_id),
                "report": dg.MetadataValue.md(run.store.read_text(run.run_id, report)),
                "file_versions": dg.MetadataValue.json({f.name: f.version for f in result.files}),
            },
            data_version=dg.DataVersion(report.sha256),
        )
        for check in result.checks:
            if check.name in GATE_CHECKS:
                yield check_result(key, check, report=report_name(number))

    return validation
