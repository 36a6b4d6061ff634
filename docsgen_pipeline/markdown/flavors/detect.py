"""Which renderer publishes a directory: ``mkdocs.yml`` / ``book.toml`` at or above it.

For MkDocs the ``markdown_extensions`` it enables tune the flavour: ``toc``'s ``separator`` and a
unicode ``slugify``, and ``pymdownx.snippets``' ``base_path`` (relative to ``mkdocs.yml``).
Unknown YAML tags (``!!python/name:…``, ``!ENV``) are read as their tag name, never executed.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

from docsgen_pipeline.errors import ConfigError
from docsgen_pipeline.markdown.flavors import FLAVORS, Flavor
from docsgen_pipeline.markdown.flavors.mkdocs import MkDocsFlavor

MKDOCS_FILES = ("mkdocs.yml", "mkdocs.yaml")
MDBOOK_FILES = ("book.toml",)


def find_site_config(start: Path) -> Path | None:
    """The nearest mkdocs.yml or book.toml at or above ``start`` (stopping at the repository root)."""
    for folder in (start, *start.parents):
        for name in (*MKDOCS_FILES, *MDBOOK_FILES):
            if (folder / name).is_file():
                return folder / name
        if (folder / ".git").exists():
            return None
    return None


def _yaml(path: Path) -> dict[str, Any]:
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
        if isinstance(node, yaml.MappingNode):
            return {"!tag": node.tag + suffix, **loader.construct_mapping(node, deep=True)}
        return node.tag if isinstance(node, yaml.ScalarNode) and not node.value else f"{node.tag}{node.value}"

    Loader.add_multi_constructor("!", tagged)
    Loader.add_multi_constructor("tag:yaml.org,2002:python/", tagged)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read MkDocs config: {exc}") from None
    return data if isinstance(data, dict) else {}


def _extensions(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for item in data.get("markdown_extensions") or []:
        if isinstance(item, str):
            out[item] = {}
        elif isinstance(item, dict):
            for name, options in item.items():
                out[str(name)] = options if isinstance(options, dict) else {}
    return out


def mkdocs_flavor(config: Path, root: Path) -> MkDocsFlavor:
    """The MkDocs flavour a ``mkdocs.yml`` describes, for validating ``root``."""
    data = _yaml(config)
    extensions = _extensions(data)
    toc = extensions.get("toc", {})
    flavor = MkDocsFlavor(directory_urls=data.get("use_directory_urls", True) is not False)
    separator = toc.get("separator")
    if isinstance(separator, str) and separator:
        flavor = replace(flavor, separator=separator)
    slug = str(toc.get("slugify", ""))
    if "slugify_unicode" in slug or "uslugify" in slug:
        flavor = replace(flavor, unicode=True)
    tabbed = extensions.get("pymdownx.tabbed", {})
    slugify_option = tabbed.get("slugify")
    if slugify_option:
        case = slugify_option.get("kwds", {}).get("case", "none") if isinstance(slugify_option, dict) else "none"
        flavor = replace(flavor, tab_slug_case=str(case), combine_header_slug=bool(tabbed.get("combine_header_slug")))
    snippets = extensions.get("pymdownx.snippets")
    if snippets is not None:
        bases = snippets.get("base_path", ["."])
        bases = [bases] if isinstance(bases, str) else [str(b) for b in bases]
        here = os.path.relpath(config.parent.resolve(), root.resolve()).replace(os.sep, "/")
        base = tuple(os.path.normpath(f"{here}/{b}").replace(os.sep, "/") for b in bases)
        flavor = replace(flavor, snippet_base=base)
    return flavor


def detect_flavor(root: Path) -> tuple[Flavor, Path | None]:
    """The flavour of ``root`` and the file that decided it (None: nothing found, GitHub)."""
    config = find_site_config(root.resolve())
    if config is None:
        return FLAVORS["github"], None
    if config.name in MKDOCS_FILES:
        return mkdocs_flavor(config, root), config
    try:
        tomllib.loads(config.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{config}: cannot read mdBook config: {exc}") from None
    return FLAVORS["mdbook"], config


def flavor_for(root: Path, name: str | None) -> Flavor:
    """``name`` when given (``--flavor`` / config), tuned by a matching site config; else detected."""
    detected, _ = detect_flavor(root)
    if name is None or name == detected.name:
        return detected
    from docsgen_pipeline.markdown.flavors import get_flavor

    return get_flavor(name)
