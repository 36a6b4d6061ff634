"""A phase's files: one subsettable multi-asset; selecting one file asset regenerates just it.

Per-file checks are partitioned and blocking. When one fails, the step writes the phase report
itself, because the downstream gate asset will not run in this Dagster run.

Generation, regeneration and resume (see :mod:`docsgen_pipeline.regeneration`): the run's tags say
whether existing files are rewritten (an explicit selection or ``docsgen regenerate``) or reused
(``docsgen/reason=resume`` or a Dagster re-execution).  Each reply is stored the moment it arrives,
so an interrupted step keeps every finished file for the resume.
"""
# No `from __future__ import annotations` in asset modules (Dagster reads real annotations).

import functools
import time
from collections.abc import Iterator
from typing import Any

import dagster as dg

from docsgen_pipeline.agents.base import Agent, Usage, WriteRequest
from docsgen_pipeline.agents.prompted import add_usage
from docsgen_pipeline.agents.settings import AgentSettings
from docsgen_pipeline.blueprint import Blueprint, Phase
from docsgen_pipeline.compose import finalize, link_targets, nav_block, validation_context
from docsgen_pipeline.dagster_layer.assets.common import CODE_VERSION, check_description, check_result, usage_metadata
from docsgen_pipeline.dagster_layer.keys import asset_page, file_key, file_label, phase_group, plan_key
from docsgen_pipeline.dagster_layer.partitions import FEEDBACK_TAG, REASON_TAG, REQUESTED_BY_TAG, docs_runs
from docsgen_pipeline.dagster_layer.resources import AgentResource, ArtifactStoreResource
from docsgen_pipeline.dagster_layer.runtime import load_run, user_errors, version_metadata
from docsgen_pipeline.docs_run import FILES, PLANS, DocsRun, plan_name, report_name
from docsgen_pipeline.errors import AgentError
from docsgen_pipeline.gate import file_check_result, run_phase_gate, write_phase_report
from docsgen_pipeline.generation import iter_calls
from docsgen_pipeline.markdown.document import parse_document
from docsgen_pipeline.markdown.flavors import get_flavor
from docsgen_pipeline.markdown.relink import relink
from docsgen_pipeline.planning import PhasePlan
from docsgen_pipeline.progress import ProgressTracker, Stage
from docsgen_pipeline.regeneration import (
    RegenerationRecord,
    WriteContext,
    decide_writes,
    record_regeneration,
    regenerations,
)
from docsgen_pipeline.repair import (
    REPAIR,
    RepairedFile,
    RepairRound,
    errors_by_file,
    feedback_line,
    finding_dicts,
    record_round,
    reply_excerpt,
    report_rows,
    summary,
    valid_targets,
)
from docsgen_pipeline.reports import CheckOutcome
from docsgen_pipeline.store import VersionRecord
from docsgen_pipeline.validators.api import FILE_CHECKS, check_file
from docsgen_pipeline.validators.model import Issue, ValidationContext
from docsgen_pipeline.versions import diff_to_previous, file_history, history_markdown, truncate_diff
from docsgen_pipeline.writing.base import GenerationMode, Repair
from docsgen_pipeline.writing.registry import mode_for

REPAIR_REQUESTER = "docsgen-repair"


def _feedback(run: DocsRun, write: WriteContext, key: str, phase: int) -> list[str]:
    """Reviewer feedback for a file, oldest first: its phase's rejections, earlier regenerations' notes
    (so a later regeneration does not silently drop what an earlier one asked for), and this request's."""
    notes = [
        str(event["note"])
        for event in run.store.events(run.run_id, "feedback")
        if event.get("phase") == phase and (not event.get("files") or key in event["files"])
    ]
    for record in regenerations(run.store, run.run_id, key):
        if record.feedback and record.feedback not in notes:
            notes.append(record.feedback)
    if write.feedback and write.feedback not in notes:
        notes.append(write.feedback)
    return notes


class _Written:
    """One selected file after the step: its version, whether it is new, and its per-file issues."""

    def __init__(
        self,
        record: VersionRecord,
        created: bool,
        reused: bool,
        usage: Usage,
        issues: list[Issue],
        duration: float,
        reply: str = "",
    ) -> None:
        self.record, self.created, self.reused = record, created, reused
        self.usage, self.issues, self.duration, self.reply = usage, issues, duration, reply
        self.repairs = 0
        self.first_version = record.version

    def repaired(self, later: "_Written") -> "_Written":
        """This file after a repair round: the new version, the usage of every call so far."""
        later.usage = add_usage(self.usage, later.usage)
        later.duration += self.duration
        later.created = self.created or later.created
        later.repairs = self.repairs + 1
        later.first_version = self.first_version
        return later


