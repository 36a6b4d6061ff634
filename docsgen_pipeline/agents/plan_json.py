"""Turn a model's phase-plan answer into a validated :class:`PhasePlan`.

Local models return sloppy JSON: fenced, with prose around it, trailing commas, Python literals,
single quotes, smart quotes, or cut off at ``max_tokens``.  ``repair_json`` fixes what can be
fixed mechanically; the remaining problems become a short error the agent sends back to the
model (a bounded number of times).  The blueprint stays the planned-files authority:
``enforce_blueprint`` runs on every parsed plan.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

from pydantic import ValidationError

from docsgen_pipeline.agents.base import PlanRequest
from docsgen_pipeline.agents.normalize import strip_wrapping_fence
from docsgen_pipeline.errors import PlanError, PlanParseError
from docsgen_pipeline.planning import FilePlan, OutlineSection, PhasePlan, enforce_blueprint

_THINK_RE = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_TRAILING_COMMA_RE = re.compile(r",(\s*[}\]])")
_SMART = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})
_TO_PYTHON = {"true": "True", "false": "False", "null": "None"}


def _close_truncated(text: str) -> str:
    """Close strings and brackets an answer cut off at max_tokens left open."""
    stack: list[str] = []
    in_string = escaped = False
    last_safe = 0  # end of the last complete value inside a container
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string = True
        elif ch in "[{":
            stack.append("]" if ch == "[" else "}")
        elif ch in "]}":
            if stack:
                stack.pop()
            last_safe = i + 1
            if not stack:
                return text[: i + 1]
        elif ch == ",":
            last_safe = i
    if not stack:
        return text
    # Drop the half-written element after the last complete one, then close what is open.
    head = text[:last_safe] if last_safe else text
    return _reclose(head)


def _reclose(text: str) -> str:
    stack: list[str] = []
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            stack.append("]" if ch == "[" else "}")
        elif ch in "]}" and stack:
            stack.pop()
    text = text.rstrip().rstrip(",").rstrip()
    if in_string:
        text += '"'
    if text.endswith(":"):
        text += " null"
    return _TRAILING_COMMA_RE.sub(r"\1", text + "".join(reversed(stack)))


def repair_json(text: str) -> Any:
    """Parse the first JSON value in ``text``, repairing common model mistakes; raises ValueError."""
    text = strip_wrapping_fence(_THINK_RE.sub("", text)).translate(_SMART)
    starts = [i for i in (text.find("{"), text.find("[")) if i >= 0]
    if not starts:
        raise ValueError("the answer contains no JSON object")
    text = text[min(starts) :]
    candidates = [text]
    fixed = _TRAILING_COMMA_RE.sub(r"\1", text)
    candidates.append(fixed)
    candidates.append(_close_truncated(fixed))
    first_error: ValueError | None = None
    for candidate in candidates:
        try:
            value, _ = json.JSONDecoder().raw_decode(candidate)
            return value
        except json.JSONDecodeError as exc:
            first_error = first_error or ValueError(f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}")
    # Single quotes and True/False/None: the answer is a Python literal, not JSON.
    try:
        return ast.literal_eval(_close_truncated(fixed))
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        pass
    pythonish = re.sub(r"\b(true|false|null)\b", lambda m: _TO_PYTHON[m[1]], fixed)
    try:
        return ast.literal_eval(_close_truncated(pythonish))
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        assert first_error is not None
        raise first_error from None


_FILE_FIELDS = set(FilePlan.model_fields)
_SECTION_FIELDS = set(OutlineSection.model_fields)
_HEADING_ALIASES = ("heading", "title", "name", "text", "section")


def _level(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return min(4, max(2, value))
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("#"):
            return min(4, max(2, len(value) - len(value.lstrip("#"))))
        if value.isdigit():
            return min(4, max(2, int(value)))
    return None


def _section(raw: Any, notes: set[str]) -> Any:
    if isinstance(raw, str):
        notes.add("outline entries as strings")
        hashes = len(raw) - len(raw.lstrip("#"))
        heading = raw.lstrip("#").strip()
        if " - " in heading and not hashes:
            heading = heading.split(" - ", 1)[0].strip()
        return {"heading": heading, "level": min(4, max(2, hashes)) if hashes else 2}
    if isinstance(raw, dict):
        if "heading" not in raw:
            alias = next((k for k in _HEADING_ALIASES if isinstance(raw.get(k), str)), None)
            if alias is not None:
                raw = {**raw, "heading": raw[alias]}
                notes.add(f"section '{alias}' read as heading")
        out = {k: v for k, v in raw.items() if k in _SECTION_FIELDS}
        if set(raw) - _SECTION_FIELDS - set(_HEADING_ALIASES):
            notes.add("extra section keys dropped")
        if isinstance(out.get("heading"), str) and out["heading"].lstrip().startswith("#"):
            hashes = out["heading"].strip()
            out["heading"] = hashes.lstrip("#").strip()
            out.setdefault("level", hashes)
            notes.add("heading marks stripped")
        if "level" not in out:
            notes.add("missing levels set to 2")
            out["level"] = 2
        elif not isinstance(out["level"], int) or isinstance(out["level"], bool) or not 2 <= out["level"] <= 4:
            level = _level(out["level"])
            if level is not None:
                notes.add("levels normalised")
                out["level"] = level
        if out.get("intent") is None:
            out["intent"] = ""
        return out
    return raw


def _is_placeholder(heading: Any) -> bool:
    """A heading copied from the prompt's answer template ("<heading>") or left empty by a model."""
    return isinstance(heading, str) and (not heading.strip() or heading.strip().startswith("<"))


