"""The rule catalogue: every rule id, its default severity and what it is for.

Rule ids are a public contract (config files, suppression comments and the pipeline's asset
checks name them), so they live in one table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: str  # default: "error" | "warning" | "info"
    summary: str
    per_file: bool  # True: decided by one file alone (cacheable per content hash)


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule("non-empty", "error", "the file has content", True),
        Rule("single-h1-first", "error", "the first content is the only H1", True),
        Rule("no-placeholders", "error", "no TODO/TBD/FIXME, lorem ipsum, [insert …] or template tags", True),
        Rule("nav-block", "error", "after the last --- there are links to every nav target", True),
        Rule("broken-link", "error", "relative links resolve to an existing or planned file", False),
        Rule("broken-fragment", "error", "#fragments name a heading or explicit anchor", False),
        Rule("terminology", "error", "glossary terms are spelled as in the glossary", True),
        Rule("schema-reference", "error", "required schemas are linked in the schema file", False),
        Rule("plan-conformance", "error", "planned files exist with their required headings", False),
        # The pipeline's own gate only: empty sections, HTML pages or refusals where prose belongs.
        Rule("model-reply", "error", "sections hold documentation, not an empty, HTML or refusing reply", True),
        # Opt-in (network): off unless --check-external / check_external = true.
        Rule("external-link", "warning", "external http(s) links answer (checked online, opt-in)", False),
    )
}
