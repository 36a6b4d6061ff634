"""Typed jobs for the Dagster UI: each action a Launchpad form (``Config`` fields with descriptions).

"Scaffold missing config" on these jobs writes a complete, commented form; nobody types op names.

- ``start_docs_run``: validate a brief (a path on the Dagster host, or pasted text) and queue it; the
  inbox sensor registers the docs run, adds its partition and launches phase 0 (interactive) or
  the whole batch within seconds — the same path as ``docsgen submit``.
- ``approve_phase``: approve the phase awaiting approval; the advance sensor then starts the next one.
- ``reject_phase``: record feedback on a phase (a revision round) and regenerate its files, or the
  listed ones, with it, then gate them again — ``docsgen reject``.
- ``regenerate_files``: rewrite chosen files (or a whole phase) with optional feedback and gate them
  again — ``docsgen regenerate``; once every phase is approved again, ``advance_sensor`` rebuilds the
  final cross-validation and the bundle.
- ``remove_docs_run_partition``: remove a ``docs_runs`` partition no docs run uses (a mistyped
  "Add partition"); registered docs runs are kept (cancel them instead).

Refusals are one line naming both the Launchpad fix and the CLI command (:func:`ui_errors`).

Tags: the Dagster runs these actions execute in-process (the approval, the regenerated files and
their gate) carry ``docsgen/run=<id>`` like every docs-run run. The action run itself (like
``cancel_docs_run``) does not: the per-docs-run queue limit would hold it behind the very run it
acts on (an action is often launched while a phase still runs, and cancel exists to stop one), and
a refused action would count as a failed step of the docs run. It is tagged ``docsgen/action_on=<id>``
once it starts, so filtering *Runs* by that tag lists every action taken on a docs run.
"""

# No `from __future__ import annotations`: Dagster reads the ops' config/resource annotations.

from collections.abc import Callable
from pathlib import Path
from typing import Literal

import dagster as dg
from pydantic import Field

from docsgen_pipeline.brief import guess_format, parse_brief_text
from docsgen_pipeline.dagster_layer.execute import approve_phase
from docsgen_pipeline.dagster_layer.facts import IN_PROCESS_TAG, collect
from docsgen_pipeline.dagster_layer.locking import execution_lock
from docsgen_pipeline.dagster_layer.partitions import DOCS_RUNS, REQUESTED_BY_TAG
from docsgen_pipeline.dagster_layer.resources import ArtifactStoreResource
from docsgen_pipeline.dagster_layer.revisions import reapprove_if_batch, regenerate_run, reject_phase
from docsgen_pipeline.dagster_layer.runtime import ui_errors, user_errors
from docsgen_pipeline.docs_run import DocsRun
from docsgen_pipeline.errors import BriefError, LifecycleError, RunIdError
from docsgen_pipeline.inbox import Inbox, inbox_dir, run_id_for
from docsgen_pipeline.lifecycle import Status, approval_refusal, derive, next_action
from docsgen_pipeline.regeneration import FEEDBACK, REGENERATE, RESUME, resolve_targets
from docsgen_pipeline.store import RUN_ID_RE, ArtifactStore, validate_run_id
from docsgen_pipeline.ui_hints import APPROVE_JOB, REGENERATE_JOB, REJECT_JOB, START_JOB

REMOVE_PARTITION_JOB = "remove_docs_run_partition"
UI_TAG = "dagster-ui"
# Set on an action run once it knows its docs run (see the module docstring: not docsgen/run).
ACTION_TAG = "docsgen/action_on"
# The Dagster runs an action executes in this step's process: if the process dies, they are not in flight.
NESTED_TAGS = {IN_PROCESS_TAG: "docsgen-ui-job"}

__all__ = ["ACTION_TAG", "APPROVE_JOB", "REGENERATE_JOB", "REJECT_JOB", "REMOVE_PARTITION_JOB", "START_JOB"]


