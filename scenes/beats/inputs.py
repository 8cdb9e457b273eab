"""What a scene draws: a Trace plus presentation choices, handed over before rendering.

Manim builds scenes without arguments, so the renderer sets the input here and the
scene reads it in ``setup()``. Without one, a scene draws the default model on "hello".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rnn.errors import UnrolledError
from rnn.model import text_model
from rnn.trace import Trace
from scenes.beats.contract import Option
from scenes.beats.narration import Narration


@dataclass
class SceneInput:
    """The data and options of one render."""

    trace: Trace  # or an rnn.network.NetworkTrace, for the scenes whose contract has shapes
    theme: str = "dark"  # a key of scenes.components.theme.THEMES
    values: bool = False  # print each neuron's value inside it
    windows: list[Trace] | None = None  # truncated-BPTT windows, for scenes that show them
    extra: dict = field(default_factory=dict)  # options of scenes registered by others
    narration: Narration = field(default_factory=Narration)  # pace, voice, captions


_current: SceneInput | None = None


def set_scene_input(inp: SceneInput | None) -> None:
    """Make ``inp`` the input of the next scenes built in this process (None resets)."""
    global _current
    _current = inp


def default_scene_input() -> SceneInput:
    """The default model (text "hello", hidden 3, seed 0), dark theme."""
    return SceneInput(trace=text_model().trace())


def get_scene_input() -> SceneInput:
    """The input set by ``set_scene_input``, or the default one."""
    global _current
    if _current is None:
        _current = default_scene_input()
    return _current


def own_input(scene: str, prepare: Callable[..., SceneInput],
              needs: Callable[[SceneInput], bool] = lambda inp: True) -> SceneInput:
    """The input set for this render if it was made for ``scene`` (and has what ``needs``
    asks), else ``prepare({}, theme=..., values=...)``: the scene's defaults in the set
    input's theme."""
    inp = get_scene_input()
    if inp.extra.get("scene") == scene and needs(inp):
        return inp
    return prepare({}, theme=inp.theme, values=inp.values)


# The views' option: which (T, H) layer of the Trace they draw
LAYER = Option("layer", str, "h", "the layer drawn: h, or an LSTM's cell, or a gate as gate-f "
               "(gate-i, gate-g, gate-o; a GRU's gate-r, gate-z, gate-n); of a stacked or "
               "two-way network, which one: 2 (layer 2's h, counted from the bottom), "
               "1-backward, 2:cell (default: the top layer's forward direction)")


def chosen_layer(inp: SceneInput, scene: str) -> str:
    """The layer a view draws (option ``layer``, h by default), checked against the cell."""
    layer = inp.extra.get("layer") or "h"
    if layer not in inp.trace.layer_names():
        raise UnrolledError(f"{scene}: the {inp.trace.spec.title} has no layer {layer!r}; "
                            f"its layers: {', '.join(inp.trace.layer_names())}")
    return layer
