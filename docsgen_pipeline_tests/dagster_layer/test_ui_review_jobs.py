"""The UI's review jobs (reject_phase, regenerate_files, approve_phase) executed on a real instance.

Each job is launched as the Launchpad would (job + op config), runs the real phase jobs in-process,
and refuses bad input with one line that names the Launchpad fix and the CLI command.
"""

from __future__ import annotations

import dagster as dg
import pytest

from docsgen_pipeline.blueprint import default_blueprint
from docsgen_pipeline.dagster_layer.definitions import build_definitions
from docsgen_pipeline.dagster_layer.execute import ensure_partition, execute_phase
from docsgen_pipeline.dagster_layer.facts import FEEDBACK_LOG, collect
from docsgen_pipeline.dagster_layer.partitions import RUN_TAG
from docsgen_pipeline.dagster_layer.ui_jobs import ACTION_TAG, APPROVE_JOB, REGENERATE_JOB, REJECT_JOB
from docsgen_pipeline.docs_run import DocsRun
from docsgen_pipeline.lifecycle import Status, derive
from docsgen_pipeline.regeneration import regenerations
from docsgen_pipeline_tests.conftest import Home

RUN = "review-1"


def launch(
    defs: dg.Definitions, instance: dg.DagsterInstance, job: str, config: dict[str, object]
) -> dg.ExecuteInProcessResult:
    """Launch a UI job as the Launchpad does: its one op's config, nothing else."""
    return defs.resolve_job_def(job).execute_in_process(
        instance=instance, run_config={"ops": {f"{job}_op": {"config": config}}}, raise_on_error=False
    )


def refusal(result: dg.ExecuteInProcessResult) -> str:
    """The step failure's description, as the UI shows it."""
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    assert failure.step_failure_data is not None and failure.step_failure_data.user_failure_data is not None
    description = failure.step_failure_data.user_failure_data.description
    assert description is not None
    return description


def assert_one_line_with_both_fixes(message: str, job: str, command: str) -> None:
    assert "\n" not in message and "Traceback" not in message, message
    assert f"launch job {job}" in message, message
    assert command in message, message


@pytest.fixture
def interactive(docsgen_home: Home) -> tuple[dg.Definitions, dg.DagsterInstance]:
    docsgen_home.register(RUN, review_mode="interactive")
    defs = build_definitions(default_blueprint(), docsgen_home.store.root)
    instance = docsgen_home.instance()
    ensure_partition(instance, RUN)
    assert execute_phase(defs, instance, RUN, 0).success
    return defs, instance


def test_reject_with_a_note_then_regenerate_with_feedback(
    docsgen_home: Home, interactive: tuple[dg.Definitions, dg.DagsterInstance]
) -> None:
    defs, instance = interactive
    store = docsgen_home.store
    root = DocsRun.load(store, RUN).filenames["root"]

    empty = refusal(launch(defs, instance, REJECT_JOB, {"docs_run": RUN, "note": "  "}))
    assert_one_line_with_both_fixes(empty, REJECT_JOB, f"docsgen reject {RUN} --phase 0 --note TEXT")
    assert store.events(RUN, FEEDBACK_LOG) == []  # a refusal records nothing

    rejected = launch(defs, instance, REJECT_JOB, {"docs_run": RUN, "note": "Name the audit trail."})
    assert rejected.success
    [event] = store.events(RUN, FEEDBACK_LOG)
    assert (event["phase"], event["round"], event["note"], event["by"]) == (0, 1, "Name the audit trail.", "dagster-ui")
    run = DocsRun.load(store, RUN)
    assert run.latest_file("root") is not None and run.latest_file("root").version == 2  # type: ignore[union-attr]
    [record] = regenerations(store, RUN, "root")
    assert (record.reason, record.feedback, record.new_version) == ("reject", "Name the audit trail.", 2)
    # The nested run that rewrote the files carries docsgen/run; the action run is tagged as acting on it.
    nested = instance.get_run_by_id(record.dagster_run_id)
    assert nested is not None and nested.tags[RUN_TAG] == RUN
    action = instance.get_run_by_id(rejected.run_id)
    assert action is not None and action.tags[ACTION_TAG] == RUN and RUN_TAG not in action.tags
    state = derive(collect(instance, store, RUN))
    assert (state.status, state.phase) == (Status.AWAITING_APPROVAL, 0)

    no_approver = refusal(launch(defs, instance, APPROVE_JOB, {"docs_run": RUN, "approver": ""}))
    assert_one_line_with_both_fixes(no_approver, APPROVE_JOB, f"docsgen approve {RUN} --by NAME")
    assert launch(defs, instance, APPROVE_JOB, {"docs_run": RUN, "approver": "ana"}).success

    both = refusal(launch(defs, instance, REGENERATE_JOB, {"docs_run": RUN, "files": [root], "phase": 0}))
    assert_one_line_with_both_fixes(both, REGENERATE_JOB, f"docsgen regenerate {RUN} --file NAME")
    unknown = refusal(launch(defs, instance, REGENERATE_JOB, {"docs_run": RUN, "files": ["nope.md"]}))
    assert "nope.md" in unknown and "\n" not in unknown and "docsgen run BRIEF" in unknown and "launch job" in unknown

    feedback = "Say who owns refunds."
    regenerated = launch(defs, instance, REGENERATE_JOB, {"docs_run": RUN, "files": [root], "feedback": feedback})
    assert regenerated.success
    latest = regenerations(store, RUN, "root")[-1]
    assert (latest.previous_version, latest.new_version, latest.feedback, latest.reason) == (2, 3, feedback, "feedback")
    # The approval no longer covers the rewritten file: phase 0 is under review again.
    state = derive(collect(instance, store, RUN))
    assert (state.status, state.phase) == (Status.AWAITING_APPROVAL, 0)
    assert "approve again" in state.detail


def test_refusals_of_a_run_that_cannot_be_revised(docsgen_home: Home) -> None:
    defs = build_definitions(default_blueprint(), docsgen_home.store.root)
    instance = docsgen_home.instance()
    unknown = refusal(launch(defs, instance, REJECT_JOB, {"docs_run": "ghost-1", "note": "x"}))
    assert_one_line_with_both_fixes(unknown, "start_docs_run", "docsgen run BRIEF --run-id ghost-1")
    docsgen_home.register(RUN, review_mode="interactive")
    ensure_partition(instance, RUN)
    # Nothing generated yet: no phase is under review.
    early = refusal(launch(defs, instance, REJECT_JOB, {"docs_run": RUN, "note": "x"}))
    assert_one_line_with_both_fixes(early, REJECT_JOB, f"docsgen reject {RUN} --phase N --note TEXT")
    not_yet = refusal(launch(defs, instance, REGENERATE_JOB, {"docs_run": RUN, "phase": 2}))
    assert "has not been generated yet" in not_yet and f"launch job {REGENERATE_JOB}" in not_yet
