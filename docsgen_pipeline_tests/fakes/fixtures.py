"""Pytest fixtures for the fake OpenAI server; import them in a conftest to use them:
``from docsgen_pipeline_tests.fakes.fixtures import fake_openai_server``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from docsgen_pipeline_tests.fakes.openai_server import FakeOpenAIServer, running_fake_server


@pytest.fixture
def fake_openai_server() -> Iterator[FakeOpenAIServer]:
    """A fresh fake server per test (its own port, so its own circuit breaker)."""
    with running_fake_server() as server:
        yield server
