"""The layout's rules, read from the imports: which wing may use which, and the page that draws them."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.support.imports import (
    REPO_ROOT,
    module_files,
    project_imports,
    top_level_imports,
    wing_edges,
    wing_of,
)

ARCHITECTURE_PAGE = REPO_ROOT / "docs" / "architecture.md"
HEAVY = ("torch", "transformers", "faiss", "sentence_transformers", "llama_cpp", "langchain_core")
# The only modules allowed to import a heavy library at their top: the adapters.
ADAPTERS = re.compile(
    r"^(assistant\.backends\.|index\.embedders\.|index\.faiss_index$|index\.langchain_retriever$)"
)


def _importers(source: str, target: str) -> list[str]:
    return [
        f"{module} -> {imported}"
        for module, imports in project_imports().items()
        for imported in imports
        if module.split(".")[0] == source and imported.split(".")[0] == target
    ]


def test_assistant_and_index_never_import_each_other_or_the_api() -> None:
    for source, target in [
        ("assistant", "index"),
        ("index", "assistant"),
        ("assistant", "api"),
        ("index", "api"),
    ]:
        assert _importers(source, target) == [], f"{source} must not import {target}"


def test_backends_use_only_the_contracts_of_the_flow() -> None:
    allowed = {"assistant.protocols", "assistant.errors"}
    for module, imports in project_imports().items():
        if wing_of(module) != "assistant.backends":
            continue
        outside = {m for m in imports if wing_of(m) != "assistant.backends" and m not in allowed}
        assert outside == set(), f"{module} imports {sorted(outside)}"


def test_the_flow_does_not_reach_into_backends_or_evaluation() -> None:
    for module, imports in project_imports().items():
        if wing_of(module) == "assistant":
            used = {wing_of(m) for m in imports} - {"assistant"}
            assert used == set(), f"{module} imports from {sorted(u or '' for u in used)}"


def test_heavy_libraries_are_imported_at_module_level_only_by_adapters() -> None:
    for module, path in module_files():
        heavy = {m for m in top_level_imports(path) if m.split(".")[0] in HEAVY}
        if heavy:
            assert ADAPTERS.match(module), f"{module} imports {sorted(heavy)} at import time"


def test_no_import_cycle_between_modules_at_import_time() -> None:
    own = {name for name, _ in module_files()}
    graph = {
        name: {m for m in top_level_imports(path) if m in own and m != name} for name, path in module_files()
    }
    state: dict[str, str] = {}

    def visit(module: str, trail: list[str]) -> None:
        state[module] = "open"
        for imported in sorted(graph.get(module, ())):
            assert state.get(imported) != "open", f"cycle: {' -> '.join([*trail, imported])}"
            if imported not in state:
                visit(imported, [*trail, imported])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])


def test_importing_the_packages_loads_no_heavy_library() -> None:
    code = "import sys, assistant, index, api, api.app, api.cli; print(sorted(m for m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    ).stdout
    for library in HEAVY:
        assert f"'{library}'" not in loaded, f"{library} loaded at import"


def test_the_architecture_page_draws_the_imports_between_wings() -> None:
    chart = re.search(r"```mermaid\n(.*?)```", ARCHITECTURE_PAGE.read_text(encoding="utf-8"), re.DOTALL)
    assert chart is not None, "docs/architecture.md has no mermaid chart"
    drawn = set(re.findall(r"^\s*([\w.]+)\s*-->\s*([\w.]+)\s*$", chart.group(1), re.MULTILINE))
    names = dict(re.findall(r"^\s*([\w.]+)\[\"?([\w./ ]+?)\"?\]\s*$", chart.group(1), re.MULTILINE))
    edges = {(names.get(a, a).split(" ")[0], names.get(b, b).split(" ")[0]) for a, b in drawn}
    actual = wing_edges()
    assert edges - actual == set(), f"drawn but not in the code: {sorted(edges - actual)}"
    assert actual - edges == set(), f"in the code but not drawn: {sorted(actual - edges)}"
