"""Imports run one way: commands -> scenes.output -> scene modules -> beats -> components -> rnn,
and commands -> explore -> rnn (the interactive page reads a Trace, never the scenes). Within a
layer too, no module imports one that imports it back, however deep or deferred the import."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# What each layer may import among our own packages (itself included).
ALLOWED = {
    "rnn": {"rnn"},
    # models trained elsewhere, read without their frameworks: pure numpy (+ h5py) like rnn
    "rnn.imports": {"rnn", "rnn.imports"},
    # where a model's numbers come from (a checkpoint, a framework's file or a fresh start),
    # for the command line and lecture files alike
    "rnn.spec": {"rnn", "rnn.imports", "rnn.spec"},
    "scenes.components": {"rnn", "rnn.imports", "scenes.components"},
    "scenes.beats": {"rnn", "rnn.imports", "scenes.components", "scenes.beats"},
    "scenes": {"rnn", "rnn.imports", "scenes.components", "scenes.beats", "scenes"},
    "scenes.output": {"rnn", "rnn.imports", "rnn.spec", "scenes.components", "scenes.beats",
                      "scenes", "scenes.output"},
    "explore": {"rnn", "rnn.imports", "explore"},
    "commands": {"rnn", "rnn.imports", "rnn.spec", "scenes.components", "scenes.beats",
                 "scenes", "scenes.output", "explore", "commands"},
}
OURS = ("rnn", "scenes", "commands", "explore", "cli")


def layer_of(module: str) -> str:
    """The layer a dotted module name belongs to: the longest prefix in ALLOWED."""
    parts = module.split(".")
    for n in (2, 1):
        if ".".join(parts[:n]) in ALLOWED:
            return ".".join(parts[:n])
    return parts[0]


def imports_of(path: Path) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
    return found


def modules():
    for package in ("rnn", "scenes", "explore", "commands"):
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).with_suffix("")
            yield ".".join(p for p in rel.parts if p != "__init__"), path


def violations(module: str, path: Path) -> list[str]:
    """``module``'s imports of our own packages that its layer may not make."""
    allowed = ALLOWED[layer_of(module)]
    return [f"{module}:{line} imports {name}" for name, line in imports_of(path)
            if name.split(".")[0] in OURS and layer_of(name) not in allowed]


def test_the_checker_sees_an_upward_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import numpy\nfrom rnn.trace import Trace\n"
                   "from scenes.output.render import render_scene\n")
    assert violations("scenes.components.bad", bad) == [
        "scenes.components.bad:3 imports scenes.output.render"]
    assert violations("scenes.output.bad", bad) == []


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_run_one_way(package):
    found = [v for module, path in modules() if layer_of(module) == package
             for v in violations(module, path)]
    assert found == []


def module_graph(sources: dict[str, str]) -> dict[str, set[str]]:
    """Module -> the modules of ``sources`` it imports, anywhere in its body (an import deferred
    into a function still runs, and hid the cycle through rnn.params). ``from a import b`` is
    an edge to ``a.b`` when that is a module, else to ``a``; imports under ``if TYPE_CHECKING``
    never run and are left out."""
    graph = {module: set() for module in sources}
    for module, text in sources.items():
        tree = ast.parse(text)
        skipped = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                   and "TYPE_CHECKING" in ast.unparse(node.test)
                   for child in node.body for n in ast.walk(child)}
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in sources
                         else node.module for alias in node.names]
            else:
                continue
            graph[module] |= {name for name in names if name in sources and name != module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each cycle of ``graph`` found by a depth-first walk, as the path that closes it."""
    found, state = [], {}  # state: 1 on the current path, 2 done

    def walk(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                found.append(path[path.index(target):] + [target])
            elif target not in state:
                walk(target, path + [target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            walk(module, [module])
    return found


def test_the_checker_sees_a_deferred_cycle():
    graph = module_graph({
        "rnn.cells": "from rnn.cells.simple import SimpleRNN\n",
        "rnn.cells.simple": "def init():\n    from rnn.params import scale\n",
        "rnn.params": "from rnn.cells import get_cell\n",
        "rnn.cells.registry": "from typing import TYPE_CHECKING\n"
                              "if TYPE_CHECKING:\n    from rnn.cells import Cell\n",
    })
    assert cycles(graph) == [["rnn.cells", "rnn.cells.simple", "rnn.params", "rnn.cells"]]


def test_no_module_imports_itself_back():
    sources = {module: path.read_text(encoding="utf-8") for module, path in modules()}
    assert cycles(module_graph(sources)) == []


def test_scenes_holds_only_scenes_the_registry_and_subpackages():
    from scenes.registry import SCENES

    scene_modules = {info.cls.__module__ for info in SCENES.values()}
    loose = {p.stem for p in (ROOT / "scenes").glob("*.py")} - {"__init__", "registry"}
    assert {f"scenes.{stem}" for stem in loose} == scene_modules


def test_rnn_is_split_by_concern():
    """rnn/ holds its sub-packages by concern and about a dozen modules of its own."""
    packages = {p.name for p in (ROOT / "rnn").iterdir() if (p / "__init__.py").exists()}
    assert packages == {"cells", "traces", "files", "learning", "studies", "imports"}
    modules = {p.stem for p in (ROOT / "rnn").glob("*.py")} - {"__init__"}
    assert len(modules) <= 12, sorted(modules)
