"""`docsgen ui` in a real browser: every interactive-review flow, driven by clicks and keystrokes alone.

Debian's chromium driven by Playwright (``executable_path``; ``playwright install`` is never needed)
against one real ``docsgen ui`` (``dagster dev``: web server + daemon, so the sensors run) on a
temporary home, shared by the tests of this module, which follow one docs run through its life in
file order.  The tests read the instance and the artifact store only to know when to look, and to
check what the UI showed.  Screenshots of each step go to ``$DOCSGEN_TEST_ARTIFACTS/ui`` (default:
a temporary directory), with the server's log.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from docsgen_pipeline.dagster_layer.facts import collect
from docsgen_pipeline.dagster_layer.partitions import DOCS_RUNS, RUN_TAG
from docsgen_pipeline.docs_run import DocsRun
from docsgen_pipeline.lifecycle import RunState, Status, derive
from docsgen_pipeline.store import ArtifactStore
from docsgen_pipeline_tests.conftest import EXAMPLES
from docsgen_pipeline_tests.support.processes import free_port, stop_process_group
from docsgen_pipeline_tests.support.waiting import url_answers, wait_until

playwright = pytest.importorskip("playwright.sync_api")
from docsgen_pipeline_tests.support.launchpad import Launchpad, dismiss_newsletter  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BAD_PARTITION = "Bad_Run.1"

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (.ci/debian-packages.txt)"),
    pytest.mark.timeout(600),
]


def _ui_port() -> int:
    wanted = os.environ.get("DOCSGEN_TEST_UI_PORT")
    return int(wanted) if wanted else free_port()


@dataclass
class Session:
    """The shared server, browser and the docs run the tests follow."""

    base: str
    home: Path
    shots: Path
    context: Any
    run_id: str = ""
    numbered: list[str] = field(default_factory=list)
    _instance: dg.DagsterInstance | None = None

    @property
    def store(self) -> ArtifactStore:
        return ArtifactStore(self.home / "artifacts")

    def instance(self) -> dg.DagsterInstance:
        if self._instance is None:
            self._instance = dg.DagsterInstance.get()
        return self._instance

    def state(self) -> RunState:
        return derive(collect(self.instance(), self.store, self.run_id))

    def wait_status(self, what: str, *wanted: Status, timeout: float = 300) -> None:
        wait_until(what, lambda: self.state().status in wanted, timeout, interval=1)

    def shot_name(self, step: str) -> str:
        self.numbered.append(step)
        return f"{len(self.numbered):02d}-{step}"

    def dagster_runs(self, job: str) -> list[dg.DagsterRun]:
        runs = self.instance().get_runs(dg.RunsFilter(job_name=job, tags={RUN_TAG: self.run_id}))
        return list(runs)


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    root = tmp_path_factory.mktemp("ui")
    home = root / "home"
    artifacts = Path(os.environ.get("DOCSGEN_TEST_ARTIFACTS") or root / "artifacts")
    shots = artifacts / "ui"
    if shots.exists():
        shutil.rmtree(shots)
    shots.mkdir(parents=True)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("DOCSGEN_HOME", str(home))
        env.setenv("DAGSTER_HOME", str(home / "dagster"))
        for name in ("DOCSGEN_STORE", "DOCSGEN_BLUEPRINT", "DOCSGEN_INBOX", "DOCSGEN_RUN_EXECUTOR"):
            env.delenv(name, raising=False)
        port = _ui_port()
        docsgen = shutil.which("docsgen") or str(Path(sys.executable).parent / "docsgen")
        log = (shots / "dagster-dev.log").open("w")
        server = subprocess.Popen(
            [docsgen, "ui", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until("dagster dev", lambda: url_answers(f"{base}/server_info"), 180, interval=1)
            with playwright.sync_playwright() as p:
                context = p.chromium.launch_persistent_context(
                    str(root / "chromium-profile"),
                    executable_path=CHROMIUM,
                    headless=True,
                    args=ARGS,
                    viewport={"width": 1400, "height": 900},
                )
                context.set_default_timeout(60_000)
                first = context.new_page()
                dismiss_newsletter(first, base)
                first.close()
                yield Session(base=base, home=home, shots=shots, context=context)
                context.close()
        finally:
            stop_process_group(server, grace=30)
            log.close()


@pytest.fixture
def ui(session: Session, request: pytest.FixtureRequest) -> Iterator[Launchpad]:
    page = session.context.new_page()
    skip = page.get_by_role("button", name="Skip")
    page.add_locator_handler(skip, lambda: skip.click())
    launchpad = Launchpad(page, session.base, session.shots)
    yield launchpad
    page.screenshot(path=session.shots / f"end-{request.node.name}.png", full_page=True)
    page.close()


def _needs_run(session: Session) -> None:
    if not session.run_id:
        pytest.skip("the docs run was not started (test_start_an_interactive_run_from_the_launchpad failed)")


def _see_dagster_run_succeed(session: Session, ui: Launchpad, dagster_run_id: str, step: str) -> None:
    """The launched run's page says Success (the run page the Launch button opened)."""

    def finished() -> bool:
        run = session.instance().get_run_by_id(dagster_run_id)
        return run is not None and run.is_finished

    wait_until(f"Dagster run {dagster_run_id} to finish", finished, 180, interval=1)
    run = session.instance().get_run_by_id(dagster_run_id)
    assert run is not None and run.status is dg.DagsterRunStatus.SUCCESS, f"{run.job_name if run else '?'} failed"
    ui.page.reload()
    playwright.expect(ui.page.get_by_text("Success").first).to_be_visible(timeout=60_000)
    ui.shot(session.shot_name(step))


