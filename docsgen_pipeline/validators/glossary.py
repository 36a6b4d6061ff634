"""Reading a glossary file for ``docsgen validate``: TOML, YAML, JSON or a Markdown list.

Accepted shapes (the same in TOML, YAML and JSON):

* a mapping ``term -> [forbidden variants]``;
* a list (or a ``terms`` / ``glossary`` key holding a list) of ``{term, forbidden}`` entries, so a
  DocsGen brief in YAML is itself a valid glossary file;
* in Markdown, list items written like the brief's glossary: ``- **Sync Service** (not: uploader): …``.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docsgen_pipeline.errors import ConfigError


@dataclass(frozen=True, slots=True)
class GlossaryTerm:
    term: str
    forbidden: tuple[str, ...] = ()


_MD_ITEM = re.compile(
    r"^\s*[-*+]\s+\*\*(?P<term>[^*]+)\*\*\s*(?:\(\s*not\s*:?\s*(?P<variants>[^)]*)\))?", re.IGNORECASE
)


def _variants(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: forbidden variants must be a list of strings")
    return tuple(v.strip() for v in value if v.strip())


def glossary_from_data(data: Any, source: str) -> tuple[GlossaryTerm, ...]:
    if isinstance(data, dict):
        for key in ("terms", "glossary"):
            if key in data:
                return glossary_from_data(data[key], f"{source}: field '{key}'")
        return tuple(
            GlossaryTerm(str(term), _variants(variants, f"{source}: term '{term}'")) for term, variants in data.items()
        )
    if isinstance(data, list):
        terms = []
        for number, entry in enumerate(data, start=1):
            if not isinstance(entry, dict) or not isinstance(entry.get("term"), str):
                raise ConfigError(f"{source}: entry {number} needs a string 'term' (and optional 'forbidden' list)")
            terms.append(GlossaryTerm(entry["term"], _variants(entry.get("forbidden"), f"{source}: entry {number}")))
        return tuple(terms)
    raise ConfigError(f"{source}: a glossary is a mapping term -> [variants] or a list of {{term, forbidden}}")


def glossary_from_markdown(text: str) -> tuple[GlossaryTerm, ...]:
    terms = []
    for line in text.splitlines():
        m = _MD_ITEM.match(line)
        if m:
            variants = [v.strip(" `'\"") for v in (m.group("variants") or "").split(",")]
            terms.append(GlossaryTerm(m.group("term").strip(), tuple(v for v in variants if v)))
    return tuple(terms)


def load_glossary(path: Path) -> tuple[GlossaryTerm, ...]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read glossary file: {exc.strerror or exc}") from None
    suffix = path.suffix.lower()
    try:
        if suffix == ".toml":
            return glossary_from_data(tomllib.loads(text), str(path))
        if suffix == ".json":
            return glossary_from_data(json.loads(text), str(path))
        if suffix in (".yaml", ".yml"):
            import yaml  # only here: YAML glossaries are rare and the import is not free

            return glossary_from_data(yaml.safe_load(text), str(path))
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: invalid {suffix[1:].upper()}: {exc}") from None
    except Exception as exc:  # yaml.YAMLError, imported lazily
        if type(exc).__module__.startswith("yaml"):
            raise ConfigError(f"{path}: invalid YAML: {exc}") from None
        raise
    if suffix in (".md", ".markdown"):
        return glossary_from_markdown(text)
    raise ConfigError(f"{path}: unknown glossary format; use .toml, .yaml, .json or .md")
