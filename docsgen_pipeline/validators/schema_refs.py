"""The schema-reference rule: a file that must cite canonical schemas links to each one."""

from __future__ import annotations

import posixpath
from collections.abc import Callable

from docsgen_pipeline.markdown.document import Document
from docsgen_pipeline.markdown.slugs import github_slug
from docsgen_pipeline.validators.findings import Finding, issue
from docsgen_pipeline.validators.resolve import resolve_path


def check_schema_refs(
    file: str,
    doc: Document,
    schemas: tuple[str, ...],
    schema_file: str | None,
    slug: Callable[[str], str] = github_slug,
) -> list[Finding]:
    """``slug``: the publishing flavour's heading id for a schema name."""
    if not schemas:
        return []
    if schema_file is None:
        return [
            issue(
                file,
                0,
                "schema-reference",
                f"schemas {', '.join(schemas)} are required but no schema file is set",
                "set the validation context's schema_file",
            )
        ]
    target = posixpath.normpath(schema_file)
    # A fragment into the schema file that names no heading there is already a broken-fragment
    # finding; here only "never linked at all" counts, so one defect is reported once.
    linked = {
        link.fragment.lower()
        for link in doc.links
        if link.fragment is not None and not link.external and resolve_path(file, link.path) == target
    }
    return [
        issue(
            file,
            0,
            "schema-reference",
            f"schema '{name}' is not referenced",
            f"link it as [{name}]({posixpath.relpath(target, posixpath.dirname(file) or '.')}#{slug(name)})",
        )
        for name in schemas
        if slug(name).lower() not in linked
    ]
