"""The shape of the source tree: no import cycles, no private names taken across modules.

Read from the source with :mod:`ast`, so every import counts, those under
``if TYPE_CHECKING:`` and inside functions included.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SOURCE / "tether"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SOURCE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in PACKAGE.rglob("*.py")}


def _imports(name: str) -> Iterator[tuple[str, str | None]]:
    """(module imported, name taken from it or None) for every tether import of ``name``."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "tether":
                    yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            if source.split(".")[0] != "tether":
                continue
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                if submodule in MODULES:
                    yield submodule, None
                else:
                    yield source, alias.name


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name in MODULES:
        edges = graph.setdefault(name, set())
        for target, _ in _imports(name):
            # Importing a.b.c runs a and a.b first: count the packages too.
            parts = target.split(".")
            for end in range(2, len(parts) + 1):
                module = ".".join(parts[:end])
                # A package's own modules import it mid-way through its __init__: no cycle.
                if module in MODULES and module != name and not name.startswith(f"{module}."):
                    edges.add(module)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_reader_sees_the_whole_tree() -> None:
    assert "tether._transports._retry" in MODULES
    assert ("tether._transports._base", "Send") not in set(_imports("tether._errors"))
    assert ("tether._transports._base", "Attempt") in set(_imports("tether._errors"))


def test_no_import_cycles() -> None:
    assert _cycle(_graph()) is None


def test_a_cycle_is_found_when_there_is_one() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_no_module_takes_a_private_name_from_another() -> None:
    taken = sorted(
        f"{name} imports {source}.{imported}"
        for name in MODULES
        for source, imported in _imports(name)
        if imported is not None
        and imported.startswith("_")
        and not imported.startswith("__")
        and source != name
    )
    assert taken == []
