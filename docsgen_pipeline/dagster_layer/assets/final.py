"""The last step: cross-validate the whole doc set, then write the bundle with its manifest."""

# No `from __future__ import annotations` here: Dagster reads the asset functions' parameter
# annotations at definition time to find config and resources, and needs real types.

from collections.abc import Iterator

import dagster as dg

from docsgen_pipeline.blueprint import Blueprint
from docsgen_pipeline.bundle import bundle_files
from docsgen_pipeline.compose import validation_context
from docsgen_pipeline.dagster_layer.keys import BUNDLE_KEY, CROSS_VALIDATION_KEY, approval_key
from docsgen_pipeline.dagster_layer.partitions import docs_runs
from docsgen_pipeline.dagster_layer.resources import ArtifactStoreResource
from docsgen_pipeline.dagster_layer.runtime import load_run, user_errors, version_metadata
from docsgen_pipeline.docs_run import BUNDLES, FINAL_ISSUES, FINAL_REPORT, REPORTS, DocsRun
from docsgen_pipeline.reports import GateResult, issue_table_markdown, outcomes
from docsgen_pipeline.validators.api import FILE_CHECKS, GATE_CHECKS, check_file, run_gate
from docsgen_pipeline.validators.model import Issue

CROSS_CHECKS = {f"all_{name}": rules for name, rules in {**FILE_CHECKS, **GATE_CHECKS}.items()}


def cross_validate(run: DocsRun) -> GateResult:
    ctx = validation_context(run, None)
    corpus = run.corpus()
    issues: list[Issue] = []
    for name, text in corpus.items():
        issues += check_file(name, text, ctx)
    issues += run_gate(corpus, corpus, ctx)
    return GateResult(
        title="Final cross-validation",
        scope=f"whole doc set ({len(corpus)} files)",
        checks=tuple(outcomes(issues, CROSS_CHECKS)),
        files=tuple(run.file_versions().values()),
    )


def build_final_assets(blueprint: Blueprint) -> list[dg.AssetsDefinition]:
    last = blueprint.phases[-1].number

    @dg.asset(
        key=CROSS_VALIDATION_KEY,
        deps=[approval_key(last)],
        partitions_def=docs_runs,
        group_name="final",
        code_version="1",
        description="Cross-validates every file of the doc set together and writes final-validation.md.",
        check_specs=[
            dg.AssetCheckSpec(name, asset=CROSS_VALIDATION_KEY, blocking=True, partitions_def=docs_runs) for name in CROSS_CHECKS
        ],
    )
    def cross_validation(context: dg.AssetExecutionContext, store: ArtifactStoreResource) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        with user_errors():
            run = load_run(context, store.get(), blueprint)
            result = cross_validate(run)
            report, _ = run.store.put(run.run_id, REPORTS, FINAL_REPORT, result.render(run.run_id), {"passed": result.passed})
            run.store.put(run.run_id, REPORTS, FINAL_ISSUES, result.issues_json(), {"passed": result.passed})
        yield dg.MaterializeResult(
            metadata={
                "passed": result.passed,
                "files": len(result.files),
                **version_metadata(report, run.store, run.run_id),
                "report": dg.MetadataValue.md(run.store.read_text(run.run_id, report)),
            },
            data_version=dg.DataVersion(report.sha256),
        )
        for check in result.checks:
            yield dg.AssetCheckResult(
                asset_key=CROSS_VALIDATION_KEY,
                check_name=check.name,
                passed=check.passed,
                severity=dg.AssetCheckSeverity.ERROR,
                metadata={"issues": dg.MetadataValue.md(issue_table_markdown(check.issues)), "count": len(check.issues)},
            )

    @dg.asset(
        key=BUNDLE_KEY,
        deps=[CROSS_VALIDATION_KEY],
        partitions_def=docs_runs,
        group_name="final",
        code_version="1",
        description="The bundle: every approved file, the validation reports and manifest.json.",
    )
    def bundle(context: dg.AssetExecutionContext, store: ArtifactStoreResource) -> dg.MaterializeResult:
        with user_errors():
            run = load_run(context, store.get(), blueprint)
            files, manifest = bundle_files(run)
            previous = sorted(run.store.run_dir(run.run_id).joinpath(BUNDLES).glob("v*/manifest.json"))
            latest = max(previous, key=lambda p: int(p.parent.name[1:]), default=None)
            if latest is not None and latest.read_bytes() == files["manifest.json"]:
                path, version = latest.parent, int(latest.parent.name[1:])
            else:
                path, version = run.store.write_tree(run.run_id, BUNDLES, files)
        table = "\n".join(f"| `{e['file']}` | {e['phase']} | v{e['version']} | `{e['sha256'][:12]}` |" for e in manifest["files"])
        return dg.MaterializeResult(
            metadata={
                "bundle_path": dg.MetadataValue.path(str(path)),
                "bundle_version": version,
                "files": len(manifest["files"]),
                "manifest_sha256": manifest["manifest_sha256"],
                "manifest": dg.MetadataValue.md("| File | Phase | Version | sha256 |\n| --- | --- | --- | --- |\n" + table),
            },
            data_version=dg.DataVersion(manifest["manifest_sha256"]),
        )

    return [cross_validation, bundle]
