"""Site configuration shipped with every bundle, so a renderer publishes it as it is (pure).

``publish/mkdocs.yml`` always (nav from the blueprint's phases, Mermaid through
``pymdownx.superfences``), and for the ``mdbook`` flavour also ``book.toml`` and ``SUMMARY.md``.
The generator and the gate already slugged headings the way the blueprint's flavour renders them,
so ``mkdocs build --strict`` on a ``mkdocs``-flavoured bundle sees no broken anchor.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from docsgen_pipeline.blueprint import Blueprint
from docsgen_pipeline.templates import ENV

SITE_DIR = "publish"


def _yaml(value: object) -> str:
    # A JSON string is a valid YAML scalar whatever it holds (colons, quotes, leading dashes).
    return json.dumps(str(value), ensure_ascii=False)


ENV.filters.setdefault("yaml", _yaml)


def site_files(
    blueprint: Blueprint, project: str, filenames: dict[str, str], present: Collection[str]
) -> dict[str, bytes]:
    """Files to add to the bundle: ``present`` holds the bundle's paths (documents and reports)."""
    root = filenames[blueprint.root.key]
    nav: list[dict[str, Any]] = []
    for phase in blueprint.phases:
        pages = [
            {"title": project if f.key == blueprint.root.key else f.title, "file": filenames[f.key]}
            for f in phase.files
            if filenames[f.key] in present
        ]
        if pages:
            nav.append({"title": phase.title, "pages": pages})
    reports = sorted(p for p in present if p.startswith("reports/") and p.endswith(".md"))
    config = ENV.get_template("mkdocs.yml.j2").render(project=project, nav=nav, reports=reports, config_dir=SITE_DIR)
    files = {f"{SITE_DIR}/mkdocs.yml": config.encode()}
    if blueprint.flavor == "mdbook":
        lines = [f"# {project}", "", f"[{project}]({root})", ""]
        for section in nav:
            lines.append(f"# {section['title']}")
            lines.append("")
            lines += [f"- [{p['title']}]({p['file']})" for p in section["pages"] if p["file"] != root]
            lines.append("")
        files["SUMMARY.md"] = "\n".join(lines).encode()
        files["book.toml"] = f'[book]\ntitle = {json.dumps(project)}\nsrc = "."\n'.encode()
    return files
