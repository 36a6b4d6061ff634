"""Generate a Markdown corpus with injected defects for the ``docsgen validate`` benchmark.

    python benchmarks/validate_corpus.py OUT --files 500 [--seed 7]

Writes ``OUT/docs/sNN/page-NNNN.md`` (every file ~10 KB of realistic Markdown: front matter,
headings with duplicates and ``{#id}`` anchors, tables, lists, reference-style and angle-bracket
links, HTML anchors, code spans and fences holding link-like text), plus
``OUT/defects.json`` listing every injected defect (file, line, kind, target) and configs for the
peer tools (``mkdocs.yml``, ``.markdown-link-check.json``).  Valid links only use forms real
renderers understand (GitHub slugs, MkDocs attr_list `{#id}` anchors, HTML
anchors), so a peer's extra findings are false alarms against those renderers.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

SECTIONS = 10
WORDS = [
    "order",
    "carrier",
    "shipment",
    "warehouse",
    "invoice",
    "customer",
    "schema",
    "event",
    "queue",
    "retry",
    "batch",
    "window",
    "service",
    "gateway",
    "payload",
    "token",
    "audit",
    "report",
    "metric",
    "latency",
    "throughput",
    "replica",
    "partition",
]
DEFECT_KINDS = ("broken-link", "broken-fragment-cross", "broken-fragment-same", "no-placeholders", "single-h1-first")


def name(i: int) -> str:
    return f"s{i % SECTIONS:02d}/page-{i:04d}.md"


def rel(src: int, dst: int) -> str:
    return f"../{name(dst)}" if src % SECTIONS != dst % SECTIONS else name(dst).split("/")[1]


def sentence(rng: random.Random, n: int = 14) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def build(i: int, n: int, rng: random.Random, defects: list[dict[str, object]]) -> str:
    lines: list[str] = []
    planned = {k for k in DEFECT_KINDS if rng.random() < 0.06}

    def add(*chunk: str) -> None:
        lines.extend(chunk)

    def defect(kind: str, text: str, target: str = "") -> None:
        defects.append({"file": name(i), "line": len(lines) + 1, "kind": kind, "target": target})
        lines.append(text)

    if i % 3 == 0:
        add("---", f"description: Page {i}", "tags: [generated, benchmark]", "---", "")
    add(f"# Page {i}: {rng.choice(WORDS)} {rng.choice(WORDS)}", "")

    def other() -> int:
        return rng.randrange(n)

    for section in range(4):
        title = ["Overview", "Details", "Interfaces", "Details"][section]
        anchor = f" {{#{title.lower()}-{i}}}" if section == 2 else ""
        add(f"## {title}{anchor}", "")
        for _ in range(3):
            a, b = other(), other()
            add(
                f"{sentence(rng)} See [page {a}]({rel(i, a)}) and the [overview]({rel(i, b)}#overview) of page {b};",
                f"{sentence(rng)} `inline [code](nowhere.md)` stays code, as does `TODO`. Jump to [details](#details).",
                f"{sentence(rng)} A [reference link][r{section}] and an [angle link](<{rel(i, other())}>) too.",
                "",
            )
        add("| Key | Value | Link |", "|-----|-------|------|")
        for row in range(4):
            t = other()
            add(f"| k{row} | {rng.choice(WORDS)} | [p{t}]({rel(i, t)}#overview) |")
        add("")
        add(*(f"- {sentence(rng, 8)} [item]({rel(i, other())})" for _ in range(4)), "")
        add("```python", "# [not a link](missing.md) TODO", "print('{{ not a template }}')", "```", "")
        add(f'[r{section}]: {rel(i, other())} "Reference {section}"', "")
        if section == 2:
            add(f'<a id="anchor-{i}"></a>', "", f"Link to the [interfaces](#interfaces-{i}) and [anchor](#anchor-{i}).")
            add("")
        if section == 1 and "broken-link" in planned:
            target = f"../s{i % SECTIONS:02d}/missing-{i}.md"
            defect("broken-link", f"This [link is broken]({target}) on purpose.", target)
            add("")
        if section == 2 and "broken-fragment-cross" in planned:
            t = other()
            target = f"{rel(i, t)}#no-such-section"
            defect("broken-fragment-cross", f"This [fragment is broken]({target}).", target)
            add("")
        if section == 2 and "broken-fragment-same" in planned:
            defect("broken-fragment-same", "This [same-file fragment](#not-here) is broken.", "#not-here")
            add("")
        if section == 3 and "no-placeholders" in planned:
            defect("no-placeholders", "TODO: describe the retention policy.", "TODO")
            add("")
        if section == 3 and "single-h1-first" in planned:
            defect("single-h1-first", "# A second title", "")
            add("")
    add("---", "", "[← Index](../index.md)", "")
    return "\n".join(lines)


def generate(out: Path, files: int, seed: int) -> list[dict[str, object]]:
    rng = random.Random(seed)
    docs = out / "docs"
    defects: list[dict[str, object]] = []
    for s in range(SECTIONS):
        (docs / f"s{s:02d}").mkdir(parents=True, exist_ok=True)
    (docs / "index.md").write_text("# Index\n\nThe generated benchmark corpus.\n", encoding="utf-8")
    for i in range(files):
        (docs / name(i)).write_text(build(i, files, rng, defects), encoding="utf-8")
    (out / "defects.json").write_text(json.dumps(defects, indent=1), encoding="utf-8")
    (out / "mkdocs.yml").write_text(
        "site_name: bench\ndocs_dir: docs\nmarkdown_extensions: [attr_list, tables, toc]\n"
        "validation:\n  links:\n    not_found: warn\n    anchors: warn\n    unrecognized_links: warn\n"
        "    absolute_links: warn\n",
        encoding="utf-8",
    )
    (out / ".markdown-link-check.json").write_text(
        json.dumps({"ignorePatterns": [{"pattern": "^https?://"}]}), encoding="utf-8"
    )
    return defects


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    defects = generate(args.out, args.files, args.seed)
    print(f"{args.files} files, {len(defects)} defects in {args.out}")


if __name__ == "__main__":
    main()