def _see_in_runs_list(session: Session, ui: Launchpad, job: str, step: str) -> None:
    """Runs, filtered by the docs run's tag (what a person clicks on a run's docsgen/run tag)."""
    ui.page.goto(f"{session.base}/runs?q%5B0%5D=tag%3A{RUN_TAG}%3D{session.run_id}", timeout=90_000)
    playwright.expect(ui.page.get_by_role("link", name=job).first).to_be_visible(timeout=90_000)
    ui.shot(session.shot_name(step))


def test_add_a_partition_with_a_bad_name_in_the_ui(session: Session, ui: Launchpad) -> None:
    """Assets > docs_run/brief > Materialize > Add a partition: Dagster accepts any name."""
    page = ui.page
    page.goto(f"{session.base}/assets/docs_run/brief", timeout=90_000)
    page.get_by_role("button", name="Materialize").first.click()
    page.get_by_text("Add a partition").click()
    page.get_by_placeholder("name").fill(BAD_PARTITION)
    ui.shot(session.shot_name("bad-partition-typed"))
    page.get_by_role("button", name="Save").click()
    playwright.expect(page.get_by_text("Add a partition for")).to_be_hidden()
    page.get_by_role("button", name="Cancel").click()
    assert session.instance().has_dynamic_partition(DOCS_RUNS, BAD_PARTITION)
    page.goto(f"{session.base}/assets/docs_run/brief?view=partitions", timeout=90_000)
    playwright.expect(page.get_by_text(BAD_PARTITION).first).to_be_visible(timeout=60_000)
    ui.shot(session.shot_name("bad-partition-listed"))


def test_start_an_interactive_run_from_the_launchpad(session: Session, ui: Launchpad) -> None:
    """Jobs > start_docs_run > Launchpad: two typed values, one launch; phase 0 then awaits approval."""
    brief = EXAMPLES / "acme-orders.yaml"
    ui.open("start_docs_run")
    ui.shot(session.shot_name("start-form"))
    ui.fill({"brief_path": str(brief), "review_mode": "interactive"})
    launched = ui.launch(session.shot_name("start-filled"))
    _see_dagster_run_succeed(session, ui, launched, "start-run-succeeded")

    wait_until("the inbox sensor to register the docs run", lambda: bool(session.store.run_ids()), 120, interval=1)
    [session.run_id] = session.store.run_ids()
    # The docs-run id is in the start run's log, where the person launching it reads it.
    playwright.expect(ui.page.get_by_text(session.run_id).first).to_be_visible(timeout=60_000)
    session.wait_status("phase 0 to await approval", Status.AWAITING_APPROVAL)
    _see_in_runs_list(session, ui, "phase0_generate", "phase0-awaiting-approval")
    assert [run.status for run in session.dagster_runs("phase0_generate")] == [dg.DagsterRunStatus.SUCCESS]
    _see_status(session, ui, "AwaitingApproval", f"docsgen approve {session.run_id} --phase 0", "status-phase0")


