"""The Dagster-UI way of doing what a ``docsgen`` command does (pure; no Dagster here).

Refusals and next actions are written once, naming the CLI command (``lifecycle``,
``regeneration``). People driving DocsGen from the Dagster UI need the Launchpad job and its
fields instead, so the UI jobs and the ``docs_run/status`` asset add the UI equivalent of every
``docsgen`` command a message names, on the same line.
"""

from __future__ import annotations

import re

from docsgen_pipeline.lifecycle import RunState, Status

# Job names of the Dagster layer's typed UI jobs (kept here as text so this module stays pure;
# ``dagster_layer.ui_jobs`` defines the jobs under these names).
START_JOB = "start_docs_run"
APPROVE_JOB = "approve_phase"
REJECT_JOB = "reject_phase"
REGENERATE_JOB = "regenerate_files"
CANCEL_JOB = "cancel_docs_run"
STATUS_ASSET = "docs_run/status"

_COMMAND = re.compile(
    r"docsgen (?P<verb>[a-z]+) (?P<run>[a-z0-9][a-z0-9-]*|RUN|BRIEF)"
    r"(?P<args>(?: --[a-z-]+(?: (?!--)[A-Za-z0-9][\w.-]*)?)*)"
)
_FLAG = re.compile(r"--(?P<flag>[a-z-]+)(?: (?!--)(?P<value>[A-Za-z0-9][\w.-]*))?")


def _launch(job: str, fields: list[str]) -> str:
    return f"launch job {job} ({', '.join(fields)})"


def ui_equivalent(command: str) -> str | None:
    """The UI action for one ``docsgen …`` command (None: the command has no UI counterpart)."""
    match = _COMMAND.search(command)
    if match is None:
        return None
    verb, run = match["verb"], match["run"]
    flags = {m["flag"]: m["value"] or "" for m in _FLAG.finditer(match["args"])}
    docs_run = f"docs_run: {run}" if run not in ("RUN", "BRIEF") else "docs_run: the docs-run id"
    phase = flags.get("phase", "")
    phase_field = [f"phase: {phase}"] if phase.isdigit() else []
    if verb == "approve":
        if "resume" in flags:
            return "open the docs run's failed Dagster run under Runs and click Re-execute (from failure)"
        return _launch(APPROVE_JOB, [docs_run, *phase_field, "approver: your name"])
    if verb == "reject":
        return _launch(REJECT_JOB, [docs_run, *phase_field, "note: what to change"])
    if verb == "regenerate":
        return _launch(REGENERATE_JOB, [docs_run, *(phase_field or ["files: the file names"])])
    if verb == "cancel":
        return _launch(CANCEL_JOB, [docs_run, "by: your name"])
    if verb == "run":
        return _launch(START_JOB, ["brief_path or brief_text", "review_mode"])
    if verb in ("status", "list"):
        return (
            f"see asset {STATUS_ASSET}, partition {run}" if run not in ("RUN", "BRIEF") else f"see asset {STATUS_ASSET}"
        )
    return None


def with_ui_fix(message: str) -> str:
    """``message`` on one line, with the UI equivalent of each ``docsgen`` command it names appended."""
    line = " ".join(message.split())
    fixes: list[str] = []
    for match in _COMMAND.finditer(line):
        fix = ui_equivalent(match.group(0))
        if fix is not None and fix not in fixes:
            fixes.append(fix)
    if not fixes:
        return line
    return f"{line} — in the Dagster UI: {'; or '.join(fixes)}"


def ui_next_action(state: RunState, run_id: str) -> str:
    """The reviewer's next move in the Dagster UI (the counterpart of ``lifecycle.next_action``)."""
    phase = state.phase
    if state.status is Status.AWAITING_APPROVAL:
        return (
            f"review phase {phase}'s files and phase{phase}/validation, then "
            f"{_launch(APPROVE_JOB, [f'docs_run: {run_id}', f'phase: {phase}', 'approver: your name'])}, "
            f"or {_launch(REJECT_JOB, [f'docs_run: {run_id}', f'phase: {phase}', 'note: what to change'])}"
        )
    if state.status is Status.FAILED:
        if state.retryable:
            return "open the docs run's failed Dagster run under Runs and click Re-execute (from failure)"
        if state.at_final:
            return "read final/cross_validation's checks, then " + _launch(
                REJECT_JOB, [f"docs_run: {run_id}", "phase: the phase to revise", "note: what to change"]
            )
        return f"read phase{phase}/validation's checks, then " + _launch(
            REJECT_JOB, [f"docs_run: {run_id}", f"phase: {phase}", "note: what to change"]
        )
    if state.status is Status.RUNNING:
        if state.active:
            return "wait (see Runs), or stop it: " + _launch(CANCEL_JOB, [f"docs_run: {run_id}", "by: your name"])
        return "wait for the sensors (advance_sensor, revalidation_sensor) to start the next step"
    if state.status is Status.COMPLETE:
        return "none (complete): the bundle is final/bundle's latest materialization"
    return "none (canceled)"
