"""Links the template writer may emit: only to the request's link targets, with a ``#fragment``
only when the target announces that anchor (a heading slug from its plan or its written text)."""

from __future__ import annotations

from collections.abc import Sequence

from docsgen_pipeline.agents.base import LinkTarget
from docsgen_pipeline.agents.template.text import join_words, link_text
from docsgen_pipeline.blueprint import Blueprint
from docsgen_pipeline.markdown.flavors import get_flavor


class Linker:
    """Links the writer may emit: only to ``link_targets``, fragments only to known anchors."""

    def __init__(self, targets: Sequence[LinkTarget], blueprint: Blueprint, self_key: str) -> None:
        order = {f.key: i for i, f in enumerate(blueprint.all_files())}
        by_key: dict[str, LinkTarget] = {}
        for t in targets:
            if t.key != self_key and t.key not in by_key:
                by_key[t.key] = t
        self._by_key = by_key
        self._order = order
        self._blueprint = blueprint
        self.slug = get_flavor(blueprint.flavor).slug  # the publishing renderer's heading ids

    def has(self, key: str | None) -> bool:
        return key is not None and key in self._by_key

    def target(self, key: str | None) -> LinkTarget | None:
        return self._by_key.get(key) if key else None

    def key_of_kind(self, kind: str) -> str | None:
        return next((f.key for f in self._blueprint.all_files() if f.kind == kind), None)

    def title(self, key: str) -> str:
        target = self._by_key.get(key)
        if target is not None:
            return target.title
        spec = self._blueprint.files_by_key.get(key)
        return spec.title if spec else key

    def file(self, key: str | None, text: str = "") -> str:
        if key is None:
            return text
        label = text or self.title(key)
        target = self._by_key.get(key)
        return f"[{link_text(label)}]({target.filename})" if target else label

    def anchor(self, key: str | None, heading: str, text: str = "") -> str:
        """``[text](file#slug)`` when the slug is a known anchor, else a plain file link or text."""
        label = text or heading
        target = self._by_key.get(key) if key else None
        if target is None:
            return label
        slug = self.slug(heading)
        if slug in target.anchors:
            return f"[{link_text(label)}]({target.filename}#{slug})"
        return f"[{link_text(label)}]({target.filename})"

    def kind(self, kind: str, text: str = "") -> str:
        return self.file(self.key_of_kind(kind), text)

    def kind_anchor(self, kind: str, heading: str, text: str = "") -> str:
        return self.anchor(self.key_of_kind(kind), heading, text)

    def schema(self, entity: str) -> str:
        schema = self._blueprint.schema_file()
        return self.anchor(schema.key if schema else None, entity)

    def schemas(self, entities: Sequence[str]) -> str:
        return join_words([self.schema(e) for e in entities])

    def files(self, keys: Sequence[str]) -> str:
        return join_words([self.file(k) for k in keys])

    def in_phase(self, number: int) -> list[LinkTarget]:
        found = [t for t in self._by_key.values() if t.phase == number]
        return sorted(found, key=lambda t: (self._order.get(t.key, len(self._order)), t.filename))

    def targets(self) -> list[LinkTarget]:
        return sorted(self._by_key.values(), key=lambda t: (self._order.get(t.key, len(self._order)), t.filename))
