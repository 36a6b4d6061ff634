"""File versions of a docs run: which file a name means, its history, one version's text, diffs (pure).

Every write of a planned file is a new immutable version (v1, v2 …) in the artifact store; an
identical content is never a new version.  This module reads that history for ``docsgen history``,
``docsgen show`` and the metadata the Dagster UI shows beside each materialization.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from docsgen_pipeline.docs_run import FILES, DocsRun
from docsgen_pipeline.errors import PlanError, StoreError
from docsgen_pipeline.store import VersionRecord

# A diff longer than this is cut in UI metadata (the full diff stays one `docsgen show` away).
MAX_DIFF_LINES = 400


@dataclass(frozen=True)
class FileVersion:
    """One version of a planned file, with the context a reader needs."""

    key: str
    phase: int
    record: VersionRecord
    latest_version: int

    @property
    def is_latest(self) -> bool:
        return self.record.version == self.latest_version

    def summary(self) -> dict[str, object]:
        meta = self.record.meta
        return {
            "file": self.record.name,
            "key": self.key,
            "phase": self.phase,
            "version": self.record.version,
            "latest": self.is_latest,
            "latest_version": self.latest_version,
            "sha256": self.record.sha256,
            "size": self.record.size,
            "created_at": self.record.created_at,
            "reason": meta.get("reason", ""),
            "repair_round": meta.get("repair_round"),
            "findings": meta.get("findings", []),
            "requested_by": meta.get("requested_by", ""),
            "feedback": meta.get("feedback", ""),
            "previous_version": meta.get("previous_version"),
            "dagster_run_id": meta.get("dagster_run_id", ""),
            "path": self.record.path,
        }


def planned_file_names(run: DocsRun) -> list[str]:
    return [run.filenames[f.key] for f in run.blueprint.all_files()]


def resolve_file_key(run: DocsRun, name: str) -> str:
    """A planned file's key from its key (``components``), file name or asset key (``phase2/components``).

    Anything else is refused: the blueprint the run was registered with is the planned-files
    authority, so no command can invent or drop a file.
    """
    wanted = name.strip()
    by_name = {filename: key for key, filename in run.filenames.items()}
    if wanted in run.filenames:
        return wanted
    if wanted in by_name:
        return by_name[wanted]
    if "/" in wanted:
        phase_part, _, key = wanted.partition("/")
        if key in run.blueprint.phase_of and phase_part == f"phase{run.blueprint.phase_of[key]}":
            return key
    if f"{wanted}.md" in by_name:
        return by_name[f"{wanted}.md"]
    reg = run.registration
    close = difflib.get_close_matches(wanted, [*run.filenames, *by_name], n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise PlanError(
        f"'{name}' is not a planned file of blueprint '{reg.blueprint_name}' v{reg.blueprint_version} "
        f"in docs run '{run.run_id}'{hint}; to add or drop files, register a new docs run with a new "
        "blueprint version (docsgen run BRIEF --blueprint NEW.yaml)"
    )


def file_history(run: DocsRun, key: str) -> list[FileVersion]:
    """Every version of a planned file, oldest first (empty when it was never generated)."""
    records = run.store.history(run.run_id, FILES, run.filenames[key])
    latest = records[-1].version if records else 0
    phase = run.blueprint.phase_of[key]
    return [FileVersion(key=key, phase=phase, record=r, latest_version=latest) for r in records]


def file_version(run: DocsRun, key: str, version: int | None = None) -> tuple[FileVersion, str]:
    """One version (default: the latest) of a planned file and its text."""
    history = file_history(run, key)
    name = run.filenames[key]
    if not history:
        raise StoreError(
            f"{name} has not been generated yet in docs run '{run.run_id}' "
            f"(its phase {run.blueprint.phase_of[key]} has not run; continue the docs run first)"
        )
    chosen = history[-1] if version is None else None
    if version is not None:
        if not 1 <= version <= len(history):
            raise StoreError(
                f"{name} has no version {version} in docs run '{run.run_id}'; versions are v1..v{len(history)} "
                f"(see: docsgen history {run.run_id} {name})"
            )
        chosen = history[version - 1]
    assert chosen is not None
    return chosen, run.store.read_text(run.run_id, chosen.record)


def unified_diff(old: str, new: str, name: str, old_label: str, new_label: str) -> str:
    """A unified diff (``git diff`` style headers); empty when the texts are equal."""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"{name} ({old_label})",
        tofile=f"{name} ({new_label})",
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def diff_versions(run: DocsRun, key: str, old: int, new: int) -> str:
    _, old_text = file_version(run, key, old)
    _, new_text = file_version(run, key, new)
    return unified_diff(old_text, new_text, run.filenames[key], f"v{old}", f"v{new}")


def diff_to_previous(run: DocsRun, record: VersionRecord, text: str) -> str | None:
    """The diff of ``record`` against the version before it; None for a first version."""
    if record.version <= 1:
        return None
    previous = run.store.version(run.run_id, FILES, record.name, record.version - 1)
    old = run.store.read_text(run.run_id, previous)
    return unified_diff(old, text, record.name, f"v{previous.version}", f"v{record.version}")


def truncate_diff(diff: str, max_lines: int = MAX_DIFF_LINES) -> str:
    lines = diff.splitlines(keepends=True)
    if len(lines) <= max_lines:
        return diff
    return "".join(lines[:max_lines]) + f"… {len(lines) - max_lines} more diff lines (docsgen show --diff)\n"


def reason_label(meta: dict[str, Any]) -> str:
    """``repair (round 1: 2 findings)`` for an automatic repair, else the recorded reason."""
    reason = str(meta.get("reason", ""))
    if meta.get("repair_round"):
        findings = meta.get("findings") or []
        return f"{reason} (round {meta['repair_round']}: {len(findings)} finding(s))"
    return reason


def history_markdown(history: list[FileVersion], current: int | None = None) -> str:
    """A Markdown table of a file's versions; marks the one being shown and the latest."""
    rows = ["| Version | Created | Reason | Requested by | sha256 |", "| --- | --- | --- | --- | --- |"]
    for item in history:
        meta = item.record.meta
        marks = []
        if current is not None and item.record.version == current:
            marks.append("this")
        if item.is_latest:
            marks.append("latest")
        label = f"v{item.record.version}" + (f" ({', '.join(marks)})" if marks else "")
        reason = reason_label(meta).replace("|", "/")
        who = str(meta.get("requested_by", "")).replace("|", "/")
        rows.append(f"| {label} | {item.record.created_at} | {reason} | {who} | `{item.record.sha256[:12]}` |")
    return "\n".join(rows)


def history_text(history: list[FileVersion]) -> str:
    """Plain-text listing for ``docsgen history`` (one line per version, newest last)."""
    lines = []
    for item in history:
        meta = item.record.meta
        latest = "  (latest)" if item.is_latest else ""
        feedback = f"  feedback: {meta['feedback']}" if meta.get("feedback") else ""
        lines.append(
            f"v{item.record.version}  {item.record.created_at}  {item.record.sha256[:12]}  "
            f"{reason_label(meta) or '-'} by {meta.get('requested_by', '-')}{feedback}{latest}"
        )
    return "\n".join(lines)
