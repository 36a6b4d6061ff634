"""The bundle: every approved file, the reports and a manifest (pure)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from docsgen_pipeline.docs_run import (
    APPROVALS,
    FINAL_ISSUES,
    FINAL_REPORT,
    REPORTS,
    DocsRun,
    approval_name,
    issues_name,
    report_name,
)
from docsgen_pipeline.site import site_files
from docsgen_pipeline.store import sha256_hex

MANIFEST = "manifest.json"


def bundle_files(run: DocsRun) -> tuple[dict[str, bytes], dict[str, Any]]:
    """Files of the bundle (relative path -> bytes) and its manifest."""
    files: dict[str, bytes] = {}
    entries: list[dict[str, Any]] = []
    for phase in run.blueprint.phases:
        for planned in phase.files:
            record = run.latest_file(planned.key)
            if record is None:
                continue
            data = run.store.read_bytes(run.run_id, record)
            files[record.name] = data
            agent = record.meta.get("agent", {})
            entries.append(
                {
                    "file": record.name,
                    "phase": phase.number,
                    "key": planned.key,
                    "title": planned.title,
                    "version": record.version,
                    "sha256": record.sha256,
                    "generator": agent,
                }
            )
    reports = []
    for name in [
        *(report_name(p.number) for p in run.blueprint.phases),
        *(issues_name(p.number) for p in run.blueprint.phases),
        FINAL_REPORT,
        FINAL_ISSUES,
    ]:
        record = run.store.latest(run.run_id, REPORTS, name)
        if record is not None:
            data = run.store.read_bytes(run.run_id, record)
            files[f"reports/{name}"] = data
            reports.append({"file": f"reports/{name}", "version": record.version, "sha256": record.sha256})
    approvals = []
    for phase in run.blueprint.phases:
        record = run.store.latest(run.run_id, APPROVALS, approval_name(phase.number))
        if record is not None:
            payload = json.loads(run.store.read_text(run.run_id, record))
            approvals.append(
                {
                    "phase": phase.number,
                    "approver": payload.get("approver"),
                    "note": payload.get("note", ""),
                    "at": record.created_at,
                    "files": payload.get("files", {}),
                }
            )
    site = site_files(run.blueprint, run.brief.name, run.filenames, files)
    files.update(site)
    reg = run.registration
    manifest: dict[str, Any] = {
        "docs_run": run.run_id,
        "project": reg.project,
        "review_mode": reg.review_mode,
        "brief_sha256": reg.brief_sha256,
        "blueprint": {"name": reg.blueprint_name, "version": reg.blueprint_version, "sha256": reg.blueprint_sha256},
        "files": entries,
        "reports": reports,
        "approvals": approvals,
        "site": sorted(site),  # renderer configs: `mkdocs serve -f publish/mkdocs.yml`
    }
    manifest_bytes = (json.dumps(manifest, indent=2, sort_keys=False) + "\n").encode()
    files["manifest.json"] = manifest_bytes
    manifest["manifest_sha256"] = sha256_hex(manifest_bytes)
    return files, manifest


def _listed_entries(manifest: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """(file and report entries of a manifest, problems with entries that are not {file, sha256})."""
    entries: list[dict[str, Any]] = []
    problems: list[str] = []
    for section in ("files", "reports"):
        listed = manifest.get(section, [])
        if not isinstance(listed, list):
            problems.append(f"{MANIFEST}: '{section}' is not a list")
            continue
        for number, entry in enumerate(listed, start=1):
            if isinstance(entry, dict) and isinstance(entry.get("file"), str) and entry["file"]:
                entries.append(entry)
            else:
                problems.append(f"{MANIFEST}: {section} entry {number} has no file name")
    return entries, problems


def verify_bundle(directory: Path) -> list[str]:
    """What is wrong with a bundle folder measured against its own manifest; empty means it verifies.

    The one bundle check (``docsgen verify`` and publishing both use it): every file and report the
    manifest lists must be present with the recorded sha256, every renderer config it names under
    ``site`` must be present, and the folder must hold nothing else (besides ``manifest.json``).
    Problems name files relative to the bundle folder.
    """
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file():
        return [f"{MANIFEST}: missing"]
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"{MANIFEST}: unreadable ({str(exc).splitlines()[0]})"]
    if not isinstance(manifest, dict):
        return [f"{MANIFEST}: not a JSON object"]
    entries, problems = _listed_entries(manifest)
    listed: set[str] = {MANIFEST}
    for entry in entries:
        name = str(entry["file"])
        listed.add(name)
        path = directory / name
        if not path.is_file():
            problems.append(f"{name}: listed in the manifest but missing from the bundle")
        elif sha256_hex(path.read_bytes()) != entry.get("sha256"):
            problems.append(f"{name}: sha256 differs from the manifest")
    site = manifest.get("site", [])
    for name in site if isinstance(site, list) else []:
        listed.add(str(name))
        if not (directory / str(name)).is_file():
            problems.append(f"{name}: listed in the manifest but missing from the bundle")
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        name = path.relative_to(directory).as_posix()
        if name not in listed:
            problems.append(f"{name}: in the bundle but not in the manifest")
    return problems
