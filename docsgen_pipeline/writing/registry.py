"""Generation modes by name: the ``generation`` setting picks one."""

from __future__ import annotations

from docsgen_pipeline.writing.base import GenerationMode
from docsgen_pipeline.writing.file_mode import FileMode
from docsgen_pipeline.writing.section_mode import SectionMode

MODES: dict[str, GenerationMode] = {"file": FileMode(), "section": SectionMode()}


def mode_for(name: str) -> GenerationMode:
    return MODES[name]