def acting_on(context: dg.OpExecutionContext, store: ArtifactStore, docs_run: str) -> str:
    """The validated, registered docs-run id an action targets; tags the action run with it."""
    run_id = validate_run_id(docs_run.strip())
    store.registration(run_id)  # an unknown docs run fails with how to register one
    context.instance.add_run_tags(context.run_id, {ACTION_TAG: run_id})
    return run_id


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
    run_id: str = Field(
        default="",
        description="docs-run id to use (1-63 lower-case letters, digits and '-', starting with a letter or "
        "digit; it becomes the docs_runs partition); empty: <project slug>-<first 8 of the brief's sha256>",
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
def _start_op(context: dg.OpExecutionContext, config: StartConfig, store: ArtifactStoreResource) -> None:
    with ui_errors("docsgen run BRIEF --review interactive [--run-id ID]"):
        data, source, fmt = read_brief(config)
        brief = parse_brief_text(data.decode("utf-8"), source, fmt)
        chosen = config.run_id.strip() or None
        if chosen is not None and store.get().has_run(validate_run_id(chosen)):
            raise RunIdError(
                f"docs run '{chosen}' exists already: choose another run_id, or leave it empty for "
                f"<slug>-<sha8>; to change that run use regenerate_files or reject_phase"
            )
        inbox = Inbox(inbox_dir())
        mode = None if config.review_mode == "brief" else config.review_mode
        request, created = inbox.submit(
            data, source, brief_format=fmt, review_mode=mode, by=config.submitted_by, run_id=chosen
        )
    run_id = chosen or run_id_for(brief.slug, request.sha)
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
        with ui_errors(f"docsgen approve {run_id or 'RUN'} --by NAME"):
            if not config.approver.strip():
                raise LifecycleError(
                    f"approve_phase: fill in approver (your name); CLI: docsgen approve {run_id or 'RUN'} --by NAME"
                )
            run_id = acting_on(context, artifacts, run_id)
            with execution_lock(context.instance, artifacts, run_id, "approve_phase (Dagster UI)"):
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
                    tags={**NESTED_TAGS, REQUESTED_BY_TAG: UI_TAG},
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


class RejectConfig(dg.Config):
    """Send a phase back with feedback: its files (or the listed ones) are rewritten with it and gated again."""

    docs_run: str = Field(description="the docs-run id (the docs_runs partition key)")
    note: str = Field(
        description="what to change (required): kept in the docs run's feedback log and passed to the writer "
        "with every earlier round's feedback; never pasted into a page"
    )
    phase: int = Field(
        default=-1, ge=-1, description="phase to reject; -1: the phase under review (awaiting approval or failed)"
    )
    files: list[str] = Field(
        default=[],
        description="files of that phase to rewrite (file name, key or asset key, e.g. acme-04-requirements.md); "
        "empty: every file of the phase",
    )
    by: str = Field(default=UI_TAG, description="your name (recorded with the feedback)")
    max_rounds: int = Field(
        default=0,
        ge=0,
        description="revision rounds allowed per phase; 0: the default (3, or $DOCSGEN_MAX_REVISION_ROUNDS)",
    )


def _log_state(context: dg.OpExecutionContext, store: ArtifactStore, run_id: str) -> None:
    state = derive(collect(context.instance, store, run_id))
    context.log.info(f"{run_id}: {state.status.value}, phase {state.phase_label()}; next: {next_action(state, run_id)}")


def _phase_under_review(context: dg.OpExecutionContext, store: ArtifactStore, run_id: str, phase: int) -> int:
    if phase >= 0:
        return phase
    state = derive(collect(context.instance, store, run_id, count_lock=False))
    if state.status in (Status.AWAITING_APPROVAL, Status.FAILED) and not state.at_final:
        return state.phase
    raise LifecycleError(
        f"docs run '{run_id}' has no phase under review (status {state.status.value}, phase "
        f"{state.phase_label()}: {state.detail}); set phase: docsgen reject {run_id} --phase N --note TEXT"
    )


def build_reject_job(defs: Callable[[], dg.Definitions]) -> dg.JobDefinition:
    @dg.op(name="reject_phase_op")
    def reject_op(context: dg.OpExecutionContext, config: RejectConfig, store: ArtifactStoreResource) -> None:
        artifacts = store.get()
        run_id = config.docs_run.strip()
        with ui_errors(f"docsgen reject {run_id or 'RUN'} --phase N --note TEXT"):
            run_id = acting_on(context, artifacts, run_id)
            run = DocsRun.load(artifacts, run_id)
            with execution_lock(context.instance, artifacts, run_id, "reject_phase (Dagster UI)"):
                phase = _phase_under_review(context, artifacts, run_id, config.phase)
                by = config.by.strip() or UI_TAG
                rejection = reject_phase(
                    context.instance,
                    defs(),
                    run,
                    phase,
                    config.note,
                    config.files,
                    by,
                    max_rounds=config.max_rounds or None,
                    tags=NESTED_TAGS,
                )
                context.log.info(
                    f"phase {phase} of {run_id}: revision round {rejection.round} of {rejection.limit} recorded "
                    f"(Dagster run {rejection.outcome.dagster_run_id})"
                )
                if not rejection.outcome.success:
                    raise LifecycleError(
                        f"phase {phase} of '{run_id}' was rewritten with the feedback but did not pass its gate "
                        f"({rejection.outcome.failure}); read phase{phase}/validation, then "
                        f"docsgen reject {run_id} --phase {phase} --note TEXT"
                    )
                approval = reapprove_if_batch(
                    run,
                    phase,
                    f"re-approved after revision round {rejection.round}",
                    instance=context.instance,
                    defs=defs(),
                    tags=NESTED_TAGS,
                )
                if approval is not None and not approval.success:
                    raise LifecycleError(approval.failure)
        _log_state(context, artifacts, run_id)

    @dg.job(
        name=REJECT_JOB,
        description="Reject a docs run's phase with feedback (note): its files are rewritten with it and gated "
        "again, then the phase awaits approval. CLI: docsgen reject RUN --phase N --note TEXT",
    )
    def reject_job() -> None:
        reject_op()

    return reject_job


class RegenerateConfig(dg.Config):
    """Rewrite chosen files of a docs run (only they call the agent), then gate them again."""

    docs_run: str = Field(description="the docs-run id (the docs_runs partition key)")
    files: list[str] = Field(
        default=[],
        description="planned files to rewrite (file name, key or asset key, e.g. acme-04-requirements.md); "
        "or leave empty and set phase",
    )
    phase: int = Field(
        default=-1, ge=-1, description="-1: only the listed files; N: every file of phase N (re-plans the phase too)"
    )
    feedback: str = Field(
        default="", description="what the writer should change (kept, and passed again on later regenerations)"
    )
    reason: str = Field(
        default="", description="why, recorded with each new version; empty: feedback (with feedback) or regenerate"
    )
    by: str = Field(default=UI_TAG, description="your name (recorded with each new version)")


def regeneration_reason(reason: str, feedback: str, run_id: str) -> str:
    why = reason.strip() or (FEEDBACK if feedback.strip() else REGENERATE)
    if why == RESUME:
        raise LifecycleError(
            f"reason 'resume' is reserved for resuming a docs run; give another reason "
            f"(docsgen regenerate {run_id} --file NAME --reason TEXT)"
        )
    return why


def build_regenerate_job(defs: Callable[[], dg.Definitions]) -> dg.JobDefinition:
    @dg.op(name="regenerate_files_op")
    def regenerate_op(context: dg.OpExecutionContext, config: RegenerateConfig, store: ArtifactStoreResource) -> None:
        artifacts = store.get()
        run_id = config.docs_run.strip()
        with ui_errors(f"docsgen regenerate {run_id or 'RUN'} --file NAME"):
            run_id = acting_on(context, artifacts, run_id)
            files = [f.strip() for f in config.files if f.strip()]
            if bool(files) == (config.phase >= 0):
                raise LifecycleError(
                    "regenerate_files: fill in files (file names) or phase (a phase number), not both; "
                    f"CLI: docsgen regenerate {run_id} --file NAME"
                )
            run = DocsRun.load(artifacts, run_id)
            targets = resolve_targets(run, files, config.phase if config.phase >= 0 else None)
            why = regeneration_reason(config.reason, config.feedback, run_id)
            with execution_lock(context.instance, artifacts, run_id, "regenerate_files (Dagster UI)"):
                summary = regenerate_run(
                    run,
                    targets,
                    instance=context.instance,
                    defs=defs(),
                    requested_by=config.by.strip() or UI_TAG,
                    reason=why,
                    feedback=config.feedback.strip(),
                    tags=NESTED_TAGS,
                    finish=False,  # advance_sensor rebuilds the final step once every phase is approved again
                )
            for entry in summary["phases"]:
                for record in entry["files"]:
                    change = (
                        f"v{record['previous_version']} -> v{record['new_version']}"
                        if record["changed"]
                        else f"unchanged (identical text, still v{record['new_version']})"
                    )
                    context.log.info(f"{record['file']}: {change}")
                if not entry["gate_passed"]:
                    raise LifecycleError(
                        f"phase {entry['phase']} of '{run_id}' was rewritten but did not pass its gate "
                        f"({entry['failure']}); read phase{entry['phase']}/validation, then "
                        f"docsgen reject {run_id} --phase {entry['phase']} --note TEXT"
                    )
                context.log.info(f"phase {entry['phase']} gate passed; approval: {entry['approval']}")
                if entry["approval"].startswith("failed"):
                    raise LifecycleError(
                        f"phase {entry['phase']} of '{run_id}' passed its gate but its batch re-approval "
                        f"{entry['approval']}; docsgen approve {run_id} --phase {entry['phase']} --by NAME"
                    )
            for stale in summary["stale"]:
                context.log.warning(
                    f"phase {stale['phase']} is stale (its inputs changed; left untouched); refresh: {stale['command']}"
                )
        _log_state(context, artifacts, run_id)

    @dg.job(
        name=REGENERATE_JOB,
        description="Regenerate chosen files of a docs run (files or a phase, with optional feedback), then gate "
        "them again; the final bundle is rebuilt once every phase is approved again. "
        "CLI: docsgen regenerate RUN --file NAME [--feedback TEXT]",
    )
    def regenerate_job() -> None:
        regenerate_op()

    return regenerate_job


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
    return [
        build_start_job(),
        build_approve_job(defs),
        build_reject_job(defs),
        build_regenerate_job(defs),
        build_remove_partition_job(),
    ]
