"""Map the sections of a prose brief onto brief fields, and say what was not understood."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from docsgen_pipeline.prose import relations
from docsgen_pipeline.prose.blocks import Item, Section, Table, read_sections, sentences
from docsgen_pipeline.prose.headings import heading_kind

_FORBIDDEN_RE = re.compile(r"\(\s*(?:not|never|avoid)\s*:?\s*(?P<variants>[^)]*)\)", re.IGNORECASE)
_FIELD_RE = re.compile(r"^(?P<name>[A-Za-z_][\w]*)\s*(?:\((?P<type>[^)]*)\))?\s*(?::|—|–| - )?\s*(?P<desc>.*)$")
_TYPED_RE = re.compile(r"^`?(?P<name>[A-Za-z_]\w*)?`?\s*\((?P<type>[^)]*)\)\s*(?::|—|–|-)?\s*(?P<desc>.*)$")
NOT_STATED = "not stated"


def _desc(item: Item, typed: re.Match[str] | None) -> str:
    return typed.group("desc") if typed else item.rest


@dataclass
class ProseReading:
    """Brief fields read from prose, and what the reader passed over."""

    fields: dict[str, Any] = field(default_factory=dict)
    sections: list[tuple[str, str | None, int]] = field(default_factory=list)  # heading, kind, line
    ignored: list[str] = field(default_factory=list)


def _short_name(item: Item) -> str:
    if item.name:
        return item.name
    text = item.text.strip().rstrip(".")
    return text if 0 < len(text.split()) <= 6 else ""


def _column(table: Table, *names: str) -> int | None:
    for i, header in enumerate(table.headers):
        if any(n in header for n in names):
            return i
    return None


def _cell(row: list[str], index: int | None) -> str:
    return row[index].strip() if index is not None and index < len(row) else ""


def _named_items(section: Section) -> list[Item]:
    return section.items + section.named_sentences


def _components(section: Section, reading: ProseReading) -> list[dict[str, Any]]:
    rows: list[tuple[str, str, str, list[str]]] = []  # name, responsibility, text for deps, stated deps
    for item in _named_items(section):
        name = _short_name(item)
        if not name:
            reading.ignored.append(
                f"line {section.line}: '{item.text[:60]}' names no component (lead it with **Name**)"
            )
            continue
        rows.append((name, item.rest, " ".join([item.text, *item.sub_items]), []))
    for sub in section.subsections:
        text = " ".join(sub.paragraphs + [i.text for i in sub.items])
        rows.append((sub.heading, " ".join(sub.paragraphs[:1]) or text, text, []))
    for table in section.tables:
        name_at = _column(table, "component", "name", "part", "service", "module")
        resp_at = _column(table, "responsib", "description", "role", "purpose", "what", "does")
        deps_at = _column(table, "depend", "uses", "calls", "talks")
        for row in table.rows:
            if _cell(row, name_at):
                deps = relations.variants(_cell(row, deps_at)) if deps_at is not None else []
                rows.append((_cell(row, name_at), _cell(row, resp_at), _cell(row, resp_at), deps))
    names = [r[0] for r in rows]
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for name, responsibility, text, stated in rows:
        if name.lower() in seen:
            continue
        seen.add(name.lower())
        deps = [d for d in stated if d.lower() not in ("", "none", "-")] + relations.dependencies(text, names, name)
        canon = {n.lower(): n for n in names}
        deps = list(dict.fromkeys(canon.get(d.lower(), d) for d in deps))
        out.append({"name": name, "responsibility": responsibility.rstrip("."), "depends_on": deps})
    return out


class _Entities:
    def __init__(self) -> None:
        self.by_name: dict[str, dict[str, Any]] = {}
        self.last: str = ""

    def get(self, name: str) -> dict[str, Any]:
        name = name.strip()
        key = name.lower()
        if key not in self.by_name:
            self.by_name[key] = {"name": name[:1].upper() + name[1:], "description": "", "fields": [], "states": []}
        self.last = key
        return self.by_name[key]

    def add_field(self, entity: dict[str, Any], name: str, type_: str = NOT_STATED, description: str = "") -> None:
        if all(f["name"].lower() != name.lower() for f in entity["fields"]):
            entity["fields"].append({"name": name, "type": type_ or NOT_STATED, "description": description})

    def sentence(self, sentence: str, default: str = "") -> bool:
        found = relations.has_fields(sentence)
        if found:
            entity = self.get(found[0])
            for f in found[1]:
                self.add_field(entity, f)
            return True
        states = relations.states(sentence)
        if states:
            named = [k for k in self.by_name if relations.mentions(sentence, k)]
            key = named[0] if named else (default.lower() or self.last)
            if key:
                self.get(self.by_name[key]["name"] if key in self.by_name else key)["states"] = states
                return True
        return False

    def table(self, table: Table, owner: str = "") -> None:
        field_at = _column(table, "field", "attribute", "column", "property")
        entity_at = _column(table, "entity", "record", "object", "thing")
        name_at = _column(table, "name")
        type_at = _column(table, "type", "kind", "format")
        desc_at = _column(table, "description", "meaning", "what", "notes")
        for row in table.rows:
            if entity_at is not None and field_at is not None:
                entity = self.get(_cell(row, entity_at))
                fields = relations.variants(_cell(row, field_at))
                if len(fields) > 1 or type_at is None:
                    for f in fields:
                        self.add_field(entity, f)
                else:
                    self.add_field(entity, _cell(row, field_at), _cell(row, type_at), _cell(row, desc_at))
            elif owner and (field_at is not None or name_at is not None):
                at = field_at if field_at is not None else name_at
                self.add_field(self.get(owner), _cell(row, at), _cell(row, type_at), _cell(row, desc_at))
            elif entity_at is not None or name_at is not None:
                at = entity_at if entity_at is not None else name_at
                self.get(_cell(row, at))["description"] = _cell(row, desc_at)


def _entities(section: Section) -> list[dict[str, Any]]:
    ents = _Entities()
    for sub in section.subsections:
        entity = ents.get(sub.heading)
        entity["description"] = next((p for p in sub.paragraphs if not relations.has_fields(p)), "")
        for item in sub.items:
            typed = _TYPED_RE.match(item.rest) or _TYPED_RE.match(item.text)
            if item.name and _FIELD_RE.match(item.name):
                ents.add_field(entity, item.name, typed.group("type") if typed else NOT_STATED, _desc(item, typed))
            elif typed and typed.group("name"):
                ents.add_field(entity, typed.group("name"), typed.group("type"), typed.group("desc"))
            elif not ents.sentence(item.text, sub.heading):
                ents.add_field(entity, item.text.rstrip("."))
        for paragraph in sub.paragraphs:
            for s in sentences(paragraph):
                ents.sentence(s, sub.heading)
        for table in sub.tables:
            ents.table(table, sub.heading)
    for item in section.items:
        if ents.sentence(item.text):
            continue
        if item.name:
            entity = ents.get(item.name)
            entity["description"] = item.rest
            for s in sentences(item.rest):
                ents.sentence(s, item.name)
    for table in section.tables:
        ents.table(table)
    for paragraph in section.paragraphs:
        for s in sentences(paragraph):
            ents.sentence(s)
    return list(ents.by_name.values())


def _glossary_item(item: Item) -> dict[str, Any] | None:
    rule = relations.usage_rule(item.text)
    if rule:
        return {"term": rule[0], "definition": "", "forbidden": rule[1]}
    text = item.text
    forbidden: list[str] = []
    match = _FORBIDDEN_RE.search(text)
    if match:
        forbidden = relations.variants(match.group("variants"))
    name = item.name or _short_name(item)
    if not name:
        return None
    rest = _FORBIDDEN_RE.sub("", item.rest).strip(" :—–-")
    for s in sentences(rest):
        found = relations.usage_rule(s)
        if found:
            forbidden += [v for v in found[1] if v not in forbidden]
    return {"term": _FORBIDDEN_RE.sub("", name).strip(), "definition": rest, "forbidden": forbidden}


def _glossary(section: Section, reading: ProseReading) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in section.items:
        entry = _glossary_item(item)
        if entry:
            out.append(entry)
        else:
            reading.ignored.append(f"line {section.line}: '{item.text[:60]}' is not a term (write **Term**: meaning)")
    for paragraph in section.paragraphs:
        for s in sentences(paragraph):
            rule = relations.usage_rule(s)
            if rule:
                out.append({"term": rule[0], "definition": "", "forbidden": rule[1]})
    for item in section.named_sentences:
        if not relations.usage_rule(item.text):
            entry = _glossary_item(item)
            if entry:
                out.append(entry)
    for table in section.tables:
        term_at = _column(table, "term", "word", "use", "say", "name")
        def_at = _column(table, "definition", "meaning", "means", "description")
        bad_at = _column(table, "never", "not", "avoid", "forbidden", "instead", "don")
        for row in table.rows:
            if _cell(row, term_at):
                bad = relations.variants(_cell(row, bad_at)) if bad_at is not None else []
                out.append({"term": _cell(row, term_at), "definition": _cell(row, def_at), "forbidden": bad})
    merged: dict[str, dict[str, Any]] = {}
    for entry in out:
        key = entry["term"].lower()
        if key in merged:
            merged[key]["forbidden"] += [v for v in entry["forbidden"] if v not in merged[key]["forbidden"]]
            merged[key]["definition"] = merged[key]["definition"] or entry["definition"]
        else:
            merged[key] = entry
    return list(merged.values())


def _screens(section: Section) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in _named_items(section):
        name = _short_name(item)
        if name:
            out.append({"name": name, "purpose": item.rest.rstrip("."), "elements": item.sub_items})
    for sub in section.subsections:
        elements = [i.text for i in sub.items]
        out.append({"name": sub.heading, "purpose": " ".join(sub.paragraphs[:1]), "elements": elements})
    for table in section.tables:
        name_at = _column(table, "screen", "page", "view", "name")
        purpose_at = _column(table, "purpose", "description", "what", "shows")
        for row in table.rows:
            if _cell(row, name_at):
                out.append({"name": _cell(row, name_at), "purpose": _cell(row, purpose_at), "elements": []})
    return out


def _steps_from(text: str) -> list[str]:
    parts = [p.strip(" .") for p in re.split(r"\s*(?:→|->|=>|⟶|, then |; then | then )\s*", text)]
    return [p for p in parts if p]


def _workflows(section: Section) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for sub in section.subsections:
        steps = [i.text for i in sub.items] or [s for p in sub.paragraphs for s in sentences(p)]
        out.append({"name": sub.heading, "steps": steps})
    loose = [i for i in section.items if not (i.name and (i.sub_items or len(_steps_from(i.rest)) > 1))]
    for item in section.items:
        if item not in loose:
            out.append({"name": item.name, "steps": item.sub_items or _steps_from(item.rest)})
    if loose and not section.subsections and not out:
        out.append({"name": section.heading, "steps": [i.text for i in loose]})
    return out


def _texts(section: Section) -> list[str]:
    return [i.text for i in section.items] or [s for p in section.paragraphs for s in sentences(p)]


def read_prose(body: str) -> ProseReading:
    """Read a Markdown body (front matter already removed) into brief fields."""
    title, lead, sections = read_sections(body)
    reading = ProseReading()
    data = reading.fields
    if title:
        data["name"] = title
    if lead:
        data["summary"] = lead
    notes: list[str] = []
    for section in sections:
        kind = heading_kind(section.heading)
        reading.sections.append((section.heading, kind, section.line))
        if kind == "components":
            data.setdefault("components", []).extend(_components(section, reading))
        elif kind == "entities":
            data.setdefault("entities", []).extend(_entities(section))
        elif kind == "glossary":
            data.setdefault("glossary", []).extend(_glossary(section, reading))
        elif kind == "screens":
            data.setdefault("screens", []).extend(_screens(section))
        elif kind == "workflows":
            data.setdefault("workflows", []).extend(_workflows(section))
        elif kind in ("goals", "constraints", "audience"):
            data.setdefault(kind, []).extend(_texts(section))
        elif kind == "non_goals":
            data.setdefault("constraints", []).extend(f"Out of scope: {t}" for t in _texts(section))
        elif kind == "summary" and section.paragraphs:
            data["summary"] = " ".join(section.paragraphs)
        elif kind == "background":
            text = " ".join(section.paragraphs + [i.text for i in section.items])
            if text:
                notes.append(f"{section.heading}: {text}")
                data.setdefault("summary", section.paragraphs[0] if section.paragraphs else text)
        else:
            text = " ".join(section.paragraphs + [i.text for i in section.items])
            reading.ignored.append(
                f"line {section.line}: section '## {section.heading}' not recognised; kept as notes only"
            )
            if text:
                notes.append(f"{section.heading}: {text}")
    if notes:
        data["notes"] = "\n\n".join(notes)
    return reading
