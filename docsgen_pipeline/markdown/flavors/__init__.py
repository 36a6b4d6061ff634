"""Renderer flavours by name: the one registry the CLI, the config and the pipeline read."""

from __future__ import annotations

from docsgen_pipeline.errors import ConfigError
from docsgen_pipeline.markdown.flavors.base import Flavor
from docsgen_pipeline.markdown.flavors.github import GitHubFlavor
from docsgen_pipeline.markdown.flavors.mdbook import MdBookFlavor
from docsgen_pipeline.markdown.flavors.mkdocs import MkDocsFlavor

FLAVORS: dict[str, Flavor] = {
    "github": GitHubFlavor(),
    "mkdocs": MkDocsFlavor(),
    "mdbook": MdBookFlavor(),
}
DEFAULT_FLAVOR = "github"


def get_flavor(name: str, where: str = "flavor") -> Flavor:
    try:
        return FLAVORS[name]
    except KeyError:
        raise ConfigError(f"{where}: unknown flavor '{name}' (flavors: {', '.join(FLAVORS)})") from None


__all__ = ["DEFAULT_FLAVOR", "FLAVORS", "Flavor", "get_flavor"]
