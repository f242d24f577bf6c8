"""The package's layout: stages that import only what comes before them."""
from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

KG = Path(__file__).resolve().parents[1] / "kg"


def _module(path: Path) -> str:
    parts = list(path.relative_to(KG.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(top_level_only: bool) -> nx.DiGraph:
    """Module → the kg modules it imports (at its top level, or anywhere in it)."""
    g = nx.DiGraph()
    modules = {_module(p): p for p in KG.rglob("*.py")}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        nodes = tree.body if top_level_only else list(ast.walk(tree))
        g.add_node(name)
        for node in nodes:
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kg"):
                # ``from kg.extract import roads`` imports the submodule, not the package
                targets = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules
                           else node.module for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.startswith("kg")]
            else:
                continue
            for t in targets:
                if t in modules and t != name:
                    g.add_edge(name, t)
    return g


def test_module_level_imports_have_no_cycle():
    cycles = list(nx.simple_cycles(imports(top_level_only=True)))
    assert cycles == []


def test_export_graphview_and_results_do_not_import_each_other_in_a_circle():
    g = imports(top_level_only=False).subgraph(["kg.export", "kg.graphview", "kg.results"])
    assert list(nx.simple_cycles(g)) == []


def test_the_corpus_stages_import_only_earlier_stages():
    g = imports(top_level_only=False)
    order = ["kg.corpus.cache", "kg.corpus.ledger", "kg.corpus.report", "kg.corpus.workstate",
             "kg.corpus.links",
             "kg.corpus.outputs"]
    for i, stage in enumerate(order):
        later = set(order[i + 1:]) | {"kg.pipeline"}
        assert not later & set(g.successors(stage)), stage


def test_every_package_of_kg_is_installed():
    """A wheel holds only the packages pyproject.toml names: a new folder of modules
    missing there works in a checkout and fails once installed."""
    import tomllib
    listed = set(tomllib.loads((KG.parent / "pyproject.toml").read_text(encoding="utf-8"))
                 ["tool"]["setuptools"]["packages"])
    folders = {_module(p.parent / "__init__.py") for p in KG.rglob("__init__.py")}
    assert folders <= listed, folders - listed
