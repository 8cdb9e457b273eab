"""What a scene declares: its options, the cells it draws and how its input is prepared.

Every scene class carries one ``contract``::

    class TruncatedScene(Scene):
        contract = SceneContract(
            options=(Option("window", int, 4, "steps per window", RANGES["window"]), ...),
            prepare=prepare_input,
        )

Lecture files and the command line read it (``scenes.output.lecture_file``, ``commands``):
which options a scene takes, of what type, default and range, which cells it draws, and
whether it builds its own input from its options or draws the model's Trace. No manim here:
a lecture file is checked before the scenes load.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rnn.cells import CELLS, DEFAULT_CELL
from rnn.errors import UnrolledError
from rnn.limits import MAX_TEXT, Range

# Steps of a sequence a scene builds or draws: one per character of a text
TEXT_STEPS = Range(int, 1, MAX_TEXT - 1, reason="one step per character of the text")
_KIND_NAMES = {bool: "true or false", int: "an integer", float: "a number", str: "a string",
               list: "a list of integers"}


@dataclass(frozen=True)
class Option:
    """One option: its name, type, default, help and, for numbers, range (or choices).

    ``kind`` is bool, int, float, str or list (of integers, each within ``range``). A
    default of None means "not given" (the scene then applies the rule its help describes).
    """

    name: str
    kind: type
    default: Any = None
    help: str = ""
    range: Range | None = None
    choices: tuple[str, ...] | None = None

    def expected(self, value: Any = None) -> str:
        """What is expected; with ``value``, the bound it breaks is named too."""
        if self.choices is not None and value is not None:
            return f"one of {', '.join(self.choices)}"
        text = _KIND_NAMES[self.kind]
        infinite = isinstance(value, float) and not math.isfinite(value)
        if infinite:
            text = "a finite number"
        r = self.range
        if r is not None:
            text += f" {'>' if r.lo_open else '>='} {r.lo:g}"
            numbers = value if isinstance(value, list) else [value]
            above = any(v is not None and v > r.hi for v in numbers)
            if infinite or above:
                text += f" and <= {r.hi:g}"
        return text

    def accepts(self, value: Any) -> bool:
        """Whether a value of the right type is also within the range (or among the choices)."""
        if isinstance(value, list):  # a list of integers: each within the bounds
            return all(self.accepts(v) for v in value)
        if self.choices is not None:
            return value in self.choices
        if isinstance(value, float) and not math.isfinite(value):
            return False  # TOML has nan and inf; no option takes them
        r = self.range
        if r is None or isinstance(value, (bool, str)):
            return True
        above = value > r.lo if r.lo_open else value >= r.lo
        return above and value <= r.hi


@dataclass(frozen=True)
class SceneContract:
    """A scene's declaration: options, cells drawn, and how its input is prepared.

    ``prepare(options, theme, values, text, hidden, seed) -> SceneInput`` builds the scene's
    own input from its options (and the model's text, hidden size and seed, if given; and its
    ``cell`` when ``cells`` holds more than one); None:
    the scene draws the model's Trace, its options in ``SceneInput.extra``. ``cells`` are the
    cells the scene draws; every scene takes the default model (a simple RNN), and a model of
    another cell only goes to the scenes that draw that cell. ``fits(trace)`` refuses, in one
    line and before anything renders, a Trace past the scene's drawing limits. ``shapes``:
    the scene draws a network of any shape (stacked layers, both directions, one label per
    sequence: an ``rnn.network.NetworkTrace``); the others draw one layer read left to right
    with a loss at every step, and refuse the rest (``lecture_file.shape_refusal``).
    """

    options: tuple[Option, ...] = ()
    cells: tuple[str, ...] = (DEFAULT_CELL,)
    prepare: Callable[..., Any] | None = None
    fits: Callable[[Any], None] | None = None  # refuses, in one line, a Trace it cannot draw
    shapes: bool = False  # draws networks of every shape; else one layer, one way, every step

    def __post_init__(self) -> None:
        names = [o.name for o in self.options]
        if len(set(names)) != len(names):
            raise ValueError(f"an option is declared twice among {names}")
        if not self.cells or not set(self.cells) <= set(CELLS):
            raise ValueError(f"cells must be among {tuple(CELLS)}, got {self.cells}")

    @property
    def defaults(self) -> dict[str, Any]:
        """Option name -> default value, in the declared order."""
        return {o.name: o.default for o in self.options}

    def option(self, name: str) -> Option | None:
        return next((o for o in self.options if o.name == name), None)

    def with_defaults(self, scene: str, options: dict) -> dict:
        """``options`` over the defaults; an option ``scene`` does not declare is one clear
        error."""
        unknown = set(options) - set(self.defaults)
        if unknown:
            raise UnrolledError(f"unknown {scene} option(s): {', '.join(sorted(unknown))}; "
                                f"known: {', '.join(self.defaults)}")
        return {**self.defaults, **options}

    def check(self, name: str, value: Any) -> Any:
        """``value`` if it is within option ``name``'s range, else one UnrolledError line."""
        r = self.option(name).range
        if not r.contains(value):
            raise UnrolledError(f"{name} must be {r.describe()}, got {value!r}")
        return value

    def draws(self, cell: str) -> bool:
        """Whether a model of ``cell`` can go to this scene (the default model always can)."""
        return cell == DEFAULT_CELL or cell in self.cells
