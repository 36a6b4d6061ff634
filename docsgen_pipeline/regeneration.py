"""Targeted regeneration and resume: what to (re)write, what to reuse, and the record of it (pure).

Three ways a file step can be asked to write a planned file, told apart by run tags:

* **generation** — the file has no version yet: the agent writes v1.
* **regeneration** — an explicit request for files that exist (``docsgen regenerate``, or selecting
  the file assets in the Dagster UI and materializing): the agent writes again; a different text
  becomes the next version, an identical one stays the same version. Each is recorded.
* **resume** — re-driving an interrupted docs run (tag ``docsgen/reason=resume``) or a Dagster
  re-execution of a failed run (tag ``dagster/parent_run_id``, parent tags inherited): every file
  already generated for the current plan version is reused without an agent call; only missing
  files are written.  A re-execution of a failed *regeneration* reuses the files that run already
  rewrote (same ``dagster/root_run_id``) and rewrites the others.

The blueprint registered with a docs run is the planned-files authority: targets that are not
planned files, and any blueprint other than the pinned one, are refused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from docsgen_pipeline.blueprint import Blueprint
from docsgen_pipeline.docs_run import DocsRun, plan_name
from docsgen_pipeline.errors import PlanError
from docsgen_pipeline.store import ArtifactStore, VersionRecord
from docsgen_pipeline.versions import resolve_file_key

# Values of the docsgen/reason tag with a meaning to the file step; any other value is free text
# (the "why" of a regeneration) and behaves like "regenerate".
GENERATE = "generate"
REGENERATE = "regenerate"
RESUME = "resume"
FEEDBACK = "feedback"

# Tags Dagster sets on a re-execution (the parent's tags are inherited).
PARENT_RUN_TAG = "dagster/parent_run_id"
ROOT_RUN_TAG = "dagster/root_run_id"
# Set by docsgen commands executing in-process (value: the command family, e.g. "docsgen-cli").
IN_PROCESS_TAG = "docsgen/in_process"

REGENERATIONS_LOG = "regenerations"
DEFAULT_REQUESTER = "dagster-ui"


class Mode(StrEnum):
    EXPLICIT = "explicit"  # generate missing files, regenerate existing ones
    RESUME = "resume"  # reuse files generated for the current plan version
    REEXECUTED_REGENERATION = "reexecuted-regeneration"  # reuse what this run family already rewrote


@dataclass(frozen=True)
class WriteContext:
    """How a file step was asked to run, read from its Dagster run's tags."""

    mode: Mode
    reason: str
    requested_by: str
    feedback: str
    dagster_run_id: str
    root_run_id: str

    @classmethod
    def from_tags(
        cls, tags: Mapping[str, str], dagster_run_id: str, requested_by_tag: str, reason_tag: str, feedback_tag: str
    ) -> WriteContext:
        reason = tags.get(reason_tag, "").strip()
        parent = tags.get(PARENT_RUN_TAG)
        if reason == RESUME:
            mode = Mode.RESUME
        elif parent:
            mode = Mode.RESUME if reason in ("", GENERATE) else Mode.REEXECUTED_REGENERATION
        else:
            mode = Mode.EXPLICIT
        return cls(
            mode=mode,
            reason=reason,
            requested_by=tags.get(requested_by_tag) or _automation_requester(tags) or DEFAULT_REQUESTER,
            feedback=tags.get(feedback_tag, "").strip(),
            dagster_run_id=dagster_run_id,
            root_run_id=tags.get(ROOT_RUN_TAG) or dagster_run_id,
        )

    def reason_for(self, previous: VersionRecord | None) -> str:
        """The reason recorded with a written version."""
        if previous is None:
            return GENERATE
        if self.mode is Mode.RESUME:
            # A resume only rewrites files that were generated for an older plan version.
            return "replan"
        if self.reason and self.reason != GENERATE:
            return self.reason
        return FEEDBACK if self.feedback else REGENERATE


def _automation_requester(tags: Mapping[str, str]) -> str:
    if tags.get(IN_PROCESS_TAG):
        return tags[IN_PROCESS_TAG]  # a docsgen command that did not name a requester
    for tag, label in (("dagster/sensor_name", "sensor"), ("dagster/schedule_name", "schedule")):
        if tags.get(tag):
            return f"{label}:{tags[tag]}"
    if tags.get("dagster/auto_materialize") or tags.get("dagster/from_automation_condition"):
        return "automation"
    return ""


@dataclass(frozen=True)
class WritePlan:
    """Which selected files the agent writes and which existing versions are reused as they are."""

    write: tuple[str, ...]
    reuse: dict[str, VersionRecord] = field(default_factory=dict)


