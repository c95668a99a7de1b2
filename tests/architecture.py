"""The import graph of a package, read from its source: cycles and private imports.

Every ``import`` and ``from ... import`` statement counts, wherever it is: at the top of a
module, inside a function, or under ``if TYPE_CHECKING:`` (issue 15: "no import cycle,
counting imports inside functions and under TYPE_CHECKING alike").

An edge goes from a module to each module it imports. ``from a.b import c`` imports the
module ``a.b.c`` when that is a module, else the name ``c`` of ``a.b``. Importing a name
also runs the package ``__init__`` of every parent, but that is not counted as an edge:
``from livable.io.readers import Limits`` does not depend on ``livable.io``'s re-exports.

A *private import* is ``from m import _name`` or ``m._name`` on an imported module ``m``,
where ``m`` is another module, or an import of a private module (``livable.io._common``)
from outside the package that holds it (``livable.io``). Dunder names are not private.

Used by ``tests/test_architecture.py``; run ``python tests/architecture.py`` to print the
findings for ``src/livable``.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import attrs

__all__ = ["Graph", "Import", "read_graph"]


@attrs.frozen
class Import:
    """One imported module or name: where (module and line) and what."""

    source: str
    line: int
    target: str
    """The module imported (``livable.io.readers``)."""
    name: str | None = None
    """The name taken from it (``Limits``), or ``None`` for the module itself."""


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


@attrs.frozen
class Graph:
    """The modules of a package (name -> is a package) and every import among them."""

    modules: dict[str, bool]
    imports: tuple[Import, ...]

    def edges(self) -> dict[str, set[str]]:
        """Module -> the modules of the package it imports (itself excluded)."""
        out: dict[str, set[str]] = {m: set() for m in self.modules}
        for imp in self.imports:
            if imp.target in self.modules and imp.target != imp.source:
                out[imp.source].add(imp.target)
        return out

    def cycles(self) -> list[list[str]]:
        """The strongly connected components of more than one module (Tarjan), sorted."""
        edges = self.edges()
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        found: list[list[str]] = []
        counter = 0

        def visit(v: str) -> None:
            nonlocal counter
            index[v] = low[v] = counter
            counter += 1
            stack.append(v)
            on_stack.add(v)
            for w in sorted(edges[v]):
                if w not in index:
                    visit(w)
                    low[v] = min(low[v], low[w])
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == v:
                        break
                if len(component) > 1:
                    found.append(sorted(component))

        sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(edges) + 100))
        for v in sorted(edges):
            if v not in index:
                visit(v)
        return sorted(found)

    def private_imports(self) -> list[Import]:
        """Imports of another module's private name, or of a private module from outside."""
        out = []
        for imp in self.imports:
            if imp.target not in self.modules or imp.target == imp.source:
                continue
            if imp.name is not None and _is_private(imp.name) and imp.name not in self.modules:
                out.append(imp)
                continue
            parts = imp.target.split(".")
            for depth, part in enumerate(parts):
                if _is_private(part):
                    holder = ".".join(parts[:depth])
                    inside = imp.source == holder or imp.source.startswith(holder + ".")
                    if not inside:
                        out.append(imp)
                    break
        return out


def _resolve(source: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = source.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def _imports(
    source: str, is_package: bool, tree: ast.AST, modules: dict[str, bool]
) -> Iterator[Import]:
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield Import(source, node.lineno, a.name)
                aliases[a.asname or a.name.split(".")[0]] = (
                    a.name if a.asname else a.name.split(".")[0]
                )
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(source, is_package, node)
            for a in node.names:
                full = f"{base}.{a.name}"
                if full in modules:
                    yield Import(source, node.lineno, full)
                    aliases[a.asname or a.name] = full
                else:
                    yield Import(source, node.lineno, base, a.name)
    for node in ast.walk(tree):  # module._name on an imported module
        if isinstance(node, ast.Attribute) and _is_private(node.attr):
            chain = []
            value: ast.expr = node.value
            while isinstance(value, ast.Attribute):
                chain.append(value.attr)
                value = value.value
            if isinstance(value, ast.Name) and value.id in aliases:
                target = ".".join([aliases[value.id], *reversed(chain)])
                if target in modules:
                    yield Import(source, node.lineno, target, node.attr)


def read_graph(package_dir: Path) -> Graph:
    """The import graph of the package whose ``__init__.py`` is in ``package_dir``."""
    root = package_dir.parent
    paths = sorted(package_dir.rglob("*.py"))
    modules = {_module_name(root, p): p.name == "__init__.py" for p in paths}
    imports: list[Import] = []
    for path in paths:
        name = _module_name(root, path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        imports += _imports(name, modules[name], tree, modules)
    return Graph(modules, tuple(imports))


if __name__ == "__main__":
    graph = read_graph(Path(__file__).parents[1] / "src" / "livable")
    for cycle in graph.cycles():
        print("cycle:", " <-> ".join(cycle))
    for imp in graph.private_imports():
        what = f"{imp.target}.{imp.name}" if imp.name else imp.target
        print(f"private: {imp.source}:{imp.line} imports {what}")