def _reload_until_visible(ui: Launchpad, locator: Any, what: str, timeout: float = 120) -> None:
    """Reload the page until ``locator`` shows, as a person would: the sensors bring the UI up to
    date on their next tick (every 15 s), not at the instant a run finished."""

    def shown() -> bool:
        try:
            playwright.expect(locator).to_be_visible(timeout=5_000)
        except AssertionError:
            ui.page.reload()
            return False
        return True

    wait_until(what, shown, timeout, interval=1)


def _see_status(session: Session, ui: Launchpad, status: str, action: str, step: str) -> None:
    """Catalog > docs_run/status > Partitions > the docs run: status, phase and the next action."""
    _open_partition(session, ui, "docs_run/status")
    page = ui.page
    _reload_until_visible(ui, page.get_by_text(status, exact=True).first, f"docs_run/status to say {status}")
    playwright.expect(page.get_by_text(action).first).to_be_visible(timeout=30_000)
    ui.shot(session.shot_name(step))


def _see_check(session: Session, ui: Launchpad, asset: str, check: str, says: str, step: str) -> None:
    """Catalog > asset > Checks > the check: its latest execution and what it says."""
    page = ui.page
    page.goto(f"{session.base}/assets/{asset}?view=checks&checkDetail={check}", timeout=90_000)
    playwright.expect(page.get_by_text(check).first).to_be_visible(timeout=90_000)
    _reload_until_visible(ui, page.get_by_text(says).first, f"{asset} check {check} to say {says!r}")
    ui.shot(session.shot_name(step))


def test_approve_phase_0_and_see_phase_1_start(session: Session, ui: Launchpad) -> None:
    """Jobs > approve_phase > Launchpad: scaffold, two typed values, launch; the sensors start phase 1.

    The bad partition added above is still there: the sensors skip it, so this run advances.
    """
    _needs_run(session)
    assert session.state().phase == 0
    ui.open("approve_phase")
    ui.fill({"docs_run": session.run_id, "approver": "ana"})
    launched = ui.launch(session.shot_name("approve-filled"))
    _see_dagster_run_succeed(session, ui, launched, "approve-run-succeeded")
    assert session.instance().has_dynamic_partition(DOCS_RUNS, BAD_PARTITION)
    wait_until("the advance sensor to start phase 1", lambda: bool(session.dagster_runs("phase1_generate")), 180)
    _see_in_runs_list(session, ui, "phase1_generate", "phase1-started")
    session.wait_status("phase 1 to await approval", Status.AWAITING_APPROVAL)
    assert session.state().phase == 1


REJECT_NOTE = "Say how retries are bounded"
REGENERATE_FEEDBACK = "Open with the audience"


def _latest_version(session: Session, key: str) -> int:
    record = DocsRun.load(session.store, session.run_id).latest_file(key)
    assert record is not None, f"{key} has no version"
    return record.version


def _open_partition(session: Session, ui: Launchpad, asset: str) -> None:
    """Assets > asset > Partitions > the docs run (the link a person follows from the asset's page)."""
    ui.page.goto(f"{session.base}/assets/{asset}?view=partitions&partition={session.run_id}", timeout=90_000)


