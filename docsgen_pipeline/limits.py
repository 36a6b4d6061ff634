"""Size limits on user input: a brief is read whole into every prompt and page (pure).

A brief over the cap (default 256 KB, ``$DOCSGEN_MAX_BRIEF_KB``) or a single field over the
field cap (default 16 KB, ``$DOCSGEN_MAX_FIELD_KB``) is refused with one line before anything
is written; without a cap a 5 MB brief produced a 12.7 MB page and 0.9 GB of memory.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from docsgen_pipeline.errors import BriefError, ConfigError

DEFAULT_MAX_BRIEF_KB = 256
DEFAULT_MAX_FIELD_KB = 16


def number_setting(
    name: str, default: float, parse: Callable[[str], float], unit: str, minimum: float, symbol: str = ""
) -> float:
    """``$name`` as a number (``default`` when unset), refused with one line naming the variable.

    ``unit`` says what is expected ("a number of seconds"), ``symbol`` follows the minimum ("s").
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = parse(raw)
    except ValueError:
        raise ConfigError(f"${name}={raw!r}: expected {unit}") from None
    if not value >= minimum:  # also refuses nan
        raise ConfigError(f"${name}={raw!r}: must be at least {minimum:g}{' ' + symbol if symbol else ''}")
    return value


def _kb_setting(name: str, default: int) -> int:
    return int(number_setting(name, default, int, "a whole number of kilobytes", 1, "KB"))


def max_brief_bytes() -> int:
    return _kb_setting("DOCSGEN_MAX_BRIEF_KB", DEFAULT_MAX_BRIEF_KB) * 1024


def max_field_bytes() -> int:
    return _kb_setting("DOCSGEN_MAX_FIELD_KB", DEFAULT_MAX_FIELD_KB) * 1024


def check_brief_size(text: str, source: str) -> None:
    """Refuse a brief larger than the configured cap."""
    size, limit = len(text.encode()), max_brief_bytes()
    if size > limit:
        raise BriefError(
            f"{source}: the brief is {size / 1024:.0f} KB, over the {limit // 1024} KB limit; "
            "shorten it or raise $DOCSGEN_MAX_BRIEF_KB"
        )


def _strings(value: Any, path: str) -> list[tuple[str, str]]:
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in _strings(item, f"{path}.{key}" if path else str(key))]
    if isinstance(value, list | tuple):
        return [s for i, item in enumerate(value) for s in _strings(item, f"{path}.{i}")]
    return []


def check_field_sizes(data: Any, source: str) -> None:
    """Refuse a brief with one field (name, term, note …) longer than the field cap."""
    limit = max_field_bytes()
    for path, text in _strings(data, ""):
        size = len(text.encode())
        if size > limit:
            raise BriefError(
                f"{source}: field '{path}' is {size / 1024:.0f} KB, over the {limit // 1024} KB field limit; "
                "shorten it or raise $DOCSGEN_MAX_FIELD_KB"
            )
