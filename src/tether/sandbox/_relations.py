"""json-server's ``_embed`` (children inside each item) and ``_expand`` (parent inside each
item). Pure: the items of other resources come from a function passed in."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from tether.sandbox._query import QueryError
from tether.sandbox._resources import RESOURCES, Resource

__all__ = ["attach", "parse_relations", "singular"]

Item = dict[str, Any]


def singular(resource: str) -> str:
    """``"users"`` -> ``"user"``: the key an expanded parent gets (``userId`` -> ``user``)."""
    return resource[:-1]


def parse_relations(
    resource: Resource, pairs: Iterable[tuple[str, str]]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(children to embed, parents to expand)`` asked by ``_embed`` / ``_expand``."""
    embeds: list[str] = []
    expands: list[str] = []
    parent = resource.parent
    for key, value in pairs:
        for name in (part.strip() for part in value.split(",") if part.strip()):
            if key == "_embed":
                if name not in resource.children:
                    raise QueryError(
                        f"_embed={name!r}: {resource.name} can embed "
                        f"{', '.join(resource.children) or 'nothing'}",
                        "_embed",
                    )
                embeds.append(name)
            elif key == "_expand":
                if parent is None or name != singular(parent[1]):
                    allowed = singular(parent[1]) if parent else "nothing"
                    raise QueryError(
                        f"_expand={name!r}: {resource.name} can expand {allowed}", "_expand"
                    )
                expands.append(name)
    return tuple(dict.fromkeys(embeds)), tuple(dict.fromkeys(expands))


def attach(
    items: Sequence[Item], resource: Resource, embeds: Sequence[str], expands: Sequence[str],
    items_of: Callable[[str], Sequence[Item]],
) -> list[Item]:
    """Copies of ``items`` with the asked children lists and parent objects added."""
    if not embeds and not expands:
        return list(items)
    children: dict[str, dict[int, list[Item]]] = {}
    for child in embeds:
        spec = RESOURCES[child]
        key = spec.parent[0] if spec.parent else ""
        grouped: dict[int, list[Item]] = {}
        for item in items_of(child):
            grouped.setdefault(item.get(key, 0), []).append(item)
        children[child] = grouped
    parents: dict[int, Item] = {}
    if expands and resource.parent is not None:
        parents = {item["id"]: item for item in items_of(resource.parent[1])}
    result: list[Item] = []
    for item in items:
        copy = dict(item)
        for child in embeds:
            copy[child] = children[child].get(item["id"], [])
        if expands and resource.parent is not None:
            copy[expands[0]] = parents.get(item.get(resource.parent[0], 0))
        result.append(copy)
    return result
