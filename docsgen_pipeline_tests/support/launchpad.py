"""Driving Dagster's web UI the way a person does: clicks and keystrokes, never its GraphQL API.

Used by the browser tests.  What made the Launchpad look flaky, and what this driver does about it
(Dagster 1.13's UI, read from its shipped source maps):

- The community newsletter dialog ("Skip") opens one second after the UI learns, per instance, that
  nobody dismissed it yet; opened after a one-off check it covers the page and swallows clicks and
  keystrokes.  `dismiss_newsletter` waits for it when the server says it will open.
- "Scaffold missing config" and "Scaffold all default config" open a confirmation dialog; left
  unconfirmed it covers the editor and the Launch button.  `fill` confirms it.
- "No errors" is also what the preview shows before any validation came back, so it says nothing
  about the Launch button, which is enabled only by a *valid* answer to the editor's config check.
- The editor checks the config one second after the last change (and on blur); the Launchpad keeps
  the answer that *arrives* last, even when it is for an older text, so an out-of-order answer can
  leave "Launch Run" disabled for a valid config until the next edit.  `launch` waits until the
  last answer is for the text in the editor, and otherwise blurs the editor (a new check), as a
  person clicking elsewhere would.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, Request, Response, expect

LOCATION = "docsgen_pipeline.definitions"
PREVIEW_QUERY = "PreviewConfigQuery"


def should_show_newsletter(base: str) -> bool:
    """Whether the UI will open its newsletter dialog (the query the UI itself makes on load)."""
    body = json.dumps({"operationName": "ShouldShowNux", "query": "query ShouldShowNux { shouldShowNux }"})
    request = urllib.request.Request(
        f"{base}/graphql", data=body.encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return bool(json.load(response)["data"]["shouldShowNux"])


def _operation(request: Request) -> tuple[str, dict[str, Any]]:
    try:
        payload = json.loads(request.post_data or "{}")
    except ValueError:
        return "", {}
    if not isinstance(payload, dict):
        return "", {}
    return str(payload.get("operationName") or ""), dict(payload.get("variables") or {})


@dataclass
class ConfigChecks:
    """The Launchpad's config checks (PreviewConfigQuery) as the browser sends and receives them."""

    in_flight: int = 0
    last_document: str | None = None
    last_valid: bool = False
    answered_at: float = 0.0
    log: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("request", self._sent)
        page.on("response", self._answered)
        page.on("requestfailed", self._failed)

    def _sent(self, request: Request) -> None:
        if _operation(request)[0] == PREVIEW_QUERY:
            self.in_flight += 1

    def _failed(self, request: Request) -> None:
        if _operation(request)[0] == PREVIEW_QUERY:
            self.in_flight -= 1
            self.answered_at = time.monotonic()

    def _answered(self, response: Response) -> None:
        name, variables = _operation(response.request)
        if name != PREVIEW_QUERY:
            return
        try:
            typename = response.json()["data"]["isPipelineConfigValid"]["__typename"]
        except Exception:
            typename = "unreadable"
        self.in_flight -= 1
        self.last_document = str(variables.get("runConfigData", ""))
        self.last_valid = typename == "PipelineConfigValidationValid"
        self.answered_at = time.monotonic()
        self.log.append(typename)


class Launchpad:
    """A job's Launchpad: scaffold the form, type values into its fields, launch."""

    def __init__(self, page: Page, base: str, shots: Path) -> None:
        self.page = page
        self.base = base
        self.shots = shots
        self.checks = ConfigChecks()
        self.checks.attach(page)

    def shot(self, name: str) -> None:
        self.page.screenshot(path=self.shots / f"{name}.png", full_page=True)

    def open(self, job: str) -> None:
        """Jobs > job > Launchpad tab."""
        self.page.goto(f"{self.base}/locations/{LOCATION}/jobs/{job}", timeout=90_000)
        self.page.get_by_role("tab", name="Launchpad").or_(self.page.get_by_role("link", name="Launchpad")).first.click(
            timeout=90_000
        )
        expect(self.page.locator(".CodeMirror")).to_be_visible(timeout=90_000)
        expect(self.page.get_by_role("button", name="Launch Run")).to_be_visible(timeout=90_000)

    def editor_text(self) -> str:
        return str(self.page.locator(".CodeMirror").first.evaluate("e => e.CodeMirror.getValue()"))

    def scaffold_missing(self) -> bool:
        """Click "Scaffold missing config" and confirm, once the first check said something is missing."""
        button = self.page.get_by_role("button", name="Scaffold missing config")
        deadline = time.monotonic() + 60
        while not self.checks.log and time.monotonic() < deadline:  # the editor checks 1 s after opening
            self.page.wait_for_timeout(200)
        if not button.is_enabled():
            return False
        button.click()
        self.page.get_by_role("button", name="Confirm").click()
        expect(self.page.get_by_role("button", name="Confirm")).to_be_hidden()
        return True

    def set_field(self, name: str, value: str) -> None:
        """Click the field's line in the editor, select it and type ``name: value`` over it."""
        line = self.page.locator(".CodeMirror-line", has_text=re.compile(rf"(^|\s){re.escape(name)}:"))
        expect(line).to_have_count(1, timeout=30_000)
        line.click()
        keyboard = self.page.keyboard
        keyboard.press("Escape")  # an autocomplete list would take End/Home for itself
        keyboard.press("End")
        keyboard.press("Shift+Home")
        keyboard.type(f"{name}: {value}")
        keyboard.press("Escape")

    def fill(self, values: dict[str, str]) -> None:
        self.scaffold_missing()
        for name, value in values.items():
            self.set_field(name, value)

    def launch(self, shot: str, timeout: float = 120) -> str:
        """Wait until the check of the editor's text answered valid, click Launch Run; the Dagster run id."""
        button = self.page.get_by_role("button", name="Launch Run")
        deadline = time.monotonic() + timeout
        while True:
            checks = self.checks
            current = self.editor_text().strip()
            last = (checks.last_document or "").strip()
            settled = checks.in_flight <= 0 and checks.last_document is not None
            if settled and last == current and checks.last_valid and button.is_enabled():
                break
            if time.monotonic() > deadline:
                self.shot(f"{shot}-launch-disabled")
                raise AssertionError(
                    f"Launch Run stayed disabled: last check {checks.log[-1:]} for "
                    f"{'the current text' if (checks.last_document or '').strip() == current else 'an older text'}, "
                    f"{checks.in_flight} in flight; editor:\n{current}"
                )
            if settled and time.monotonic() - checks.answered_at > 3 and last != current:
                # The last answer is for an older text and no check is pending: click the preview
                # pane (the editor loses focus), which makes the editor check its text again.
                self.page.get_by_text("Config actions:").click()
                checks.answered_at = time.monotonic()
            self.page.wait_for_timeout(250)
        self.shot(shot)
        button.click()
        self.page.wait_for_url("**/runs/*", timeout=90_000)
        return self.page.url.rstrip("/").rsplit("/", 1)[-1]


def dismiss_newsletter(page: Page, base: str) -> None:
    """Click "Skip" on Dagster's newsletter dialog if this instance will show it (once per instance)."""
    skip = page.get_by_role("button", name="Skip")
    if should_show_newsletter(base):
        page.goto(f"{base}/overview", timeout=90_000)
        skip.click(timeout=90_000)
        expect(skip).to_be_hidden(timeout=30_000)
