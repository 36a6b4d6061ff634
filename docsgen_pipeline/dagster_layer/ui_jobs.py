"""Typed jobs for the Dagster UI: each action a Launchpad form (``Config`` fields with descriptions).

"Scaffold missing config" on these jobs writes a complete, commented form; nobody types op names.

- ``start_docs_run``: validate a brief (a path on the Dagster host, or pasted text) and queue it; the
  inbox sensor registers the docs run, adds its partition and launches phase 0 (interactive) or
  the whole batch within seconds — the same path as ``docsgen submit``.
- ``approve_phase``: approve the phase awaiting approval; the advance sensor then starts the next one.
- ``remove_docs_run_partition``: remove a ``docs_runs`` partition no docs run uses (a mistyped
  "Add partition"); registered docs runs are kept (cancel them instead).

Like ``cancel_docs_run``, these runs carry no ``docsgen/run`` tag, so the per-docs-run queue limit
never holds them behind the run they act on; the approval they record runs in-process in this step.
"""

# No `from __future__ import annotations`: Dagster reads the ops' config/resource annotations.

from collections.abc import Callable
from pathlib import Path
from typing import Literal

import dagster as dg
from pydantic import Field

from docsgen_pipeline.brief import guess_format, parse_brief_text
from docsgen_pipeline.dagster_layer.execute import approve_phase
from docsgen_pipeline.dagster_layer.facts import collect
from docsgen_pipeline.dagster_layer.partitions import DOCS_RUNS, REQUESTED_BY_TAG
from docsgen_pipeline.dagster_layer.resources import ArtifactStoreResource
from docsgen_pipeline.dagster_layer.runtime import user_errors
from docsgen_pipeline.errors import BriefError, LifecycleError
from docsgen_pipeline.inbox import Inbox, inbox_dir, run_id_for
from docsgen_pipeline.lifecycle import Status, approval_refusal, derive, next_action
from docsgen_pipeline.locks import execution_lock
from docsgen_pipeline.store import RUN_ID_RE, validate_run_id

START_JOB = "start_docs_run"
APPROVE_JOB = "approve_phase"
REMOVE_PARTITION_JOB = "remove_docs_run_partition"
UI_TAG = "dagster-ui"


class StartConfig(dg.Config):
    """The brief of the docs run to start: a file on the Dagster host, or the brief pasted as text."""

    brief_path: str = Field(
        default="", description="path of a brief file (YAML or Markdown) on the Dagster host; or use brief_text"
    )
    brief_text: str = Field(
        default="",
        description="the brief pasted as text (YAML, or Markdown starting with '#'); use a YAML block: |",
    )
    review_mode: Literal["brief", "interactive", "batch"] = Field(
        default="brief",
        description="interactive: a person approves each phase (approve_phase job); batch: gates approve; "
        "brief: what the brief says",
    )
    submitted_by: str = Field(default=UI_TAG, description="your name (kept with the request)")


def read_brief(config: StartConfig) -> tuple[bytes, str, Literal["yaml", "markdown"]]:
    """The brief's bytes, where it came from and its format; a BriefError says what to fill in."""
    if bool(config.brief_path.strip()) == bool(config.brief_text.strip()):
        raise BriefError("start_docs_run: give exactly one of brief_path or brief_text in the Launchpad config")
    if config.brief_path.strip():
        path = Path(config.brief_path.strip()).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise BriefError(f"{path}: cannot read brief: {exc.strerror or exc}") from None
        source = str(path)
    else:
        text, source = config.brief_text, "Launchpad brief_text"
    fmt = guess_format(source, text)
    return text.encode("utf-8"), source, fmt


@dg.op(name="start_docs_run_op")
def _start_op(context: dg.OpExecutionContext, config: StartConfig) -> None:
    with user_errors():
        data, source, fmt = read_brief(config)
        brief = parse_brief_text(data.decode("utf-8"), source, fmt)
        inbox = Inbox(inbox_dir())
        mode = None if config.review_mode == "brief" else config.review_mode
        request, created = inbox.submit(data, source, brief_format=fmt, review_mode=mode, by=config.submitted_by)
    run_id = run_id_for(brief.slug, request.sha)
    if created:
        context.log.info(
            f"queued request {request.id}: docs run {run_id} starts within seconds (inbox_sensor); "
            f"follow it under Assets > docs_run > status, partition {run_id}"
        )
    else:
        context.log.warning(
            f"this brief was requested before (request {request.id}, {request.status}, "
            f"docs run {request.run_id or run_id}); "
            "nothing new is started: edit the brief to start another docs run"
        )


