"""The README's table of which cells each scene draws says what the scenes declare."""

import re

from cli_run import ROOT

from scenes.registry import SCENES


def readme_cell_table() -> dict[str, dict[str, bool]]:
    """scene -> {cell: drawn} from the README's "Which cells each scene draws" table."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("#### Which cells each scene draws", 1)[1].split("\n#", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    table = {}
    for row in rows:
        names, *marks = [c.strip() for c in row.strip("|").split("|")]
        for name in re.findall(r"`([a-z-]+)`", names):
            assert name not in table, f"{name} twice in the README's cell table"
            table[name] = {cell: mark == "✓" for cell, mark in zip(("rnn", "lstm", "gru"),
                                                                   marks[:3], strict=True)}
    return table


def test_every_scene_is_in_the_table_once_with_its_declared_gated_cells():
    table = readme_cell_table()
    assert sorted(table) == sorted(SCENES)
    for name, info in SCENES.items():
        for cell in ("lstm", "gru"):
            assert table[name][cell] == (cell in info.contract.cells), (name, cell)
