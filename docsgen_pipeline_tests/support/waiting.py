"""Waiting for a local server: shared by the browser tests and the UI benchmark."""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Callable


def url_answers(url: str) -> bool:
    """Whether ``GET url`` answers 200 within 2 s."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def wait_until(what: str, ready: Callable[[], bool], timeout: float, interval: float = 0.5) -> None:
    """Poll ``ready`` until it holds; raise TimeoutError naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
