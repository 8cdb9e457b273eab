"""Lecture files: one TOML file describes a whole lecture, validated before anything renders.

A lecture names its model once and lists its scenes in order, each with its own options::

    title = "How an RNN learns"
    theme = "dark"
    quality = "low"

    [model]
    text = "hello"
    hidden = 3
    seed = 0

    [[scenes]]
    name = "forward"
    values = true

Every mistake is reported as one ``UnrolledError`` line naming the file, the key path and what
was expected, e.g. ``x.toml: scenes[2].name: unknown scene 'fwd' (expected one of ...)``.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rnn.cells import DEFAULT_CELL
from rnn.errors import UnrolledError
from rnn.files.safe_io import read_text
from rnn.imports.weights import is_imported, resolve_cell
from rnn.limits import MAX_LECTURE_FILE, MAX_TEXT, RANGES, Range
from rnn.model import DEFAULT_TEXT
from rnn.spec import ModelSpec
from scenes.beats.contract import CELLS, Option

# Options every scene accepts.
COMMON_OPTIONS: dict[str, Option] = {
    "values": Option("values", bool, False, "print each neuron's value inside it")}

MODEL_KEYS: dict[str, Option] = {o.name: o for o in (
    Option("text", str, DEFAULT_TEXT, "the text the model reads"),
    Option("hidden", int, 3, "hidden units", RANGES["hidden"]),
    Option("seed", int, 0, "seeds the initialisation", RANGES["seed"]),
    Option("radius", float, None, "rescale W to this spectral radius", RANGES["radius"]),
    Option("weights", str, None, "a checkpoint (.npz), relative to the lecture file"),
    Option("trace", str, None, "a saved trace, relative to the lecture file"),
    Option("cell", str, DEFAULT_CELL, "the model's cell", choices=tuple(CELLS)),
    Option("num_layers", int, 1, "stacked recurrent layers", RANGES["num_layers"]),
    Option("bidirectional", bool, False, "a second direction, reading from the end"),
    Option("label", str, None, "one label per sequence: the text's class"),
    Option("classes", str, None, "the class names, separated by commas"),
)}


def cell_refusal(name: str, cell: str, registry: dict | None = None,
                 saved: bool = False) -> str | None:
    """Why scene ``name`` cannot draw the model's ``cell``, or None (a simple RNN is the
    default model: the scenes of one named cell keep building their own beside it). ``saved``: the
    model is a saved trace, which the scenes building their own model do not take."""
    registry = _registered_scenes() if registry is None else registry
    contract = registry[name].contract
    if contract.draws(cell):
        return None
    # the scenes made for the cell first, then those that draw any cell
    fit = sorted((n for n, info in registry.items() if cell in info.contract.cells
                  and not (saved and info.contract.prepare is not None)),
                 key=lambda n: len(registry[n].contract.cells))
    return (f"scene {name!r} draws {CELLS[contract.cells[0]].called}; the model's cell is {cell} "
            f"(scenes for it: {', '.join(fit)})")


def shape_words(layers: int, bidirectional: bool, one_label: bool) -> str:
    """A network's shape as the refusals say it: "2 layers, both directions"."""
    parts = [f"{layers} layers"] if layers != 1 else []
    parts += ["both directions"] if bidirectional else []
    parts += ["one label per sequence"] if one_label else []
    return ", ".join(parts)


def shape_refusal(name: str, model: ModelSpec, registry: dict | None = None,
                  trace=None) -> str | None:
    """Why scene ``name`` cannot draw the model's shape, or None. ``trace``: the trace to be
    drawn, when known (a saved network's says its shape itself)."""
    registry = _registered_scenes() if registry is None else registry
    shape = getattr(trace, "shape", None)  # a network's trace
    if not (model.shaped or shape) or registry[name].contract.shapes or name in VIEWS:
        return None
    fit = [n for n, info in registry.items() if info.contract.shapes]
    views = [n for n in registry if n in VIEWS]
    words = (shape_words(shape.layers, shape.bidirectional, shape.task == "last") if shape
             else shape_words(model.num_layers, model.bidirectional, model.label is not None))
    return (f"scene {name!r} draws one layer read left to right with a loss at every step; "
            f"the model has {words} (scenes for it: {', '.join(fit)}; and of one layer "
            f"direction: {', '.join(views)})")


def prepare_kwargs(model: ModelSpec, contract=None) -> dict:
    """text, hidden and seed as the model was given them, for a scene that builds its own
    model; the model's cell for a ``contract`` that builds one of several cells; and its
    shape for a ``contract`` that draws networks."""
    kwargs = {k: getattr(model, k) for k in ("text", "hidden", "seed") if k in model.given}
    if contract is not None and len(contract.cells) > 1:
        kwargs["cell"] = model.cell
    if contract is not None and contract.shapes and model.shaped:  # it builds networks too
        kwargs.update(num_layers=model.num_layers, bidirectional=model.bidirectional,
                      label=model.label, classes=model.classes)
    return kwargs