def _as_list(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        return [v if isinstance(v, str) else str(v.get("name", v)) if isinstance(v, dict) else str(v) for v in value]
    return value


def _files(data: Any, notes: set[str]) -> list[Any]:
    if isinstance(data, dict) and "files" not in data:
        nested = next((v for v in data.values() if isinstance(v, (list, dict))), None)
        if isinstance(nested, list) or (isinstance(nested, dict) and "files" in nested):
            notes.add("plan nested under another key")
            data = nested
    if isinstance(data, dict) and "key" in data and "files" not in data:
        notes.add("a single file object instead of a list")
        data = [data]
    if isinstance(data, list):
        notes.add("a bare list instead of {'files': [...]}")
        files: Any = data
    else:
        files = data.get("files") if isinstance(data, dict) else data
    if isinstance(files, dict):  # {"foundations": {...}, ...}: the asked-for shape
        files = [{"key": k, **v} if isinstance(v, dict) else v for k, v in files.items()]
    if not isinstance(files, list):
        raise ValueError("expected an object with a 'files' list")
    return files


def coerce_plan(data: Any, request: PlanRequest, notes: set[str] | None = None) -> dict[str, Any]:
    """Map a loosely shaped answer onto PhasePlan's fields; identity fields come from the blueprint.

    Each kind of repair applied is added to ``notes`` (recorded with the plan as ``coercions``).
    """
    notes = set() if notes is None else notes
    files = _files(data, notes)
    spec_by_key = {f.key: f for f in request.phase.files}
    by_title = {f.title.lower(): f.key for f in request.phase.files}
    by_name = {name: key for key, name in request.filenames.items()}
    out = []
    for raw in files:
        if not isinstance(raw, dict):
            raise ValueError(f"each entry of 'files' must be an object, got {type(raw).__name__}")
        entry = {k: v for k, v in raw.items() if k in _FILE_FIELDS or k in ("sections", "headings")}
        if set(raw) - _FILE_FIELDS - {"sections", "headings"}:
            notes.add("extra file keys dropped")
        key = str(entry.get("key", ""))
        if key not in spec_by_key:
            # Models echo the title or file name where the key belongs.
            key = by_name.get(str(entry.get("filename", key)), by_title.get(key.lower(), by_title.get(
                str(entry.get("title", "")).lower(), key)))
            if key in spec_by_key:
                notes.add("file keys recovered from titles or file names")
        entry["key"] = key
        spec = spec_by_key.get(key)
        entry.setdefault("filename", request.filenames.get(key, f"{key}.md"))
        entry.setdefault("title", spec.title if spec else key)
        if not entry.get("intent") or _is_placeholder(entry.get("intent")):
            entry["intent"] = spec.intent if spec else ""
        outline = entry.pop("outline", None) or entry.pop("sections", None) or entry.pop("headings", None) or []
        entry.pop("sections", None)
        entry.pop("headings", None)
        if isinstance(outline, str):
            notes.add("outline as one string")
            outline = [line for line in outline.splitlines() if line.strip()]
        if isinstance(outline, list):
            sections = [_section(s, notes) for s in outline]
            kept = [s for s in sections if not (isinstance(s, dict) and _is_placeholder(s.get("heading")))]
            if len(kept) < len(sections):
                notes.add("placeholder headings dropped")
            for section in kept:
                if isinstance(section, dict) and _is_placeholder(section.get("intent")):
                    section["intent"] = ""
            entry["outline"] = kept
        else:
            entry["outline"] = outline
        for field in ("terms", "schemas", "links"):
            if field in entry:
                values = _as_list(entry[field]) or []
                entry[field] = [v for v in values if not _is_placeholder(v)] if isinstance(values, list) else values
        out.append(entry)
    return {"phase": request.phase.number, "files": out}


def _validation_message(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err["loc"])
        parts.append(f"{where}: {err['msg']}")
    more = len(exc.errors()) - 5
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def parse_plan(text: str, request: PlanRequest, notes: set[str] | None = None) -> PhasePlan:
    """Parse, validate and pin a plan answer; raises PlanParseError with a message fit to send back.

    The repairs applied on the way are added to ``notes``."""
    try:
        data = repair_json(text)
        plan = PhasePlan.model_validate(coerce_plan(data, request, notes))
        return enforce_blueprint(plan, request.blueprint, request.phase, request.brief.slug)
    except ValueError as exc:
        if isinstance(exc, ValidationError):
            raise PlanParseError(f"the plan does not validate: {_validation_message(exc)}") from None
        raise PlanParseError(f"the plan is not usable JSON: {exc}") from None
    except PlanError as exc:
        raise PlanParseError(str(exc)) from None
