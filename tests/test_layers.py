"""Imports run one way: commands -> scenes.output -> scene modules -> beats -> components -> rnn,
and commands -> explore -> rnn (the interactive page reads a Trace, never the scenes)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# What each layer may import among our own packages (itself included).
ALLOWED = {
    "rnn": {"rnn"},
    # models trained elsewhere, read without their frameworks: pure numpy (+ h5py) like rnn
    "rnn.imports": {"rnn", "rnn.imports"},
    "scenes.components": {"rnn", "rnn.imports", "scenes.components"},
    "scenes.beats": {"rnn", "rnn.imports", "scenes.components", "scenes.beats"},
    "scenes": {"rnn", "rnn.imports", "scenes.components", "scenes.beats", "scenes"},
    "scenes.output": {"rnn", "rnn.imports", "scenes.components", "scenes.beats", "scenes",
                      "scenes.output"},
    "explore": {"rnn", "rnn.imports", "explore"},
    "commands": {"rnn", "rnn.imports", "scenes.components", "scenes.beats", "scenes",
                 "scenes.output", "explore", "commands"},
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
