"""The project's import graph, read from the source with `ast` (imports inside functions included)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("assistant", "index", "api")
# A wing is a folder with one role; the architecture page draws the imports between wings.
WINGS = (
    "api.cli",
    "api.routes",
    "api.wiring",
    "assistant.backends",
    "assistant.evaluation",
    "index.embedders",
)


def module_files() -> Iterator[tuple[str, Path]]:
    """(dotted module name, path) of every module of the three packages."""
    for package in PACKAGES:
        for path in sorted((REPO_ROOT / package).rglob("*.py")):
            parts = path.relative_to(REPO_ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join(parts), path


def imported_modules(path: Path) -> set[str]:
    """Every module named by an import statement in `path`, at any depth."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def top_level_imports(path: Path) -> set[str]:
    """Modules imported when `path` itself is imported (not inside functions or TYPE_CHECKING blocks)."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def wing_of(module: str) -> str | None:
    """The wing a project module belongs to, or None for a module of another distribution."""
    if module.split(".")[0] not in PACKAGES:
        return None
    for wing in WINGS:
        if module == wing or module.startswith(wing + "."):
            return wing
    return module.split(".")[0]


def project_imports() -> dict[str, set[str]]:
    """Each project module and the project modules it imports."""
    own = {name for name, _ in module_files()}
    graph: dict[str, set[str]] = {}
    for name, path in module_files():
        graph[name] = {m for m in imported_modules(path) if m in own and m != name}
    return graph


def wing_edges() -> set[tuple[str, str]]:
    """(importing wing, imported wing) for every import that crosses a wing boundary."""
    edges = set()
    for module, imports in project_imports().items():
        source = wing_of(module)
        for imported in imports:
            target = wing_of(imported)
            if source and target and source != target:
                edges.add((source, target))
    return edges