@dataclass(frozen=True)
class SceneEntry:
    """One scene of the lecture, in order, with its options."""

    name: str
    options: dict[str, Any] = field(default_factory=dict)
    model: ModelSpec | None = None  # the scene's own model (its table ``model``), if any


@dataclass(frozen=True)
class Lecture:
    """A validated lecture file."""

    path: Path
    title: str
    model: ModelSpec
    scenes: tuple[SceneEntry, ...]
    theme: str = "dark"
    quality: str = "low"
    format: str = "mp4"
    pace: float = 15.0  # reading speed the beats are held for, characters a second
    voice: bool = False  # narrate each beat with the offline voice
    captions: str = "side"  # side files only, or also burned into the frame
    constant_rate: bool = False  # every frame at the frame rate, not held pictures once

    @property
    def scene_names(self) -> list[str]:
        return [s.name for s in self.scenes]

    def scene_inputs(self, registry: dict | None = None) -> list:
        """One ``SceneInput`` per scene, in order.

        A scene whose contract has ``prepare`` builds its input from its options (and the
        model's text, hidden and seed if the file gave them). Others share the model's trace:
        ``values`` goes to its field, ``window`` also fills ``windows``, the rest to ``extra``.
        """
        from scenes.beats.narration import Narration

        told = Narration(pace=self.pace, voice=self.voice, captions=self.captions)
        return [dataclasses.replace(inp, narration=told) for inp in self._inputs(registry)]

    def _inputs(self, registry: dict | None) -> list:
        from scenes.beats.inputs import SceneInput

        registry = _registered_scenes() if registry is None else registry
        traces = {}  # one trace per model, shared by its scenes
        inputs = []
        for entry in self.scenes:
            model = entry.model or self.model
            opts = dict(entry.options)
            values = opts.pop("values", False)
            prepare = prepare_hook(entry.name, registry)
            if prepare is not None:
                own = prepare_kwargs(model, registry[entry.name].contract)
                inputs.append(prepare(opts, theme=self.theme, values=values, **own))
                continue
            if model not in traces:
                traces[model] = model.build_trace()
            trace = traces[model]
            refused = shape_refusal(entry.name, model, registry, trace)
            if refused:  # a saved network's trace, which the model's options do not show
                raise UnrolledError(refused)
            windows = None
            if "window" in opts:
                windows = model.text_model().windows(opts["window"])
            drawn, opts = view_of(entry.name, trace, opts)
            inputs.append(SceneInput(drawn, theme=self.theme, values=values, windows=windows,
                                     extra=opts))
        return inputs

    def jobs(self, registry: dict | None = None) -> list:
        """The ``RenderJob`` of every scene, in order; a repeated scene gets ``name-2``, ..."""
        from scenes.output.batch import RenderJob, unique_stems

        stems = unique_stems(self.scene_names)
        return [
            RenderJob(entry.name, inp, stem, quality=self.quality, fmt=self.format,
                      constant_rate=self.constant_rate)
            for entry, inp, stem in zip(self.scenes, self.scene_inputs(registry), stems)
        ]


