"""The template writer's links use the blueprint flavour's slugs, so the gate that judges them
with the same flavour, and the renderer that publishes them, agree."""

from __future__ import annotations

from docsgen_pipeline.agents.base import LinkTarget
from docsgen_pipeline.agents.template.links import Linker
from docsgen_pipeline.blueprint import default_blueprint
from docsgen_pipeline.markdown.flavors import get_flavor


def _linker(flavor: str) -> tuple[Linker, str]:
    blueprint = default_blueprint().model_copy(update={"flavor": flavor})
    files = blueprint.all_files()
    heading = "Caret, Mark & Tilde"
    target = LinkTarget(
        key=files[1].key,
        filename="b.md",
        title="B",
        phase=0,
        anchors=(get_flavor(flavor).slug(heading),),
        headings=(heading,),
    )
    return Linker([target], blueprint, files[0].key), target.key


def test_anchor_links_follow_the_flavour() -> None:
    github, key = _linker("github")
    mkdocs, _ = _linker("mkdocs")
    assert github.anchor(key, "Caret, Mark & Tilde") == "[Caret, Mark & Tilde](b.md#caret-mark--tilde)"
    assert mkdocs.anchor(key, "Caret, Mark & Tilde") == "[Caret, Mark & Tilde](b.md#caret-mark-tilde)"
