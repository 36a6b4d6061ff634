"""Structured output: ask for a phase plan in the strongest JSON mode the endpoint enforces.

Modes, strongest first:

- ``json_schema``: OpenAI, vLLM, Ollama >= 0.5 (``response_format: {"type": "json_schema", ...}``);
  the server decodes under the schema's grammar.
- ``json_object_schema``: llama-cpp-python's server (``{"type": "json_object", "schema": {...}}``);
  it refuses ``json_schema`` with a validation error, but constrains to the schema this way.
- ``json_object``: any JSON object (no schema).
- ``prompt``: no ``response_format``; the prompt's answer format and lenient parsing only.

``auto`` starts at the strongest and steps down each time the server refuses a mode; the mode
that worked is remembered per endpoint for the rest of the process (`docsgen doctor` reports it).
"""

from __future__ import annotations

import threading
from typing import Any, Literal

from docsgen_pipeline.agents.base import PlanRequest

StructuredMode = Literal["json_schema", "json_object_schema", "json_object", "prompt"]
StructuredSetting = Literal["auto", "json_schema", "json_object_schema", "json_object", "prompt"]
MODES: tuple[StructuredMode, ...] = ("json_schema", "json_object_schema", "json_object", "prompt")

# No maxLength/maxItems: llama.cpp turns them into rules nested as deep as the bound (200 levels
# for maxLength 200), and its grammar sampler then crawls (measured: no token in 4 min on
# SmolLM2). max_tokens bounds the answer instead.


def _strings(_max_length: int = 0) -> dict[str, Any]:
    return {"type": "string"}


MAX_HEADING_CHARS = MAX_INTENT_CHARS = 0


def plan_schema(request: PlanRequest) -> dict[str, Any]:
    """The JSON Schema of one phase's plan answer: exactly the phase's file keys, bounded lists."""
    keys: list[str] = [f.key for f in request.phase.files]
    section = {
        "type": "object",
        "properties": {
            "heading": _strings(MAX_HEADING_CHARS),
            "level": {"type": "integer", "enum": [2, 3, 4]},
            "intent": _strings(MAX_INTENT_CHARS),
        },
        "required": ["heading", "level", "intent"],
        "additionalProperties": False,
    }
    names = {"type": "array", "items": _strings(MAX_HEADING_CHARS)}
    # Files keyed by their blueprint key, every key required: a constrained decoder can neither
    # drop, repeat nor invent a file (a list of {"key": ...} lets a small model repeat one).
    file = {
        "type": "object",
        "properties": {
            "intent": _strings(MAX_INTENT_CHARS),
            "outline": {"type": "array", "items": section, "minItems": 1},
            "terms": names,
            "schemas": names,
            "links": names,
        },
        "required": ["intent", "outline", "terms", "schemas", "links"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {
            "phase": {"type": "integer", "enum": [request.phase.number]},
            "files": {
                "type": "object",
                "properties": {key: file for key in keys},
                "required": keys,
                "additionalProperties": False,
            },
        },
        "required": ["phase", "files"],
        "additionalProperties": False,
    }


def response_format(mode: StructuredMode, schema: dict[str, Any], name: str = "phase_plan") -> dict[str, Any] | None:
    """The ``response_format`` request field for ``mode`` (None: send none)."""
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}
    if mode == "json_object_schema":
        return {"type": "json_object", "schema": schema}
    if mode == "json_object":
        return {"type": "json_object"}
    return None


def weaker(mode: StructuredMode) -> StructuredMode:
    """The next mode down (``prompt`` is the floor: it sends no response_format, so it is never refused)."""
    return MODES[min(MODES.index(mode) + 1, len(MODES) - 1)]


# Words a server's error uses when it refuses the response_format itself (OpenAI: "Invalid
# parameter: 'response_format' of type 'json_schema' is not supported with this model";
# llama-cpp-python: a pydantic literal_error on ('body', 'response_format', 'type'), as a 500).
_REFUSAL_HINTS = ("response_format", "json_schema", "json_object", "'schema'", "grammar")


def is_format_refusal(status: int, message: str) -> bool:
    return status in (400, 422, 500) and any(hint in message for hint in _REFUSAL_HINTS)


class ModeMemory:
    """The mode that last worked, per endpoint and model (process-wide, thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._modes: dict[tuple[str, str], StructuredMode] = {}

    def start(self, endpoint: str, model: str, setting: StructuredSetting) -> StructuredMode:
        if setting != "auto":
            return setting
        with self._lock:
            return self._modes.get((endpoint, model), MODES[0])

    def refused(self, endpoint: str, model: str, mode: StructuredMode) -> StructuredMode:
        down = weaker(mode)
        with self._lock:
            current = self._modes.get((endpoint, model), MODES[0])
            if MODES.index(down) > MODES.index(current):
                self._modes[(endpoint, model)] = down
        return down


MODE_MEMORY = ModeMemory()