def build_files_asset(blueprint: Blueprint, phase: Phase) -> dg.AssetsDefinition:
    number = phase.number
    file_keys = {f.key: file_key(phase, f) for f in phase.files}
    key_to_file = {v: k for k, v in file_keys.items()}
    all_file_keys = {f.key: file_key(p, f) for p in blueprint.phases for f in p.files}
    order = [f.key for f in phase.files]

    specs = [
        dg.AssetSpec(
            key=file_keys[f.key],
            deps=[plan_key(number), *(all_file_keys[d] for d in f.depends.files if d in all_file_keys)],
            description=(
                f"{file_label(f)} — {f.title}. {f.intent}\n\n"
                f"Phase {number} ({phase.title}); {{slug}} is the docs run's project slug. "
                "Materializing this asset alone regenerates just this file."
            ),
            group_name=phase_group(phase),
            code_version=CODE_VERSION,
            kinds={"markdown"},
            metadata={
                "file_name": file_label(f),
                "blueprint_file": f.key,
                "required_headings": ", ".join(f.required_headings),
            },
        )
        for f in phase.files
    ]
    file_check_specs = [
        dg.AssetCheckSpec(
            name,
            asset=file_keys[f.key],
            blocking=True,
            partitions_def=docs_runs,
            description=check_description(name, rules, blueprint.severity, f"{file_label(f)}: "),
        )
        for f in phase.files
        for name, rules in FILE_CHECKS.items()
    ]

    @dg.multi_asset(
        name=f"{phase.key}_files",
        specs=specs,
        check_specs=file_check_specs,
        can_subset=True,
        partitions_def=docs_runs,
        pool="docsgen_llm",
    )
    def files(
        context: dg.AssetExecutionContext, store: ArtifactStoreResource, agent: AgentResource
    ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
        with user_errors():
            run = load_run(context, store.get(), blueprint)
            current = run.plan(number)
            plan_record = run.store.latest(run.run_id, PLANS, plan_name(number))
            if current is None or plan_record is None:
                raise dg.Failure(
                    description=f"phase {number} has no plan yet: materialize {plan_key(number).to_user_string()} first"
                )
            chosen = {key_to_file[k] for k in context.selected_asset_keys if k in key_to_file}
            selected = [k for k in order if k in chosen]
            write = WriteContext.from_tags(
                context.run.tags, context.run.run_id, REQUESTED_BY_TAG, REASON_TAG, FEEDBACK_TAG
            )
            decision = decide_writes(selected, {k: run.latest_file(k) for k in selected}, write, plan_record.version)
            if decision.reuse:
                context.log.info(
                    f"resume: reusing {len(decision.reuse)} file(s) already generated for plan "
                    f"v{plan_record.version}; writing {len(decision.write)}"
                )
            ctx = validation_context(run, number)
            writer = agent.for_run(run) if decision.write else None
            settings = agent.settings_for(run.registration.agent)
            mode = mode_for(settings.generation)
            tracker = ProgressTracker(run.store, run.run_id, number, context.run.run_id)
        selected_checks = context.selected_asset_check_keys
        step = _Step(run, phase, current, write, plan_record.version, ctx, mode, settings, tracker)
        produced = _reused(run, decision.reuse, ctx)
        if writer is not None:
            produced = _chain(produced, step.write(writer, list(decision.write), total=len(selected)))
        written: dict[str, _Written] = {}
        rounds: list[RepairRound] = []
        with user_errors():  # agent errors surface while the replies stream in
            try:
                for key, done in produced:
                    written[key] = done
            except BaseException:
                # Files already stored stay: materialize them before the step fails (resume reuses them).
                yield from _results(run, file_keys, selected, written, selected_checks, [], mode.name)
                raise
            rounds = step.repair(context, agent, writer, selected, written)
        failed: list[Issue] = []
        yield from _results(run, file_keys, selected, written, selected_checks, failed, mode.name)
        if failed:
            # The gate asset downstream will not run; leave the phase's report behind here, with what
            # automatic repair tried.
            result = file_check_result(run, phase, failed).with_repairs(report_rows(rounds))
            write_phase_report(run, number, result)

    return files


def _results(
    run: DocsRun,
    file_keys: dict[str, dg.AssetKey],
    selected: list[str],
    written: dict[str, _Written],
    selected_checks: Any,
    failed: list[Issue],
    generation: str,
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """One materialization per file (its final version, in blueprint order) and its per-file checks."""
    for key in selected:
        if key not in written:
            continue
        done = written[key]
        asset = file_keys[key]
        yield dg.MaterializeResult(
            asset_key=asset,
            metadata=_metadata(run, key, done, generation),
            data_version=dg.DataVersion(done.record.sha256),
        )
        for check_name, rules in FILE_CHECKS.items():
            if dg.AssetCheckKey(asset, check_name) not in selected_checks:
                continue
            issues = tuple(i for i in done.issues if i.rule in rules)
            check = CheckOutcome(name=check_name, rules=rules, issues=issues)
            failed += check.errors
            yield check_result(asset, check, report=report_name(run.blueprint.phase_of[key]))


def _chain(*parts: Iterator[tuple[str, _Written]]) -> Iterator[tuple[str, _Written]]:
    for part in parts:
        yield from part


def _metadata(run: DocsRun, key: str, written: _Written, generation: str) -> dict[str, Any]:
    record = written.record
    text = run.store.read_text(run.run_id, record)
    history = file_history(run, key)
    metadata: dict[str, Any] = {
        "file": record.name,
        **version_metadata(record, run.store, run.run_id),
        "new_version": written.created,
        "reused": written.reused,
        "versions": len(history),
        "history": dg.MetadataValue.md(history_markdown(history, record.version)),
    }
    previous = record.meta.get("previous_version")
    if previous is not None:
        metadata["previous_version"] = int(previous)
    if written.created and (diff := diff_to_previous(run, record, text)) is not None:
        metadata["diff"] = dg.MetadataValue.md(f"```diff\n{truncate_diff(diff)}```")
    metadata["duration_s"] = round(written.duration, 3)
    metadata["generation"] = generation
    metadata["reason"] = str(record.meta.get("reason", ""))
    metadata["repair_rounds"] = written.repairs
    if written.repairs:
        metadata["first_version"] = written.first_version
        metadata["findings_answered"] = dg.MetadataValue.json(record.meta.get("findings", []))
    metadata.update(usage_metadata(written.usage))
    # Output hygiene the orchestrator applied (agents/hygiene.py), and what was cut to fit the context.
    metadata["normalized"] = dg.MetadataValue.json(list(record.meta.get("normalized", [])))
    if record.meta.get("prompt_trimmed"):
        metadata["prompt_trimmed"] = dg.MetadataValue.json(list(record.meta["prompt_trimmed"]))
    metadata["preview"] = dg.MetadataValue.md(relink(text, file_pages(run), get_flavor(run.blueprint.flavor)))
    return metadata


def file_pages(run: DocsRun) -> dict[str, str]:
    """Each file name of the docs run -> its asset's page in the web UI, at the run's partition."""
    names = run.filenames
    return {
        names[f.key]: asset_page(file_key(phase, f), run.run_id) for phase in run.blueprint.phases for f in phase.files
    }


def _reused(run: DocsRun, reuse: dict[str, VersionRecord], ctx: ValidationContext) -> Iterator[tuple[str, _Written]]:
    """Files a resume keeps as they are: no agent call, same version, checks run again (cheap)."""
    for key, record in reuse.items():
        text = run.store.read_text(run.run_id, record)
        usage = Usage(model=str(record.meta.get("agent", {}).get("agent", "")), calls=0, cached=True)
        yield key, _Written(record, False, True, usage, check_file(record.name, text, ctx), 0.0)


class _Step:
    """One phase step's writing: first generation, then automatic targeted repair rounds."""

    def __init__(
        self,
        run: DocsRun,
        phase: Phase,
        plan: PhasePlan,
        write: WriteContext,
        plan_version: int,
        ctx: ValidationContext,
        mode: GenerationMode,
        settings: AgentSettings,
        tracker: ProgressTracker,
    ) -> None:
        self.run, self.phase, self.plan, self.context = run, phase, plan, write
        self.plan_version, self.ctx, self.mode, self.settings, self.tracker = plan_version, ctx, mode, settings, tracker
        self.targets = link_targets(run, plan)
        self.upstream = run.corpus(phase.number - 1) if phase.number > 0 else {}

    def _request(self, key: str) -> WriteRequest:
        run = self.run
        return WriteRequest(
            brief=run.brief,
            blueprint=run.blueprint,
            phase=self.phase,
            file=run.planned(key),
            plan=self.plan.for_key(key),
            link_targets=self.targets,
            upstream=self.upstream,
            feedback=_feedback(run, self.context, key, self.phase.number),
        )

    def write(
        self,
        writer: Agent,
        keys: list[str],
        *,
        total: int,
        repairs: dict[str, Repair] | None = None,
        done_before: int = 0,
    ) -> Iterator[tuple[str, _Written]]:
        """Ask the agent for each file (or repair it) and store each reply as soon as it arrives."""
        run, phase, write = self.run, self.phase, self.context
        previous = {key: run.latest_file(key) for key in keys}
        tasks = [
            functools.partial(self.mode.write, writer, self._request(key), (repairs or {}).get(key)) for key in keys
        ]
        nav = nav_block(run.blueprint, run.brief)
        started = time.monotonic()
        stage: Stage = "repair" if repairs else "write"
        for count, (index, reply) in enumerate(iter_calls(tasks, self.settings.max_concurrency), start=1):
            key = keys[index]
            before = previous[key]
            repair = (repairs or {}).get(key)
            text = finalize(reply.markdown, nav)
            reason = REPAIR if repair else write.reason_for(before)
            requested_by = REPAIR_REQUESTER if repair else write.requested_by
            feedback = summary(repair.findings) if repair else write.feedback
            findings = finding_dicts(repair.findings) if repair else []
            record, created = run.store.put(
                run.run_id,
                FILES,
                run.filenames[key],
                text,
                {
                    "phase": phase.number,
                    "key": key,
                    "agent": writer.identity(),
                    "generation": self.mode.name,
                    "requested_by": requested_by,
                    "reason": reason,
                    "feedback": feedback,
                    "repair_round": repair.round if repair else None,
                    "findings": findings,
                    "previous_version": before.version if before else None,
                    "plan_version": self.plan_version,
                    "dagster_run_id": write.dagster_run_id,
                    "root_run_id": write.root_run_id,
                    "headings": [h.text for h in parse_document(text).headings],
                    "normalized": reply.normalized,
                    "prompt_trimmed": reply.prompt_trimmed,
                },
            )
            if before is not None:
                record_regeneration(
                    run.store,
                    RegenerationRecord(
                        docs_run=run.run_id,
                        phase=phase.number,
                        key=key,
                        file=record.name,
                        requested_by=requested_by,
                        reason=reason,
                        feedback=feedback,
                        previous_version=before.version,
                        new_version=record.version,
                        changed=created,
                        dagster_run_id=write.dagster_run_id,
                        repair_round=repair.round if repair else None,
                        findings=findings,
                    ),
                )
            self.tracker.add(reply.usage, record.name, done_before + count, total, stage, repair.round if repair else 0)
            duration = reply.usage.duration_s or (time.monotonic() - started)
            issues = check_file(record.name, text, self.ctx)
            yield key, _Written(record, created, False, reply.usage, issues, duration, reply_excerpt(reply.markdown))

    def _flagged(self, selected: list[str]) -> dict[str, list[Issue]]:
        """Errors of the selected files: per-file checks and the phase gate, over the latest versions."""
        names = [self.run.filenames[k] for k in selected]
        return errors_by_file(run_phase_gate(self.run, self.phase).issues, names)

    def repair(
        self,
        context: dg.AssetExecutionContext,
        agent: AgentResource,
        writer: Agent | None,
        selected: list[str],
        written: dict[str, _Written],
    ) -> list[RepairRound]:
        """Regenerate only the flagged files, the findings as feedback, until they pass or rounds run out."""
        run = self.run
        rounds: list[RepairRound] = []
        key_of = {run.filenames[k]: k for k in selected}
        flagged = self._flagged(selected) if self.settings.repair_rounds else {}
        for number in range(1, self.settings.repair_rounds + 1):
            if not flagged:
                break
            writer = writer or agent.for_run(run)
            repairs = {}
            for name, issues in flagged.items():
                done = written.get(key_of[name])
                previous = run.store.read_text(run.run_id, done.record) if done else (run.file_text(key_of[name]) or "")
                allowed = valid_targets(self.targets, name)
                repairs[key_of[name]] = Repair(
                    round=number,
                    previous=previous,
                    findings=tuple(issues),
                    feedback=tuple(feedback_line(issue, allowed) for issue in issues),
                )
            context.log.info(
                f"repair round {number}/{self.settings.repair_rounds}: "
                + "; ".join(f"{name} ({summary(issues)})" for name, issues in flagged.items())
            )
            entry = RepairRound(
                docs_run=run.run_id, phase=self.phase.number, round=number, dagster_run_id=context.run.run_id
            )
            try:
                for key, later in self.write(writer, list(repairs), total=len(repairs), repairs=repairs):
                    before = written.get(key)
                    entry.files.append(
                        RepairedFile(
                            file=later.record.name,
                            findings=finding_dicts(repairs[key].findings),
                            previous_version=before.record.version if before else 0,
                            new_version=later.record.version,
                            changed=later.created,
                            reply=later.reply,
                        )
                    )
                    written[key] = before.repaired(later) if before else later
            except AgentError as exc:  # budget, breaker, a final HTTP error: stop repairing, keep what was written
                entry.stopped = str(exc)
            flagged = self._flagged(selected)
            entry.remaining = {name: len(issues) for name, issues in flagged.items()}
            rounds.append(record_round(run.store, entry))
            if entry.stopped:
                context.log.warning(f"repair round {number} stopped: {entry.stopped}")
                break
        if flagged and rounds:
            context.log.warning(
                f"phase {self.phase.number}: {len(flagged)} file(s) still fail after {len(rounds)} repair round(s)"
            )
        return rounds
