"""Fixtures for agent tests: the fake OpenAI server and requests built from the example brief."""

from __future__ import annotations

from docsgen_pipeline_tests.agents.requests import example_brief  # noqa: F401  (fixture)
from docsgen_pipeline_tests.fakes.fixtures import fake_openai_server  # noqa: F401  (fixture)
