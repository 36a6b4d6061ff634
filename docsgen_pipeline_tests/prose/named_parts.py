"""Every part each prose test brief names, written down by hand from the brief's text."""

from __future__ import annotations

from pathlib import Path

BRIEFS_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "briefs"

# brief file -> part -> names (as the brief spells them)
NAMED_PARTS: dict[str, dict[str, list[str]]] = {
    "deck-log.md": {
        "components": ["Deck App", "Logbook Store", "Sync Service", "Shore Portal"],
        "entities": ["Logbook", "Entry"],
        "screens": ["Watch Screen", "Logbook Review"],
        "workflows": [],
        "glossary": ["logbook", "entry"],
    },
    "terse.md": {
        "components": ["Locker Controller", "Locker API", "Parcel DB", "Courier App"],
        "entities": ["Parcel", "Locker"],
        "screens": ["Drop Screen", "Collect Screen"],
        "workflows": ["Drop a parcel"],
        "glossary": ["Pickup code", "Locker bank"],
    },
    "narrative.md": {
        "components": ["Field Monitor", "Planning Engine", "Crew Board", "Farm Database"],
        "entities": ["Field", "Harvest plan"],
        "screens": ["Week View", "Crew Board Screen"],
        "workflows": ["Publish the weekly plan"],
        "glossary": ["harvest plan", "field"],
    },
    "readme-like.md": {
        "components": ["runner", "scheduler", "log-store"],
        "entities": ["Job"],
        "screens": ["Job Page", "Repository Page"],
        "workflows": [],
        "glossary": ["job", "runner"],
    },
    "meeting-notes.md": {
        "components": ["Booking Widget", "Booking API", "Reminder Job", "Booking DB", "SMS Gateway"],
        "entities": ["Appointment", "Slot"],
        "screens": ["Pick a Time", "Clinic Calendar"],
        "workflows": [],
        "glossary": ["appointment", "clinician"],
    },
    "unicode-name.md": {
        "components": ["Table Menu", "Order Hub", "Kitchen Display"],
        "entities": ["Order", "Table"],
        "screens": ["Menu Screen", "Kitchen Queue"],
        "workflows": ["Order at the table"],
        "glossary": ["guest", "Order Hub"],
    },
}

# brief file -> (component, dependency) pairs the brief states
STATED_DEPENDENCIES: dict[str, set[tuple[str, str]]] = {
    "deck-log.md": {("Deck App", "Logbook Store"), ("Sync Service", "Logbook Store"), ("Sync Service", "Shore Portal")},
    "terse.md": {("Locker Controller", "Locker API"), ("Locker API", "Parcel DB"), ("Courier App", "Locker API")},
    "narrative.md": {
        ("Field Monitor", "Planning Engine"), ("Planning Engine", "Farm Database"), ("Crew Board", "Farm Database"),
    },
    "readme-like.md": {("runner", "log-store"), ("scheduler", "runner")},
    "meeting-notes.md": {
        ("Booking Widget", "Booking API"), ("Booking API", "Booking DB"), ("Reminder Job", "Booking DB"),
        ("Reminder Job", "SMS Gateway"),
    },
    "unicode-name.md": {("Table Menu", "Order Hub"), ("Order Hub", "Kitchen Display")},
}

# brief file -> term -> forbidden variants the brief gives
FORBIDDEN: dict[str, dict[str, list[str]]] = {
    "deck-log.md": {"logbook": ["log book"], "entry": ["log line"]},
    "terse.md": {"Pickup code": ["PIN", "pin code"], "Locker bank": ["locker wall"]},
    "narrative.md": {"harvest plan": ["harvest schedule", "cut list"], "field": ["paddock"]},
    "readme-like.md": {"job": ["build", "pipeline run"], "runner": ["agent", "worker"]},
    "meeting-notes.md": {"appointment": ["booking slot"], "clinician": ["doctor"]},
    "unicode-name.md": {"guest": ["customer", "client"], "Order Hub": ["order server"]},
}