def test_reject_phase_1_with_feedback(session: Session, ui: Launchpad) -> None:
    """Jobs > reject_phase > Launchpad: scaffold, three typed values, launch; phase 1 is rewritten (v2)
    with the note and awaits approval again."""
    _needs_run(session)
    assert session.state().phase == 1
    before = _latest_version(session, "foundations")
    ui.open("reject_phase")
    ui.fill({"docs_run": session.run_id, "note": REJECT_NOTE, "by": "ana"})
    launched = ui.launch(session.shot_name("reject-filled"))
    _see_dagster_run_succeed(session, ui, launched, "reject-run-succeeded")
    playwright.expect(ui.page.get_by_text("revision round 1").first).to_be_visible(timeout=60_000)
    feedback = session.store.events(session.run_id, "feedback")
    assert [(e.get("phase"), e.get("note")) for e in feedback][-1:] == [(1, REJECT_NOTE)]
    assert _latest_version(session, "foundations") == before + 1
    session.wait_status("phase 1 to await approval again", Status.AWAITING_APPROVAL)
    assert session.state().phase == 1
    _open_partition(session, ui, "phase1/foundations")
    # The partition's metadata: the history table names the new version and why it was written.
    playwright.expect(ui.page.get_by_text(f"v{before + 1} (this, latest)").first).to_be_visible(timeout=90_000)
    ui.shot(session.shot_name("reject-foundations-v2"))


def test_regenerate_one_file_with_feedback_and_see_v2_its_diff_and_the_outdated_approval(
    session: Session, ui: Launchpad
) -> None:
    """Jobs > regenerate_files > Launchpad: scaffold, three typed values, launch; the overview (phase 0,
    approved) gets v2 with a diff, and phase 0's approval no longer covers it."""
    _needs_run(session)
    name = session.store.registration(session.run_id).slug + ".md"
    assert _latest_version(session, "root") == 1
    ui.open("regenerate_files")
    ui.fill({"docs_run": session.run_id, "files": f"[{name}]", "feedback": REGENERATE_FEEDBACK, "by": "ana"})
    launched = ui.launch(session.shot_name("regenerate-filled"))
    _see_dagster_run_succeed(session, ui, launched, "regenerate-run-succeeded")
    playwright.expect(ui.page.get_by_text(f"{name}: v1 -> v2").first).to_be_visible(timeout=60_000)
    assert _latest_version(session, "root") == 2
    _open_partition(session, ui, "phase0/root")
    page = ui.page
    playwright.expect(page.get_by_text("v2 (this, latest)").first).to_be_visible(timeout=90_000)
    playwright.expect(page.get_by_text(f"+++ {name} (v2)").first).to_be_visible(timeout=30_000)
    ui.shot(session.shot_name("regenerate-root-v2-diff"))
    # The approval of phase 0 covered v1: the run waits for phase 0 to be approved again, and the
    # UI says so: the approval's check fails, phase 1 (written from v1) warns, the status says why.
    session.wait_status("phase 0 to await approval again", Status.AWAITING_APPROVAL)
    assert session.state().phase == 0
    _see_check(session, ui, "phase0/approval", "approval_covers_current_files", "no longer covers", "approval-outdated")
    _see_check(
        session, ui, "phase1/approval", "built_on_current_inputs", "built on inputs that changed", "phase1-stale"
    )
    _see_status(session, ui, "AwaitingApproval", f"docsgen approve {session.run_id} --phase 0", "status-reapprove")


def test_cancel_the_run_from_the_launchpad(session: Session, ui: Launchpad) -> None:
    """Jobs > cancel_docs_run > Launchpad: scaffold, one typed value, launch; the docs run is Canceled."""
    _needs_run(session)
    ui.open("cancel_docs_run")
    ui.fill({"docs_run": session.run_id, "reason": "browser test"})
    launched = ui.launch(session.shot_name("cancel-filled"))
    _see_dagster_run_succeed(session, ui, launched, "cancel-run-succeeded")
    assert session.state().status is Status.CANCELED


def test_remove_the_bad_partition_from_the_launchpad(session: Session, ui: Launchpad) -> None:
    """Jobs > remove_docs_run_partition > Launchpad: scaffold, one typed value, launch."""
    ui.open("remove_docs_run_partition")
    ui.fill({"partition": BAD_PARTITION})
    launched = ui.launch(session.shot_name("remove-partition-filled"))
    _see_dagster_run_succeed(session, ui, launched, "remove-partition-succeeded")
    assert not session.instance().has_dynamic_partition(DOCS_RUNS, BAD_PARTITION)