class _Checker:
    """Reports a problem at a key path of one file as a single UnrolledError line."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, where: str, message: str):
        raise UnrolledError(f"{self.source}: {where}: {message}")

    def value(self, where: str, value: Any, option: Option) -> Any:
        kind = option.kind
        # bool is an int in Python, but `hidden = true` is a mistake, not 1.
        ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value, ok = float(value), True
        if kind is list and ok:  # of integers (unit numbers)
            ok = all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        if not ok:
            self.fail(where, f"expected {option.expected()}, got {_describe(value)}")
        if not option.accepts(value) and option.choices is not None:
            self.choice(where, value, option.choices)
        if not option.accepts(value):
            self.fail(where, f"expected {option.expected(value)}, got {value!r}")
        return value

    def choice(self, where: str, value: Any, choices) -> str:
        if not isinstance(value, str) or value not in choices:
            self.fail(where, f"unknown value {value!r} (expected one of {', '.join(choices)})")
        return value

    def keys(self, where: str, table: dict, allowed) -> None:
        for key in table:
            if key not in allowed:
                prefix = f"{where}." if where else ""
                expected = ", ".join(sorted(allowed)) or "no options"
                self.fail(f"{prefix}{key}", f"unknown key (expected one of {expected})")


def _describe(value: Any) -> str:
    kinds = {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
             list: "a list", dict: "a table"}
    return f"{kinds.get(type(value), type(value).__name__)} {value!r}"


VIEWS = ("activations", "error-map", "neuron-text")  # scenes that draw one layer direction


def view_of(name: str, trace, opts: dict):
    """What scene ``name`` draws of ``trace``, and its options: for a network (stacked,
    two-way or one label), a view draws the layer direction its option ``layer`` chooses
    (``rnn.network_views``); other traces and scenes are drawn as they are."""
    from rnn.network import NetworkTrace

    if isinstance(trace, NetworkTrace) and opts.get("drawing") == "neurons":
        raise UnrolledError(f"{name}: a network's layers are drawn as rows of heat columns; "
                            "drawing neurons draws a one-layer, one-way model")
    if name not in VIEWS or not isinstance(trace, NetworkTrace):
        return trace, opts
    from rnn.network_views import layer_view, parse_layer_choice

    l, d, layer = parse_layer_choice(opts.get("layer"), trace.shape.layers,
                                     trace.shape.bidirectional)
    return layer_view(trace, l, d), {**opts, "layer": layer}


def _registered_scenes() -> dict:
    # Imported here: the registry pulls in manim, which validation alone should not need.
    from scenes.registry import SCENES

    return SCENES


def scene_options(name: str, registry: dict | None = None) -> dict[str, Option]:
    """The options scene ``name`` accepts: the common ones plus those it declares."""
    registry = _registered_scenes() if registry is None else registry
    return {**COMMON_OPTIONS, **{o.name: o for o in registry[name].contract.options}}


def prepare_hook(name: str, registry: dict | None = None):
    """The scene's own input builder (it builds its model from options), or None (it draws
    the model's Trace)."""
    registry = _registered_scenes() if registry is None else registry
    return registry[name].contract.prepare


def load_lecture(path: str | Path, registry: dict | None = None) -> Lecture:
    """Read and validate a lecture file; nothing is rendered.

    Parameters
    ----------
    path
        The TOML file. Files it names (weights, trace) are relative to its folder.
    registry
        Known scenes by name; by default ``scenes.registry.SCENES``.
    """
    path = Path(path)
    check = _Checker(str(path))
    if not path.exists() and not path.is_symlink():
        raise UnrolledError(f"{path}: lecture file not found")
    try:  # a regular file of bounded size only: never a FIFO or a device
        data = tomllib.loads(read_text(path, MAX_LECTURE_FILE, "lecture file"))
    except RecursionError:
        raise UnrolledError(f"{path}: not valid TOML (nested too deeply)") from None
    except tomllib.TOMLDecodeError as err:
        raise UnrolledError(f"{path}: not valid TOML ({err})") from None
    # The model first: its mistakes are found without the registry (and manim) loaded.
    model = lecture_model = _model(check, data.get("model", {}), path.parent)
    if registry is None:
        registry = _registered_scenes()

    check.keys("", data, ("title", "theme", "quality", "format", "model", "scenes", "pace",
                          "voice", "captions", "constant_rate"))
    title = check.value("title", data.get("title", path.stem), Option("title", str))
    theme = check.choice("theme", data.get("theme", "dark"), _theme_names())
    from scenes.output.render import FORMATS, QUALITIES  # what render_scene accepts, nothing else

    quality = check.choice("quality", data.get("quality", "low"), tuple(QUALITIES))
    fmt = check.choice("format", data.get("format", "mp4"), FORMATS)
    from scenes.beats.narration import CAPTION_MODES, DEFAULT_PACE, PACE_RANGE

    pace = check.value("pace", data.get("pace", DEFAULT_PACE),
                       Option("pace", float, DEFAULT_PACE, range=Range(float, *PACE_RANGE)))
    voice = check.value("voice", data.get("voice", False), Option("voice", bool))
    captions = check.choice("captions", data.get("captions", "side"), CAPTION_MODES)
    constant_rate = check.value("constant_rate", data.get("constant_rate", False),
                                Option("constant_rate", bool))

    scenes = data.get("scenes")
    if scenes is None:
        check.fail("scenes", "missing (expected at least one [[scenes]] table)")
    if not isinstance(scenes, list) or not scenes or not all(isinstance(s, dict) for s in scenes):
        check.fail("scenes", "expected a list of [[scenes]] tables with a name each")
    entries = []
    for i, table in enumerate(scenes):
        where = f"scenes[{i}]"
        if "name" not in table:
            check.fail(f"{where}.name", "missing (expected a scene name)")
        name = check.value(f"{where}.name", table["name"], Option("name", str))
        if name not in registry:
            check.fail(
                f"{where}.name",
                f"unknown scene {name!r} (expected one of {', '.join(sorted(registry))})",
            )
        own_model = None
        if "model" in table:  # this scene's model: the lecture's, with these keys changed
            if not isinstance(table["model"], dict):
                check.fail(f"{where}.model", f"expected a table, got {_describe(table['model'])}")
            own_model = _model(check, {**data.get("model", {}), **table["model"]}, path.parent,
                               f"{where}.model")
        model = own_model or lecture_model
        refused = (cell_refusal(name, model.cell, registry, saved=model.trace is not None)
                   or shape_refusal(name, model, registry))
        if refused:
            check.fail(f"{where}.name", refused)
        allowed = scene_options(name, registry)
        options = {k: v for k, v in table.items() if k not in ("name", "model")}
        check.keys(where, options, allowed)
        options = {k: check.value(f"{where}.{k}", v, allowed[k]) for k, v in options.items()}
        prepare = prepare_hook(name, registry)
        if prepare is not None:
            own = sorted({"weights", "trace", "radius"} & model.given)
            if own:
                check.fail(f"{where}.name", f"scene {name!r} builds its own model from text, "
                           f"hidden and seed; remove model.{own[0]} or this scene")
            # Build it now (small models) so a bad combination fails before any render.
            try:
                prepare({k: v for k, v in options.items() if k != "values"},
                        **prepare_kwargs(model, registry[name].contract))
            except UnrolledError as err:
                check.fail(where, str(err))
        elif registry_fits(name, registry) is not None:  # the scene's limits, checked now
            try:
                registry_fits(name, registry)(model.build_trace())
            except UnrolledError as err:
                check.fail(where, str(err))
        elif "window" in options and model.trace is not None:
            check.fail(f"{where}.window", "needs a model to rerun in windows, not model.trace")
        entries.append(SceneEntry(name, options, own_model))
    return Lecture(path, title, model, tuple(entries), theme, quality, fmt, pace, voice, captions,
                   constant_rate)