def decide_writes(
    selected: Sequence[str],
    latest: Mapping[str, VersionRecord | None],
    context: WriteContext,
    plan_version: int | None,
) -> WritePlan:
    """Split the selected file keys into agent calls and reused versions (order preserved)."""
    write: list[str] = []
    reuse: dict[str, VersionRecord] = {}
    for key in selected:
        record = latest.get(key)
        if record is not None and _reusable(record, context, plan_version):
            reuse[key] = record
        else:
            write.append(key)
    return WritePlan(write=tuple(write), reuse=reuse)


def _reusable(record: VersionRecord, context: WriteContext, plan_version: int | None) -> bool:
    if context.mode is Mode.EXPLICIT:
        return False
    if context.mode is Mode.REEXECUTED_REGENERATION:
        return record.meta.get("root_run_id") == context.root_run_id
    written_for = record.meta.get("plan_version")
    return written_for is None or plan_version is None or written_for == plan_version


def is_resume(tags: Mapping[str, str], reason_tag: str) -> bool:
    """A resume (or re-execution) keeps the phase plan it already has: no agent call for it."""
    reason = tags.get(reason_tag, "").strip()
    return reason == RESUME or bool(tags.get(PARENT_RUN_TAG))


# -- records -------------------------------------------------------------------------------------
class RegenerationRecord(BaseModel):
    """One regeneration of one file: who or what asked, why, when, and the versions before and after."""

    docs_run: str
    phase: int
    key: str
    file: str
    requested_by: str
    reason: str
    feedback: str = ""
    previous_version: int
    new_version: int
    changed: bool
    dagster_run_id: str
    repair_round: int | None = None  # set for an automatic repair (reason "repair")
    findings: list[dict[str, Any]] = []  # the findings a repair answered (line, rule, message)
    at: str = ""


def record_regeneration(store: ArtifactStore, record: RegenerationRecord) -> RegenerationRecord:
    """Append to the docs run's ``regenerations`` log (the store stamps the time)."""
    payload: dict[str, Any] = record.model_dump(exclude={"at"})
    stored = store.append_event(record.docs_run, REGENERATIONS_LOG, payload)
    return RegenerationRecord.model_validate(stored)


def regenerations(store: ArtifactStore, run_id: str, key: str | None = None) -> list[RegenerationRecord]:
    out = [RegenerationRecord.model_validate(e) for e in store.events(run_id, REGENERATIONS_LOG)]
    return [r for r in out if key is None or r.key == key]


# -- targets -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """Files of one phase to regenerate; ``whole_phase`` also re-plans the phase."""

    phase: int
    keys: tuple[str, ...]
    whole_phase: bool = False


def check_blueprint_pin(run: DocsRun, blueprint: Blueprint) -> None:
    """Refuse to regenerate with any blueprint but the one the docs run was registered with."""
    reg = run.registration
    if blueprint.content_hash() == reg.blueprint_sha256:
        return
    pinned = {f.key for f in run.blueprint.all_files()}
    given = {f.key for f in blueprint.all_files()}
    changes = []
    if added := sorted(given - pinned):
        changes.append(f"adds {', '.join(added)}")
    if dropped := sorted(pinned - given):
        changes.append(f"drops {', '.join(dropped)}")
    what = "; ".join(changes) if changes else "changes planned files"
    raise PlanError(
        f"docs run '{run.run_id}' is pinned to blueprint '{reg.blueprint_name}' v{reg.blueprint_version}; "
        f"blueprint '{blueprint.name}' v{blueprint.version} {what}. Regeneration cannot change the planned "
        "files: register a new docs run with the new blueprint version (docsgen run BRIEF --blueprint NEW.yaml)"
    )


def resolve_targets(run: DocsRun, files: Sequence[str], phase: int | None) -> list[Target]:
    """Validate ``--file``/``--phase`` against the pinned blueprint and what has been generated."""
    if bool(files) == (phase is not None):
        raise PlanError("name the files to regenerate (--file NAME, repeatable) or one phase (--phase N), not both")
    if phase is not None:
        numbers = [p.number for p in run.blueprint.phases]
        if phase not in numbers:
            raise PlanError(f"phase {phase} does not exist; phases are {numbers[0]}..{numbers[-1]}")
        if run.store.latest(run.run_id, "plans", plan_name(phase)) is None:
            raise PlanError(
                f"phase {phase} of docs run '{run.run_id}' has not been generated yet; nothing to regenerate "
                "(continue the docs run instead)"
            )
        return [Target(phase=phase, keys=tuple(f.key for f in run.phase(phase).files), whole_phase=True)]
    by_phase: dict[int, list[str]] = {}
    for name in files:
        key = resolve_file_key(run, name)
        if run.latest_file(key) is None:
            raise PlanError(
                f"{run.filenames[key]} has not been generated yet in docs run '{run.run_id}'; nothing to regenerate "
                "(continue the docs run instead)"
            )
        keys = by_phase.setdefault(run.blueprint.phase_of[key], [])
        if key not in keys:
            keys.append(key)
    return [
        Target(phase=number, keys=tuple(f.key for f in run.phase(number).files if f.key in keys))
        for number, keys in sorted(by_phase.items())
    ]
