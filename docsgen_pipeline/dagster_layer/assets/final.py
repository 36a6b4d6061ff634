"""The last step: cross-validate the whole doc set, then write the bundle with its manifest."""

# No `from __future__ import annotations` here: Dagster reads the asset functions' parameter
# annotations at definition time to find config and resources, and needs real types.

from collections.abc import Iterator

import dagster as dg

from docsgen_pipeline.blueprint import Blueprint
from docsgen_pipeline.bundle import bundle_files
from docsgen_pipeline.dagster_layer.assets.common import check_description, check_result
from docsgen_pipeline.dagster_layer.keys import BUNDLE_KEY, CROSS_VALIDATION_KEY, FINAL_GROUP, approval_key
from docsgen_pipeline.dagster_layer.partitions import docs_runs
from docsgen_pipeline.dagster_layer.resources import ArtifactStoreResource
from docsgen_pipeline.dagster_layer.runtime import load_run, user_errors, version_metadata
from docsgen_pipeline.docs_run import BUNDLES, FINAL_ISSUES, FINAL_REPORT
from docsgen_pipeline.gate import CROSS_CHECKS, cross_validate, write_final_report


def build_final_assets(blueprint: Blueprint) -> list[dg.AssetsDefinition]:
    last = blueprint.phases[-1].number

    @dg.asset(
        key=CROSS_VALIDATION_KEY,
        deps=[approval_key(last)],
        partitions_def=docs_runs,
        group_name=FINAL_GROUP,
        code_version="1",
        kinds={"markdown", "json"},
        description=(
            f"{FINAL_REPORT} — cross-validates every file of the doc set together (nothing is 'planned for later' "
            f"any more) and writes {FINAL_REPORT} and {FINAL_ISSUES}; a failing check blocks the bundle."
        ),
        check_specs=[
            dg.AssetCheckSpec(
                name,
                asset=CROSS_VALIDATION_KEY,
                blocking=True,
                partitions_def=docs_runs,
                description=check_description(name, rules, blueprint.severity, "Whole doc set: "),
            )
            for name, rules in CROSS_CHECKS.items()
        ],
    )
    def cross_validation(
        context: dg.AssetExecutionContext, store: ArtifactStoreResource
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        with user_errors():
            run = load_run(context, store.get(), blueprint)
            result = cross_validate(run)
            report = write_final_report(run, result)
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
            yield check_result(CROSS_VALIDATION_KEY, check, report=FINAL_REPORT)

    @dg.asset(
        key=BUNDLE_KEY,
        deps=[CROSS_VALIDATION_KEY],
        partitions_def=docs_runs,
        group_name=FINAL_GROUP,
        code_version="1",
        kinds={"markdown", "json", "mkdocs"},
        description=(
            "bundles/vN — the bundle: every approved file, the validation reports, manifest.json and "
            "publish/mkdocs.yml; a new version only when something changed."
        ),
    )
    def bundle(context: dg.AssetExecutionContext, store: ArtifactStoreResource) -> dg.MaterializeResult:
        with user_errors():
            run = load_run(context, store.get(), blueprint)
            files, manifest = bundle_files(run)
            previous = sorted(run.store.tree_base(run.run_id, BUNDLES).glob("v*/manifest.json"))
            latest = max(previous, key=lambda p: int(p.parent.name[1:]), default=None)
            if latest is not None and latest.read_bytes() == files["manifest.json"]:
                path, version = latest.parent, int(latest.parent.name[1:])
            else:
                path, version = run.store.write_tree(run.run_id, BUNDLES, files)
        table = "\n".join(
            f"| `{e['file']}` | {e['phase']} | v{e['version']} | `{e['sha256'][:12]}` |" for e in manifest["files"]
        )
        return dg.MaterializeResult(
            metadata={
                "bundle_path": dg.MetadataValue.path(str(path)),
                "bundle_version": version,
                "files": len(manifest["files"]),
                "manifest_sha256": manifest["manifest_sha256"],
                "manifest": dg.MetadataValue.md(
                    "| File | Phase | Version | sha256 |\n| --- | --- | --- | --- |\n" + table
                ),
            },
            data_version=dg.DataVersion(manifest["manifest_sha256"]),
        )

    return [cross_validation, bundle]
