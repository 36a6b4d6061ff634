"""A deterministic "model" that answers DocsGen prompts from their machine-readable parts.

It reads the ``PLAN_FILE:`` lines of a plan prompt and the ``## Contract`` block of a write
prompt (the fixed formats in ``docsgen_pipeline/agents/prompts``) and answers the way a capable
model would: valid plan JSON, and Markdown with the H1, every section at its level, the schema
links and only the allowed link targets.  Good enough for the gates, cheap enough for tests.
"""

from __future__ import annotations

import json
import re
from typing import Any

_FIELD_RE = re.compile(r"^(?P<name>[A-Z_]+):\s?(?P<value>.*)$")


def _lines(prompt: str, name: str) -> list[str]:
    out = []
    for line in prompt.splitlines():
        match = _FIELD_RE.match(line.strip())
        if match and match.group("name") == name:
            out.append(match.group("value").strip())
    return out


def _one(prompt: str, name: str, default: str = "") -> str:
    found = _lines(prompt, name)
    return found[0] if found else default


def _split(value: str) -> list[str]:
    if value in ("", "(none)"):
        return []
    return [part.strip() for part in value.split(";") if part.strip()]


def answer_plan(prompt: str) -> dict[str, Any]:
    phase = re.search(r"Plan phase (\d+)", prompt)
    terms = [t.split("|")[0].strip() for t in _lines(prompt, "TERM")]
    files = []
    for line in _lines(prompt, "PLAN_FILE"):
        key, title = (part.strip() for part in line.split("|")[:2])
        fields: dict[str, str] = {}
        for follow in prompt[prompt.index(line) :].splitlines()[1:4]:
            match = _FIELD_RE.match(follow.strip())
            if match is None or match.group("name") == "PLAN_FILE":
                break
            fields[match.group("name")] = match.group("value").strip()
        required = _split(fields.get("REQUIRED", ""))
        suggested = _split(fields.get("SUGGESTED", ""))
        outline = [{"heading": h, "level": 2, "intent": f"Explain {h.lower()}."} for h in (suggested or required)]
        if not outline:
            outline = [{"heading": "Details", "level": 2, "intent": "The substance of the page."}]
        schemas = _split(fields.get("SCHEMAS", ""))
        files.append(
            {"key": key, "intent": f"Describe {title.lower()}.", "outline": outline, "terms": terms[:2],
             "schemas": schemas, "links": []}
        )
    return {"phase": int(phase.group(1)) if phase else 0, "files": files}


def answer_plan_keyed(prompt: str) -> dict[str, Any]:
    """The plan in the prompt's answer format: files keyed by their blueprint key."""
    plan = answer_plan(prompt)
    return {"phase": plan["phase"], "files": {f.pop("key"): f for f in plan["files"]}}


def answer_markdown(prompt: str) -> str:
    found = re.search(r"^Project: (.+)$", prompt, re.MULTILINE)
    project = found.group(1).strip() if found else "the project"
    title = _one(prompt, "TITLE", "Untitled")
    lines = [f"# {title}", "", f"This page covers {title.lower()} for {project}.", ""]
    links = [line.split("|") for line in _lines(prompt, "LINK")]
    schema_refs = [line.split("->") for line in _lines(prompt, "SCHEMA")]
    terms = _lines(prompt, "USE_TERM")
    if terms:
        lines += [f"It uses the terms {', '.join(terms)} as the glossary defines them.", ""]
    for i, section in enumerate(_lines(prompt, "SECTION")):
        parts = [p.strip() for p in section.split("|")]
        level, heading = int(parts[0]), parts[1]
        lines += [f"{'#' * level} {heading}", "", f"{heading} for {project}, stated plainly.", ""]
        if i == 0 and schema_refs:
            refs = ", ".join(f"[{name.strip()}]({target.strip()})" for name, target in schema_refs)
            lines += [f"Canonical schemas: {refs}.", ""]
        if i == 0 and links:
            shown = ", ".join(f"[{link[1].strip()}]({link[0].strip()})" for link in links[:3])
            lines += [f"Related pages: {shown}.", ""]
    return "\n".join(lines).rstrip() + "\n"


def answer_section(prompt: str) -> str:
    """One section's body, as a capable model would write it in ``section`` generation."""
    found = re.search(r"^Project: (.+)$", prompt, re.MULTILINE)
    project = found.group(1).strip() if found else "the project"
    parts = [p.strip() for p in _one(prompt, "SECTION", "2 | Details").split("|")]
    heading = parts[1] if len(parts) > 1 else "Details"
    return f"{heading} for {project}, stated plainly and grounded in the brief.\n"


def answer(messages: list[dict[str, Any]]) -> str:
    """Answer a chat: the first user message is the task, later ones are re-asks of the same task."""
    task = next((str(m["content"]) for m in messages if m["role"] == "user"), "")
    if "PLAN_FILE:" in task:
        return json.dumps(answer_plan_keyed(task))
    if "## Contract" in task:
        return answer_markdown(task)
    if "## Section task" in task:
        return answer_section(task)
    return "OK"
