"""Automatic targeted repair: which files a phase's findings flag, the feedback they become, the record (pure).

The phase's loop is write → per-file checks → gate → (repair the flagged files → gate again, at
most ``repair_rounds``).  A repair is a regeneration with reason ``repair``: the same versions,
the same ``regenerations`` records and staleness rules as a person's regeneration.  Each round is
also summarised in the ``repairs`` log, which the phase report shows ("what was tried").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, Field

from docsgen_pipeline.agents.base import LinkTarget
from docsgen_pipeline.store import ArtifactStore
from docsgen_pipeline.validators.model import Issue, Severity

REPAIR = "repair"
REPAIRS_LOG = "repairs"
LINK_RULES = ("broken-link", "broken-fragment")
TARGETS_SHOWN = 40
REPLY_SHOWN = 300


def errors_by_file(issues: Iterable[Issue], files: Sequence[str]) -> dict[str, list[Issue]]:
    """The errors of ``files`` (in that order), grouped by file; files without errors are left out."""
    wanted = set(files)
    grouped: dict[str, list[Issue]] = {}
    for issue in issues:
        if issue.severity == Severity.ERROR and issue.file in wanted:
            grouped.setdefault(issue.file, []).append(issue)
    return {name: grouped[name] for name in files if name in grouped}


def valid_targets(targets: Sequence[LinkTarget], own: str) -> list[str]:
    """Every link a file may write: each target file, and each of its anchors as ``file#anchor``."""
    out: list[str] = []
    for target in targets:
        if target.filename == own:
            continue
        out.append(target.filename)
        out += [f"{target.filename}#{anchor}" for anchor in target.anchors]
    return out


def feedback_line(issue: Issue, targets: Sequence[str]) -> str:
    """One finding as an instruction: file, line, rule, message (and for links, what may be linked)."""
    where = f"line {issue.line}" if issue.line else "the whole file"
    text = f"{issue.file}, {where}, rule {issue.rule}: {issue.message}"
    if issue.suggestion:
        text += f" ({issue.suggestion})"
    if issue.rule in LINK_RULES and targets:
        shown = ", ".join(targets[:TARGETS_SHOWN]) + (" …" if len(targets) > TARGETS_SHOWN else "")
        text += f". Valid link targets: {shown}"
    return text


def summary(issues: Sequence[Issue]) -> str:
    return "; ".join(f"{i.rule} at line {i.line}" for i in issues)


def finding_dicts(issues: Sequence[Issue]) -> list[dict[str, Any]]:
    return [{"line": i.line, "rule": i.rule, "message": i.message} for i in issues]


def reply_excerpt(text: str, limit: int = REPLY_SHOWN) -> str:
    """What a model returned, for the issues report: one line, truncated."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + " …"


class RepairedFile(BaseModel):
    file: str
    findings: list[dict[str, Any]] = Field(default_factory=list)
    previous_version: int
    new_version: int
    changed: bool
    reply: str = Field(default="", description="what the model returned this round (truncated)")


class RepairRound(BaseModel):
    """One round of one phase: the files asked again, the findings they answered, and the outcome."""

    docs_run: str
    phase: int
    round: int
    dagster_run_id: str
    files: list[RepairedFile] = Field(default_factory=list)
    remaining: dict[str, int] = Field(default_factory=dict, description="file -> errors left after the round")
    stopped: str = Field(default="", description="why the round stopped early (budget, agent error)")
    at: str = ""


def record_round(store: ArtifactStore, entry: RepairRound) -> RepairRound:
    stored = store.append_event(entry.docs_run, REPAIRS_LOG, entry.model_dump(exclude={"at"}))
    return RepairRound.model_validate(stored)


def rounds_for(store: ArtifactStore, run_id: str, phase: int, versions: Mapping[str, int]) -> list[RepairRound]:
    """The repair rounds that led to the given file versions (the latest attempt of this phase).

    The last round recorded for the phase counts if every version it wrote is still current; its
    earlier rounds come from the same Dagster run.
    """
    rounds = [RepairRound.model_validate(e) for e in store.events(run_id, REPAIRS_LOG)]
    rounds = [r for r in rounds if r.phase == phase]
    if not rounds:
        return []
    last = rounds[-1]
    if any(versions.get(f.file) != f.new_version for f in last.files):
        return []
    return [r for r in rounds if r.dagster_run_id == last.dagster_run_id]


def report_rows(rounds: Sequence[RepairRound]) -> list[dict[str, Any]]:
    """Rows for the phase report's "Repairs" section."""
    rows: list[dict[str, Any]] = []
    for entry in rounds:
        for repaired in entry.files:
            rules = sorted({str(f["rule"]) for f in repaired.findings})
            rows.append({
                "round": entry.round,
                "file": repaired.file,
                "findings": len(repaired.findings),
                "rules": ", ".join(rules),
                "versions": f"v{repaired.previous_version} → v{repaired.new_version}"
                + ("" if repaired.changed else " (unchanged)"),
                "left": entry.remaining.get(repaired.file, 0),
                "reply": repaired.reply if entry.remaining.get(repaired.file, 0) else "",
            })
        if entry.stopped:
            rows.append({"round": entry.round, "file": "—", "findings": 0, "rules": "", "versions": "",
                         "left": sum(entry.remaining.values()), "reply": f"stopped: {entry.stopped}"})
    return rows