class ApproveConfig(dg.Config):
    """Approve a phase whose gate passed; the advance sensor then starts the next phase."""

    docs_run: str = Field(description="the docs-run id (the docs_runs partition key)")
    approver: str = Field(description="your name (recorded with the approval); required")
    phase: int = Field(default=-1, ge=-1, description="phase to approve; -1: the phase awaiting approval")
    note: str = Field(default="", description="optional note kept with the approval")


def build_approve_job(defs: Callable[[], dg.Definitions]) -> dg.JobDefinition:
    @dg.op(name="approve_phase_op")
    def approve_op(context: dg.OpExecutionContext, config: ApproveConfig, store: ArtifactStoreResource) -> None:
        artifacts = store.get()
        run_id = config.docs_run.strip()
        with user_errors():
            if not config.approver.strip():
                raise LifecycleError("approve_phase: fill in approver (your name) in the Launchpad config")
            artifacts.registration(validate_run_id(run_id))
            with execution_lock(artifacts, run_id, "approve_phase (Dagster UI)"):
                # count_lock=False: this step holds the docs run's execution lock itself.
                facts = collect(context.instance, artifacts, run_id, count_lock=False)
                state = derive(facts)
                number = state.phase if config.phase < 0 else config.phase
                if config.phase < 0 and state.status is not Status.AWAITING_APPROVAL:
                    raise LifecycleError(
                        f"docs run '{run_id}' has no phase awaiting approval (status {state.status.value}, "
                        f"phase {state.phase_label()}: {state.detail}); next: {next_action(state, run_id)}"
                    )
                refusal = approval_refusal(facts, number)
                if refusal is not None:
                    raise LifecycleError(f"approval refused: {refusal}")
                outcome = approve_phase(
                    defs(),
                    context.instance,
                    run_id,
                    number,
                    approver=config.approver.strip(),
                    note=config.note,
                    tags={REQUESTED_BY_TAG: UI_TAG},
                )
                if not outcome.success:
                    raise LifecycleError(outcome.failure)
        context.log.info(
            f"phase {number} of {run_id} approved by {config.approver.strip()} (Dagster run {outcome.dagster_run_id}); "
            "the advance sensor starts the next step"
        )

    @dg.job(
        name=APPROVE_JOB,
        description="Approve a docs run's phase (interactive review); the next phase then starts. "
        "CLI: docsgen approve RUN --by NAME",
    )
    def approve_job() -> None:
        approve_op()

    return approve_job


class RemovePartitionConfig(dg.Config):
    """A docs_runs partition that no docs run uses (for example one added by hand with a bad name)."""

    partition: str = Field(description="the partition key to remove, exactly as listed under docs_runs")


@dg.op(name="remove_docs_run_partition_op")
def _remove_partition_op(
    context: dg.OpExecutionContext, config: RemovePartitionConfig, store: ArtifactStoreResource
) -> None:
    key = config.partition
    with user_errors():
        if not context.instance.has_dynamic_partition(DOCS_RUNS, key):
            raise LifecycleError(f"there is no docs_runs partition {key!r}")
        if RUN_ID_RE.match(key) and store.get().has_run(key):
            raise LifecycleError(
                f"docs run '{key}' is registered and keeps its artifacts: cancel it instead "
                f"(cancel_docs_run job, or docsgen cancel {key})"
            )
    context.instance.delete_dynamic_partition(DOCS_RUNS, key)
    context.log.info(f"removed the unused docs_runs partition {key!r}")


def build_remove_partition_job() -> dg.JobDefinition:
    @dg.job(
        name=REMOVE_PARTITION_JOB,
        description="Remove a docs_runs partition that no docs run uses (a mistyped or invalid name).",
    )
    def remove_partition_job() -> None:
        _remove_partition_op()

    return remove_partition_job


def build_start_job() -> dg.JobDefinition:
    @dg.job(
        name=START_JOB,
        description="Start a docs run from a brief (path or pasted text): interactive runs wait for "
        "approve_phase after each phase. CLI: docsgen run BRIEF",
    )
    def start_job() -> None:
        _start_op()

    return start_job


def build_ui_jobs(defs: Callable[[], dg.Definitions]) -> list[dg.JobDefinition]:
    return [build_start_job(), build_approve_job(defs), build_remove_partition_job()]
