"""Every scene declares its options, cells and input in one contract; the CLI reads it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from rnn.errors import UnrolledError
from scenes.beats.contract import CELLS, Option, SceneContract
from scenes.registry import SCENES

KINDS = (bool, int, float, str, list)


@pytest.mark.parametrize("name", sorted(SCENES))
def test_every_scene_class_declares_its_own_contract(name):
    cls = SCENES[name].cls
    assert isinstance(cls.__dict__.get("contract"), SceneContract)  # not inherited
    assert SCENES[name].contract is cls.contract
    assert cls.contract.cells and set(cls.contract.cells) <= set(CELLS)


@pytest.mark.parametrize("name", sorted(SCENES))
def test_every_option_has_help_a_kind_and_a_range(name):
    for option in SCENES[name].contract.options:
        assert option.kind in KINDS and option.help, option
        if option.kind in (int, float, list):
            assert option.range is not None, f"{name}.{option.name} has no range"
        if option.choices is not None:
            assert option.kind is str and option.default in option.choices
        if option.default is not None:  # None: "not given", the scene's rule applies
            assert isinstance(option.default, option.kind) and option.accepts(option.default)


@pytest.mark.parametrize("name", sorted(n for n in SCENES if SCENES[n].contract.prepare))
def test_a_scene_that_prepares_its_input_takes_only_what_it_declares(name):
    contract = SCENES[name].contract
    with pytest.raises(UnrolledError, match=f"unknown {name} option"):
        contract.prepare({"not_declared": 1})


def test_each_scene_flag_is_declared_alike_by_the_scenes_that_take_it():
    from commands.lecture import SCENE_FLAGS, declared

    for flag in SCENE_FLAGS:
        options = [o for _, o in declared(flag)]
        assert options, f"--{flag} is declared by no scene"
        assert len({(o.kind, o.range, o.choices) for o in options}) == 1, flag


def test_the_command_line_reads_the_declarations():
    import cli

    res = CliRunner().invoke(cli.cli, ["render", "--help"], terminal_width=200)
    assert res.exit_code == 0
    assert "truncated: steps per window (default 4)." in res.output
    assert "[1<=x<=1000]" in res.output  # the window's range, as declared
    res = CliRunner().invoke(cli.cli, ["render", "truncated", "--window", "0"])
    assert res.exit_code == 2 and "Invalid value for '--window'" in res.output


def test_commands_that_draw_nothing_never_load_the_scenes():
    code = "import sys, cli; print('manim' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_an_option_checks_its_range_and_names_the_bound_it_breaks():
    from rnn.limits import Range

    steps = Option("steps", int, 4, "how many", Range(int, 1, 8))
    assert steps.accepts(8) and not steps.accepts(0) and not steps.accepts(9)
    assert steps.expected(9) == "an integer >= 1 and <= 8"
    assert steps.expected(0) == "an integer >= 1"
    units = Option("units", list, None, "which", Range(int, 1, 8))
    assert units.accepts([1, 8]) and not units.accepts([1, 9])
    assert units.expected([1, 9]) == "a list of integers >= 1 and <= 8"
    assert not Option("r", float, 1.0, "r", Range(float, 0, 2, lo_open=True)).accepts(
        float("nan"))
    with pytest.raises(ValueError, match="declared twice"):
        SceneContract(options=(steps, steps))
    with pytest.raises(ValueError, match="cells"):
        SceneContract(cells=("transformer",))
