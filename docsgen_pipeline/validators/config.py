"""``docsgen validate`` configuration: ``docsgen.toml`` ``[validate]`` or ``pyproject.toml``
``[tool.docsgen.validate]``, then command-line flags on top.

Example ``docsgen.toml``::

    [validate]
    ignore = ["drafts/**", "CHANGELOG.md"]
    ignore_links = ['^[\\w.-]+$']        # regexes on link targets never checked (e.g. MyST/Sphinx refs)
    glossary = "glossary.toml"          # or an inline table: {"Sync Service" = ["uploader"]}
    disable = ["terminology"]
    enable = ["nav-block"]
    nav_targets = ["index.md"]          # files every nav block must link
    nav_pattern = '\\[← .+\\]\\('       # regex the text after the last `---` must match
    check_external = false              # network access: opt-in only
    flavor = "mkdocs"                   # github | mkdocs | mdbook (default: from mkdocs.yml / book.toml)

    [validate.severity]
    broken-fragment = "warning"         # error | warning | info | off

    [validate.required_headings]
    "guide.md" = ["Installation", "Usage"]

Paths inside the file (glossary) are relative to the config file; ignore globs, nav targets and
required-heading files are relative to the validated directory.  A plain dataclass on purpose:
see :mod:`.findings` for why the CLI path avoids pydantic.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from docsgen_pipeline.errors import ConfigError
from docsgen_pipeline.markdown.flavors import FLAVORS, get_flavor
from docsgen_pipeline.validators.glossary import GlossaryTerm, glossary_from_data, load_glossary
from docsgen_pipeline.validators.rules import RULES

LEVELS = ("error", "warning", "info", "off")
CONFIG_NAMES = ("docsgen.toml", "pyproject.toml")
# Off outside the pipeline unless configured: without targets or a pattern there is nothing to check.
_OFF_BY_DEFAULT = frozenset({"nav-block", "external-link", "model-reply"})
_KEYS = frozenset(
    {
        "ignore",
        "ignore_links",
        "glossary",
        "disable",
        "enable",
        "severity",
        "nav_targets",
        "nav_pattern",
        "check_external",
        "required_headings",
        "schema_file",
        "required_schema_refs",
        "flavor",
    }
)


@dataclass(frozen=True)
class ValidateConfig:
    severity: dict[str, str] = field(default_factory=dict)  # rule -> level; "off" disables
    ignore: tuple[str, ...] = ()
    ignore_links: tuple[str, ...] = ()  # regexes searched in link targets
    glossary: tuple[GlossaryTerm, ...] = ()
    nav_targets: tuple[str, ...] | None = None
    nav_pattern: str | None = None
    check_external: bool = False
    required_headings: dict[str, tuple[str, ...]] = field(default_factory=dict)
    schema_file: str | None = None
    required_schema_refs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    flavor: str | None = None  # renderer flavour; None = detect from mkdocs.yml / book.toml
    source: str = "(defaults)"

    def level(self, rule: str) -> str:
        if rule in self.severity:
            return self.severity[rule]
        if (rule == "nav-block" and (self.nav_targets or self.nav_pattern)) or (
            rule == "external-link" and self.check_external
        ):
            return RULES[rule].severity
        return "off" if rule in _OFF_BY_DEFAULT else RULES[rule].severity

    def per_file_fingerprint(self) -> str:
        """Everything that changes what the per-file rules find (so cached results stay valid)."""
        data = [sorted((g.term, g.forbidden) for g in self.glossary), self.nav_targets, self.nav_pattern]
        return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:16]


def _check_rule(rule: str, where: str) -> str:
    if rule not in RULES:
        raise ConfigError(f"{where}: unknown rule '{rule}' (rules: {', '.join(sorted(RULES))})")
    return rule


def _check_level(level: Any, where: str) -> str:
    if not isinstance(level, str) or level.lower() not in LEVELS:
        raise ConfigError(f"{where}: severity must be one of {', '.join(LEVELS)}, got {level!r}")
    return level.lower()


def _check_regex(pattern: str, where: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ConfigError(f"{where} is not a valid regular expression: {exc}") from None


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: expected a list of strings")
    return tuple(value)


def _file_map(value: Any, where: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a table of file -> list of strings")
    return {str(k): _strings(v, f"{where}.{k}") for k, v in value.items()}


def config_from_data(data: dict[str, Any], source: str, base: Path) -> ValidateConfig:
    """Build a config from the ``validate`` table of ``source``; ``base`` anchors relative paths."""
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise ConfigError(f"{source}: unknown field '{unknown[0]}' (fields: {', '.join(sorted(_KEYS))})")
    severity: dict[str, str] = {}
    for rule in _strings(data.get("disable", []), f"{source}: field 'disable'"):
        severity[_check_rule(rule, f"{source}: field 'disable'")] = "off"
    for rule in _strings(data.get("enable", []), f"{source}: field 'enable'"):
        severity[_check_rule(rule, f"{source}: field 'enable'")] = RULES[rule].severity
    levels = data.get("severity", {})
    if not isinstance(levels, dict):
        raise ConfigError(f"{source}: field 'severity' must be a table of rule = level")
    for rule, level in levels.items():
        where = f"{source}: field 'severity.{rule}'"
        severity[_check_rule(rule, where)] = _check_level(level, where)
    glossary: tuple[GlossaryTerm, ...] = ()
    raw_glossary = data.get("glossary")
    if isinstance(raw_glossary, str):
        glossary = load_glossary(base / raw_glossary)
    elif raw_glossary is not None:
        glossary = glossary_from_data(raw_glossary, f"{source}: field 'glossary'")
    nav_pattern = data.get("nav_pattern")
    if nav_pattern is not None:
        if not isinstance(nav_pattern, str):
            raise ConfigError(f"{source}: field 'nav_pattern' must be a string (a regular expression)")
        _check_regex(nav_pattern, f"{source}: field 'nav_pattern'")
    ignore_links = _strings(data.get("ignore_links", []), f"{source}: field 'ignore_links'")
    for number, pattern in enumerate(ignore_links, start=1):
        _check_regex(pattern, f"{source}: field 'ignore_links' item {number}")
    check_external = data.get("check_external", False)
    if not isinstance(check_external, bool):
        raise ConfigError(f"{source}: field 'check_external' must be true or false")
    schema_file = data.get("schema_file")
    if schema_file is not None and not isinstance(schema_file, str):
        raise ConfigError(f"{source}: field 'schema_file' must be a path string")
    nav_targets = data.get("nav_targets")
    flavor = data.get("flavor")
    if flavor is not None:
        if not isinstance(flavor, str):
            raise ConfigError(f"{source}: field 'flavor' must be a string ({', '.join(FLAVORS)})")
        get_flavor(flavor, f"{source}: field 'flavor'")
    return ValidateConfig(
        severity=severity,
        ignore=_strings(data.get("ignore", []), f"{source}: field 'ignore'"),
        ignore_links=ignore_links,
        glossary=glossary,
        nav_targets=None if nav_targets is None else _strings(nav_targets, f"{source}: field 'nav_targets'"),
        nav_pattern=nav_pattern,
        check_external=check_external,
        required_headings=_file_map(data.get("required_headings", {}), f"{source}: field 'required_headings'"),
        schema_file=schema_file,
        required_schema_refs=_file_map(data.get("required_schema_refs", {}), f"{source}: field 'required_schema_refs'"),
        flavor=flavor,
        source=source,
    )


def _validate_table(path: Path) -> dict[str, Any] | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    table = data.get("tool", {}).get("docsgen", {}) if path.name == "pyproject.toml" else data
    section = table.get("validate") if isinstance(table, dict) else None
    if section is None:
        return None
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: 'validate' must be a table")
    return section


def find_config(start: Path) -> Path | None:
    """The nearest docsgen.toml, or pyproject.toml with [tool.docsgen.validate], at or above ``start``
    (stopping at the repository root, the directory holding ``.git``)."""
    for folder in (start, *start.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if candidate.is_file() and _validate_table(candidate) is not None:
                return candidate
        if (folder / ".git").exists():
            return None
    return None


def load_config(root: Path, explicit: Path | None = None) -> ValidateConfig:
    path = explicit if explicit is not None else find_config(root.resolve())
    if path is None:
        return ValidateConfig()
    section = _validate_table(path)
    if section is None:
        where = "[tool.docsgen.validate]" if path.name == "pyproject.toml" else "[validate]"
        raise ConfigError(f"{path}: no {where} table")
    return config_from_data(section, str(path), path.parent)


def with_flags(
    config: ValidateConfig,
    *,
    disable: tuple[str, ...] = (),
    enable: tuple[str, ...] = (),
    severity: tuple[str, ...] = (),
    ignore: tuple[str, ...] = (),
    ignore_links: tuple[str, ...] = (),
    glossary: Path | None = None,
    check_external: bool | None = None,
    flavor: str | None = None,
) -> ValidateConfig:
    """Command-line flags on top of the file's settings (flags win)."""
    levels = dict(config.severity)
    for pattern in ignore_links:
        _check_regex(pattern, f"--ignore-link {pattern!r}")
    for rule in enable:
        levels[_check_rule(rule, "--enable")] = RULES[rule].severity
    for rule in disable:
        levels[_check_rule(rule, "--disable")] = "off"
    for item in severity:
        rule, sep, level = item.partition("=")
        if not sep:
            raise ConfigError(f"--severity {item!r}: expected RULE=LEVEL, e.g. broken-fragment=warning")
        levels[_check_rule(rule.strip(), "--severity")] = _check_level(level.strip(), f"--severity {item}")
    return replace(
        config,
        severity=levels,
        ignore=config.ignore + ignore,
        ignore_links=config.ignore_links + ignore_links,
        glossary=load_glossary(glossary) if glossary is not None else config.glossary,
        check_external=config.check_external if check_external is None else check_external,
        flavor=config.flavor if flavor is None else get_flavor(flavor, "--flavor").name,
    )
