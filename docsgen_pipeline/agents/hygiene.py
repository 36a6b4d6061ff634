"""Model output hygiene: what the orchestrator repairs in an answer before any check sees it.

- A *looping* answer (the same lines, or the same phrase, repeated until ``max_tokens``) is
  detected so the agent can retry it once, cooler and with a repetition penalty; if the retry
  loops too, the repeats are collapsed to one copy.
- The orchestrator owns the structure: a second H1 is removed (or demoted when it titles new
  content), heading levels follow the plan's, and a navigation block the model wrote is cut (the
  orchestrator appends the real one).

Each function appends the name of each fix it made to ``fixes``; the agent records them in the
file's metadata as ``normalized``.  :func:`tidy_file` is for whole files, :func:`tidy_section`
for one section's body (``generation: section``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from docsgen_pipeline.agents.normalize import clean_markdown
from docsgen_pipeline.markdown.slugs import github_slug
from docsgen_pipeline.planning import OutlineSection

_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE_RE = re.compile(r"^\s*(`{3,}|~{3,})")
_NAV_RE = re.compile(r"^\s*\[←[^\]]*\]\(")
_RULE = ("---", "***", "___")
MIN_LOOP_REPEATS = 3
MAX_LOOP_PERIOD_LINES = 12


def _content_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _periodic_tail(items: Sequence[str], max_period: int, min_repeats: int) -> tuple[int, int] | None:
    """(period, repeats) when the sequence ends with one block repeated at least ``min_repeats`` times."""
    for period in range(1, max_period + 1):
        repeats = 1
        while (repeats + 1) * period <= len(items) and list(items[-(repeats + 1) * period : -repeats * period]) == list(
            items[-period:]
        ):
            repeats += 1
        if repeats >= min_repeats:
            return period, repeats
    return None


def looks_looping(text: str, finish_reason: str | None) -> bool:
    """True for an answer cut at ``max_tokens`` whose end repeats itself (lines or a phrase)."""
    if finish_reason != "length":
        return False
    lines = _content_lines(text)
    # The last line is likely cut mid-way: judge the complete ones.
    if _periodic_tail(lines[:-1], MAX_LOOP_PERIOD_LINES, MIN_LOOP_REPEATS):
        return True
    tail = " ".join(text.split())[-600:]
    words = tail.split(" ")[1:-1]
    return _periodic_tail(words, 40, 4) is not None


def collapse_loop(text: str, fixes: list[str]) -> str:
    """Keep one copy of a block of lines the text ends by repeating."""
    lines = text.rstrip().splitlines()
    content = [i for i, line in enumerate(lines) if line.strip()]
    found = _periodic_tail([lines[i].strip() for i in content[:-1]], MAX_LOOP_PERIOD_LINES, MIN_LOOP_REPEATS)
    if found is None:
        return text
    period, repeats = found
    complete = content[:-1]
    keep_until = complete[len(complete) - repeats * period + period - 1]
    fixes.append("repeated lines collapsed")
    return "\n".join(lines[: keep_until + 1]) + "\n"


def _scan(lines: list[str]) -> list[tuple[int, int, str]]:
    """(line index, level, text) of every ATX heading outside code blocks."""
    out, fence = [], None
    for i, line in enumerate(lines):
        match = _FENCE_RE.match(line)
        if match:
            marker = match.group(1)
            if fence is None:
                fence = marker[0]
            elif marker[0] == fence:
                fence = None
            continue
        if fence is None and (heading := _HEADING_RE.match(line)):
            out.append((i, len(heading.group(1)), heading.group(2)))
    return out


def strip_nav_block(text: str, fixes: list[str]) -> str:
    """Cut a navigation block (``[← Project](root.md)`` after a rule) the model wrote itself."""
    lines = text.rstrip().splitlines()
    nav = [i for i, line in enumerate(lines) if _NAV_RE.match(line)]
    if not nav:
        return text
    start = nav[0]
    while start > 0 and (not lines[start - 1].strip() or lines[start - 1].strip() in _RULE):
        start -= 1
    fixes.append("nav block removed")
    return "\n".join(lines[:start]).rstrip() + "\n"


def _same(a: str, b: str) -> bool:
    return github_slug(a) == github_slug(b)


def fix_headings(text: str, title: str, outline: Sequence[OutlineSection], fixes: list[str]) -> str:
    """One H1 (the title) first; planned headings at their planned levels."""
    lines = text.splitlines()
    headings = _scan(lines)
    planned = {github_slug(s.heading): s.level for s in outline}
    drop: set[int] = set()
    h1_seen = False
    for index, level, heading in headings:
        if level == 1:
            if not h1_seen:
                h1_seen = True
                continue
            if _same(heading, title):
                drop.add(index)  # the document started over: its second title goes
                fixes.append("second H1 removed")
            else:
                lines[index] = f"{'#' * planned.get(github_slug(heading), 2)} {heading}"
                fixes.append("second H1 demoted")
            continue
        want = planned.get(github_slug(heading))
        if want is not None and want != level:
            lines[index] = f"{'#' * want} {heading}"
            if "heading levels set to the plan's" not in fixes:
                fixes.append("heading levels set to the plan's")
    if not h1_seen:
        lines = [f"# {title}", "", *lines]
        fixes.append("H1 added")
    return "\n".join(line for i, line in enumerate(lines) if i not in drop).strip() + "\n"


def tidy_file(
    text: str, title: str, outline: Sequence[OutlineSection], fixes: list[str], *, looping: bool = False
) -> str:
    """The whole hygiene pass over one file's answer; ``looping``: it still loops after the retry."""
    text = clean_markdown(text, fixes)
    if not text.strip():
        return ""
    if looping:
        text = collapse_loop(text, fixes)
    text = strip_nav_block(text, fixes)
    return fix_headings(text, title, outline, fixes)


def tidy_section(text: str, heading: str, level: int, fixes: list[str], *, looping: bool = False) -> str:
    """Hygiene for one section's body: no heading of its own (the orchestrator writes it), no H1, no
    nav block; a sub-heading the model wrote at or above ``level`` is pushed below it."""
    text = clean_markdown(text, fixes, whole_document=False) if text.strip() else ""
    if looping:
        text = collapse_loop(text, fixes)
    text = strip_nav_block(text, fixes)
    lines = text.splitlines()
    drop: set[int] = set()
    for index, found_level, found in _scan(lines):
        if found_level == 1 or (found_level <= level and _same(found, heading)):
            drop.add(index)
            fixes.append("section heading repeated by the model removed" if _same(found, heading) else "H1 removed")
        elif found_level <= level:
            lines[index] = f"{'#' * min(6, level + 1)} {found}"
            fixes.append("sub-heading levels pushed below the section")
    return "\n".join(line for i, line in enumerate(lines) if i not in drop).strip() + "\n"
