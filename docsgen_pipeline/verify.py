"""``docsgen verify``: every artifact against its index and sha256, every bundle against its manifest (pure).

Bundles are checked by :func:`docsgen_pipeline.bundle.verify_bundle`, the same check publishing uses.

Reports what is wrong; with ``repair`` the damaged pieces are quarantined (moved aside with a
reason, never deleted) so that a resume or ``docsgen regenerate`` writes fresh versions.
"""

from __future__ import annotations

from dataclasses import dataclass

from docsgen_pipeline.bundle import verify_bundle
from docsgen_pipeline.docs_run import BUNDLES
from docsgen_pipeline.errors import DocsGenError
from docsgen_pipeline.store import ArtifactStore, sha256_hex, unindexed_grace_s


@dataclass(frozen=True)
class Finding:
    run_id: str
    where: str  # relative to the run folder
    problem: str
    repaired: bool = False

    def line(self) -> str:
        done = "  [quarantined]" if self.repaired else ""
        return f"{self.run_id}: {self.where}: {self.problem}{done}"


def _registration(store: ArtifactStore, run_id: str) -> list[Finding]:
    try:
        reg = store.registration(run_id)
    except DocsGenError as exc:
        return [Finding(run_id, "run.json", str(exc))]
    findings = []
    try:
        brief = store.read_run_bytes(run_id, reg.brief_file)
    except OSError as exc:
        return [Finding(run_id, reg.brief_file, f"unreadable: {exc}")]
    if sha256_hex(brief) != reg.brief_sha256:
        findings.append(Finding(run_id, reg.brief_file, "does not match the brief_sha256 in run.json"))
    if not store.has_run_file(run_id, "blueprint.yaml"):
        findings.append(Finding(run_id, "blueprint.yaml", "missing"))
    return findings


def _bundles(store: ArtifactStore, run_id: str, repair: bool) -> list[Finding]:
    findings = []
    for bundle in store.tree_versions(run_id, BUNDLES):
        problems = verify_bundle(bundle)
        if problems and repair:
            store.quarantine_tree(run_id, BUNDLES, bundle, "; ".join(problems))
        findings += [Finding(run_id, f"{BUNDLES}/{bundle.name}", p, repaired=repair) for p in problems]
    return findings


def verify_run(store: ArtifactStore, run_id: str, repair: bool = False) -> list[Finding]:
    """Everything wrong with one docs run's artifacts (empty when every byte is as recorded)."""
    grace = unindexed_grace_s()  # a bad setting is one error before any work
    findings = _registration(store, run_id)
    for category, name in store.artifacts(run_id):
        try:
            problems = store.inspect_artifact(run_id, category, name, repair=repair, unindexed_grace=grace)
        except DocsGenError as exc:
            problems = [str(exc)]
        findings += [Finding(run_id, f"{category}/{name}", p, repaired=repair) for p in problems]
    return findings + _bundles(store, run_id, repair)
