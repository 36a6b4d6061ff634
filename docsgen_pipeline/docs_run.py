"""A docs run as seen through the store: its brief, blueprint, plans and latest files (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Literal

from docsgen_pipeline.blueprint import Blueprint, Phase, PlannedFile, parse_blueprint
from docsgen_pipeline.brief import Brief, parse_brief_text
from docsgen_pipeline.planning import PhasePlan
from docsgen_pipeline.store import ArtifactStore, RunRegistration, VersionRecord

FILES = "files"
PLANS = "plans"
REPORTS = "reports"
APPROVALS = "approvals"
BUNDLES = "bundles"


def plan_name(phase: int) -> str:
    return f"phase{phase}-plan.json"


def approval_name(phase: int) -> str:
    return f"phase{phase}-approval.json"


def report_name(phase: int) -> str:
    return f"{phase:02d}-phase{phase}-validation.md"


def issues_name(phase: int) -> str:
    return f"{phase:02d}-phase{phase}-issues.json"


def issues_report_name(phase: int) -> str:
    return f"{phase:02d}-phase{phase}-issues.md"


FINAL_REPORT = "final-validation.md"
FINAL_ISSUES = "final-issues.json"


@lru_cache(maxsize=32)
def _parse_registered_brief(text: str, fmt: Literal["yaml", "markdown"]) -> Brief:
    # Every step of a docs run reads the same registered brief; it was validated at registration.
    return parse_brief_text(text, "registered brief", fmt)


@dataclass
class DocsRun:
    store: ArtifactStore
    run_id: str
    registration: RunRegistration
    _texts: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, store: ArtifactStore, run_id: str) -> DocsRun:
        return cls(store=store, run_id=run_id, registration=store.registration(run_id))

    @cached_property
    def brief(self) -> Brief:
        reg = self.registration
        fmt: Literal["yaml", "markdown"] = "markdown" if reg.brief_file.endswith(".md") else "yaml"
        return _parse_registered_brief(self.store.read_run_file(self.run_id, reg.brief_file), fmt)

    @cached_property
    def blueprint(self) -> Blueprint:
        return parse_blueprint(
            self.store.read_run_file(self.run_id, "blueprint.yaml"), f"docs run '{self.run_id}' blueprint"
        )

    @cached_property
    def filenames(self) -> dict[str, str]:
        return self.blueprint.filenames(self.registration.slug)

    def phase(self, number: int) -> Phase:
        return self.blueprint.phases[number]

    def planned(self, key: str) -> PlannedFile:
        return self.blueprint.files_by_key[key]

    # -- files ------------------------------------------------------------------------------
    def latest_file(self, key: str) -> VersionRecord | None:
        return self.store.latest(self.run_id, FILES, self.filenames[key])

    def file_text(self, key: str) -> str | None:
        record = self.latest_file(key)
        if record is None:
            return None
        cache_key = f"{record.name}@{record.version}"
        if cache_key not in self._texts:
            self._texts[cache_key] = self.store.read_text(self.run_id, record)
        return self._texts[cache_key]

    def phase_files(self, number: int) -> dict[str, str]:
        """file name -> latest text, for the phase's files that exist."""
        out = {}
        with self.store.one_listing(self.run_id):
            for planned in self.phase(number).files:
                text = self.file_text(planned.key)
                if text is not None:
                    out[self.filenames[planned.key]] = text
        return out

    def corpus(self, up_to_phase: int = 5) -> dict[str, str]:
        out: dict[str, str] = {}
        with self.store.one_listing(self.run_id):
            for number in range(up_to_phase + 1):
                out.update(self.phase_files(number))
        return out

    def file_versions(self, keys: list[str] | None = None) -> dict[str, VersionRecord]:
        """file name -> latest version record."""
        out = {}
        with self.store.one_listing(self.run_id):
            for planned in self.blueprint.all_files():
                if keys is not None and planned.key not in keys:
                    continue
                record = self.latest_file(planned.key)
                if record is not None:
                    out[record.name] = record
        return out

    # -- plans ------------------------------------------------------------------------------
    def plan(self, number: int) -> PhasePlan | None:
        record = self.store.latest(self.run_id, PLANS, plan_name(number))
        if record is None:
            return None
        return PhasePlan.model_validate_json(self.store.read_text(self.run_id, record))