def registry_fits(name: str, registry: dict | None = None):
    """The scene's check of a Trace against its drawing limits, or None."""
    registry = _registered_scenes() if registry is None else registry
    return registry[name].contract.fits


def _theme_names() -> tuple[str, ...]:
    try:
        from scenes.components.theme import THEMES
    except ImportError:  # the theme module pulls in manim; fall back to the two shipped names
        return ("dark", "light")
    return tuple(THEMES)


def _model(check: _Checker, table: Any, base: Path, where: str = "model") -> ModelSpec:
    if not isinstance(table, dict):
        check.fail(where, f"expected a table, got {_describe(table)}")
    check.keys(where, table, MODEL_KEYS)
    values = {k: check.value(f"{where}.{k}", v, MODEL_KEYS[k]) for k, v in table.items()}
    if "trace" in values:
        others = sorted(set(values) - {"trace"})
        if others:
            check.fail(f"{where}.{others[0]}", "not allowed with model.trace (the trace has its own)")
    if "weights" in values and "hidden" in values:
        check.fail(f"{where}.hidden", "not allowed with model.weights (sizes come from the weights)")
    if "text" in values and not values["text"]:
        check.fail(f"{where}.text", "expected a non-empty string")
    if "cell" in values:
        # weights stay: forward and bptt draw a checkpoint of the cell; the cell scenes that
        # build their own model refuse them scene by scene
        default_only = sorted({"trace", "radius"} & set(values))
        if values["cell"] != DEFAULT_CELL and default_only:
            check.fail(f"{where}.{default_only[0]}", f"not allowed with model.cell = "
                       f"{values['cell']!r} (its scenes build their own model from text, hidden "
                       "and seed)")
    if "text" in values and len(values["text"]) > MAX_TEXT:
        check.fail(f"{where}.text", f"{len(values['text'])} characters; at most {MAX_TEXT}")
    for key in ("weights", "trace"):
        if key in values:
            file = base / values[key]
            if not file.is_file():
                check.fail(f"{where}.{key}", f"file not found: {file}")
            values[key] = file
    if "trace" in values:  # the cell is the trace's own
        from rnn.traces.files import cell_of

        try:
            values["cell"] = cell_of(values["trace"])
        except UnrolledError as err:
            check.fail(f"{where}.trace", str(err))
    if "weights" in values and is_imported(values["weights"]):  # the cell is the file's
        try:
            values["cell"] = resolve_cell(values["weights"], values.get("cell"),
                                          "cell" in values)
        except UnrolledError as err:
            check.fail(f"{where}.weights", str(err).replace("--cell", f"{where}.cell"))
        if "radius" in values:
            check.fail(f"{where}.radius", "not allowed with a framework's model file (drawn as "
                       "it was trained)")
    spec = ModelSpec(**values, given=frozenset(values))
    # Build the model now (it is small), whatever its cell, so a bad checkpoint or trace fails
    # before any render.
    try:
        spec.build_trace()
    except UnrolledError as err:
        check.fail(where, str(err))
    return spec
