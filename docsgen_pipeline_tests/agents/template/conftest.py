"""Fixtures: the two example briefs and their doc sets, built once per session."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from docsgen_pipeline.brief import Brief, load_brief
from docsgen_pipeline_tests.agents.template.docset import BRIEFS, EXAMPLES, DocSet, build_docset


@pytest.fixture(scope="session")
def briefs() -> dict[str, Brief]:
    return {name: load_brief(EXAMPLES / name) for name in BRIEFS}


@pytest.fixture(scope="session")
def docsets(briefs: dict[str, Brief]) -> dict[str, DocSet]:
    return {name: build_docset(brief) for name, brief in briefs.items()}


@pytest.fixture(scope="session")
def bare_docset() -> DocSet:
    """A brief with nothing but a name and a summary."""
    return build_docset(Brief(name="Tiny Tool", summary="Tiny Tool renames photos by the date they were taken."))


@pytest.fixture(scope="session")
def make_docset() -> Callable[..., DocSet]:
    return build_docset
