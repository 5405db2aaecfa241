"""One direction of imports in the core (issue 16, docs/architecture.md).

Every import of every ``app/core`` module is read with ``ast``: at module level, inside
functions and under ``if TYPE_CHECKING`` alike (an import moved into a function still
makes a circle). The checks:

* no import circle between core modules;
* a module imports only its own sub-package and the layers below its own
  (``app.core.LAYERS``), never a layer above nor a sub-package of the same layer;
* no ``from module import _private`` across modules (within one module's own package
  ``__init__`` re-exports are public names anyway);
* no Qt, no ``app.gui`` (also ``tests/test_boundaries.py``, which runs the import).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app.core import LAYERS

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "app" / "core"


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def core_modules(root: Path = ROOT) -> dict[str, Path]:
    return {module_name(path, root): path for path in sorted((root / "app" / "core").rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> list[tuple[str, tuple[str, ...], int]]:
    """(imported module, names taken from it, line) for every import of the file; a
    ``from package import submodule`` counts as importing the submodule."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    out: list[tuple[str, tuple[str, ...], int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((alias.name, (), node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([module] if module else []))
            plain: list[str] = []
            for alias in node.names:
                if f"{module}.{alias.name}" in known:
                    out.append((f"{module}.{alias.name}", (), node.lineno))
                else:
                    plain.append(alias.name)
            if plain:
                out.append((module, tuple(plain), node.lineno))
    return out


def graph(root: Path = ROOT) -> tuple[dict[str, set[str]], list[str]]:
    """Core module -> core modules it imports; and the private-name imports found."""
    modules = core_modules(root)
    known = set(modules)
    edges: dict[str, set[str]] = {name: set() for name in modules}
    private: list[str] = []
    for name, path in modules.items():
        for target, names, line in imports_of(name, path, known):
            if target not in known or target == name:
                continue
            if target != "app.core":  # the LAYERS constant
                edges[name].add(target)
            hidden = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if hidden:
                private.append(f"{name}:{line} imports {', '.join(hidden)} from {target}")
    return edges, private


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def layer_of(module: str) -> tuple[int, str] | None:
    """(rank, sub-package) of a core module; None for ``app.core`` itself."""
    parts = module.split(".")
    if len(parts) < 3:
        return None
    for rank, packages in enumerate(LAYERS):
        if parts[2] in packages:
            return rank, parts[2]
    raise AssertionError(f"{module}: sub-package {parts[2]!r} is in no layer of app.core.LAYERS")


def layer_violations(edges: dict[str, set[str]]) -> list[str]:
    out = []
    for source, targets in sorted(edges.items()):
        here = layer_of(source)
        for target in sorted(targets):
            there = layer_of(target)
            if here is None or there is None or here[1] == there[1]:
                continue
            if there[0] >= here[0]:
                relation = "a higher" if there[0] > here[0] else "the same"
                out.append(f"{source} ({here[1]}) imports {target} ({there[1]}, {relation} layer)")
    return out


def test_every_core_module_is_in_a_layered_sub_package() -> None:
    loose = [name for name in core_modules() if name.count(".") == 2 and not (CORE / name.split(".")[2]).is_dir()]
    assert loose == [], f"modules directly in app/core (put them in a sub-package): {loose}"
    for name in core_modules():
        layer_of(name)


def test_sub_packages_say_what_they_hold_and_may_import() -> None:
    for package in sorted(p for p in CORE.iterdir() if p.is_dir() and (p / "__init__.py").is_file()):
        doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8")))
        assert doc, f"{package.name}/__init__.py has no docstring"
        if package.name != "store":  # the store's facade documents its use instead
            assert "May import" in doc, f"{package.name}/__init__.py does not say what it may import"


def test_no_import_circle_in_the_core() -> None:
    edges, _ = graph()
    found = cycles(edges)
    assert found == [], "import circles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_no_layer_imports_a_higher_one() -> None:
    edges, _ = graph()
    found = layer_violations(edges)
    assert found == [], "imports against the layers (app.core.LAYERS):\n" + "\n".join(found)


def test_no_module_imports_another_ones_private_names() -> None:
    _, private = graph()
    assert private == [], "private names imported across modules:\n" + "\n".join(private)


def test_core_never_imports_qt_or_the_gui() -> None:
    offenders = []
    for name, path in core_modules().items():
        for target, _, line in imports_of(name, path, set()):
            if target.split(".")[0] in ("PySide6", "shiboken6") or target.startswith("app.gui"):
                offenders.append(f"{name}:{line} imports {target}")
    assert offenders == [], "\n".join(offenders)


# --------------------------------------------------------------------------- the checker itself


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = tmp_path / "app" / "core" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_a_cycle_through_a_function_level_import_is_found(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "__init__.py": "",
        "model/__init__.py": "",
        "model/a.py": "from app.core.model.b import x\n",
        "model/b.py": "def x():\n    from app.core.model import a\n    return a\n",
    })
    edges, _ = graph(root)
    assert cycles(edges) == [["app.core.model.a", "app.core.model.b"]]


def test_an_upward_import_and_a_private_name_are_found(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "__init__.py": "",
        "model/__init__.py": "",
        "model/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from app.core.compute.c import C\n",
        "compute/__init__.py": "",
        "model/b.py": "def _helper():\n    return 1\n",
        "compute/c.py": "from app.core.model.b import _helper\nC = 1\n",
    })
    edges, private = graph(root)
    assert layer_violations(edges) == ["app.core.model.a (model) imports app.core.compute.c (compute, a higher layer)"]
    assert private == ["app.core.compute.c:1 imports _helper from app.core.model.b"]
    assert cycles(edges) == []


@pytest.mark.parametrize("source, target, relation", [("handout", "batch", "the same"), ("base", "model", "a higher")])
def test_a_sub_package_may_import_only_lower_layers(tmp_path: Path, source: str, target: str, relation: str) -> None:
    root = _tree(tmp_path, {
        "__init__.py": "",
        f"{source}/__init__.py": "",
        f"{source}/s.py": f"import app.core.{target}.t\n",
        f"{target}/__init__.py": "",
        f"{target}/t.py": "",
    })
    edges, _ = graph(root)
    assert layer_violations(edges) == [
        f"app.core.{source}.s ({source}) imports app.core.{target}.t ({target}, {relation} layer)"]
