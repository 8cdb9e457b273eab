"""A Keras 3 model in torch's layout: ``[Embedding] -> SimpleRNN | LSTM | GRU (1 to 4 layers, each
perhaps ``Bidirectional(..., merge_mode="concat")``) -> Dense``, read from a checked ``.keras``
file. The last recurrent layer's ``return_sequences`` says where the head reads: True, every
step (a character model); False, the last (one label per sequence: the forward direction's
state after the last step, the backward one's after the first, as torch's ``h_n``).

Keras stores kernels transposed, (D, G*H); its gates are LSTM i, f, c, o (torch's i, f, g, o)
and GRU z, r, h (torch's r, z, n); it has one bias where torch has two. So::

    W_ih = kernel.T        W_hh = recurrent_kernel.T       (GRU: blocks reordered z, r -> r, z)
    SimpleRNN, LSTM: b_ih = bias, b_hh = 0
    GRU (reset_after=True): b_ih = bias[0], b_hh = bias[1]; r multiplies W_hn h + b_hn, as in torch
    GRU (reset_after=False): b_ih = bias, b_hh = 0; r multiplies h before W_hn (cell cho-gru)
"""

from __future__ import annotations

import re

import numpy as np

from rnn.errors import UnrolledError
from rnn.imports.keras_file import KerasFile
from rnn.imports.layers import Layer, classes, find_layer
from rnn.network import MAX_LAYERS

RECURRENT = classes("keras")  # SimpleRNN, LSTM, GRU: the table's (rnn.imports.layers)
ALLOWED = {"InputLayer", "Embedding", "Dense", "Bidirectional", *RECURRENT}
CHAIN = ("[Embedding] -> 1 to 4 SimpleRNN, LSTM or GRU layers (or Bidirectional ones) -> "
         "Dense")


def to_snake_case(name: str) -> str:
    """Keras' own rule for a layer's group in the weights file: SimpleRNN -> simple_rnn."""
    name = re.sub(r"\W+", "", name)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _layers(kf: KerasFile) -> list[tuple[str, dict, str]]:
    """(class, config, group in the weights file) of each layer, in order, checked as a chain."""
    top = kf.config
    if top.get("class_name") not in ("Sequential", "Functional"):
        raise UnrolledError(f"{kf.source}: a {top.get('class_name')!r} model; only Sequential "
                            "and Functional models list their layers in config.json")
    layers = top.get("config", {}).get("layers") if isinstance(top.get("config"), dict) else None
    if not isinstance(layers, list) or not all(isinstance(lay, dict) for lay in layers):
        raise UnrolledError(f"{kf.source}: config.json lists no layers")
    out, used = [], {}
    for layer in layers:
        cls, cfg = layer.get("class_name"), layer.get("config")
        if not isinstance(cls, str) or not isinstance(cfg, dict):
            raise UnrolledError(f"{kf.source}: a layer of config.json has no class_name/config")
        if cls not in ALLOWED:
            raise UnrolledError(f"{kf.source}: layer {cfg.get('name')!r} is a {cls}; only "
                                f"{CHAIN} can be drawn")
        snake = to_snake_case(cls)
        group = snake if snake not in used else f"{snake}_{used[snake]}"
        used[snake] = used.get(snake, 0) + 1
        if cls != "InputLayer":
            out.append((cls, cfg, f"layers/{group}"))
    kinds = [cls for cls, _, _ in out]
    recurrent = [k for k in kinds if k in RECURRENT or k == "Bidirectional"]
    if len(recurrent) > MAX_LAYERS:
        raise UnrolledError(f"{kf.source}: {len(recurrent)} recurrent layers; at most "
                            f"{MAX_LAYERS} can be drawn")
    if kinds not in ([*recurrent, "Dense"], ["Embedding", *recurrent, "Dense"]) or not recurrent:
        raise UnrolledError(f"{kf.source}: layers {' -> '.join(kinds) or '(none)'}; only "
                            f"{CHAIN} can be drawn")
    return out


def _directions(cfg: dict, group: str, source: str) -> list[tuple[str, dict, str]]:
    """A ``Bidirectional``'s two layers (class, config, group): forward, then backward."""
    name = cfg.get("name")
    mode = cfg.get("merge_mode", "concat")
    if mode != "concat":
        raise UnrolledError(f"{source}: Bidirectional {name!r} has merge_mode {mode!r}; only "
                            "'concat' (both directions' h side by side, torch's layout) can be "
                            "drawn")
    inner = [cfg.get("layer"), cfg.get("backward_layer") or cfg.get("layer")]
    if not all(isinstance(lay, dict) and isinstance(lay.get("config"), dict) for lay in inner):
        raise UnrolledError(f"{source}: Bidirectional {name!r} names no layer it wraps")
    (fcls, fcfg), (bcls, bcfg) = ((lay.get("class_name"), lay["config"]) for lay in inner)
    if fcls not in RECURRENT or bcls != fcls:
        raise UnrolledError(f"{source}: Bidirectional {name!r} wraps {fcls} and {bcls}; only "
                            f"one of {', '.join(RECURRENT)} both ways can be drawn")
    same = ("units", "activation", "recurrent_activation", "reset_after", "use_bias",
            "return_sequences")
    if any(fcfg.get(k) != bcfg.get(k) for k in same):
        raise UnrolledError(f"{source}: Bidirectional {name!r}'s two layers differ in their "
                            "settings; both directions must be the same cell")
    backward = {**bcfg, "go_backwards": False}  # reading from the end is the direction itself
    return [(fcls, fcfg, f"{group}/forward_layer"), (bcls, backward, f"{group}/backward_layer")]


def _check_recurrent(cls: str, cfg: dict, source: str, last: bool) -> Layer:
    """The table's line for a recurrent layer's config, or one line saying why it is refused."""
    name = cfg.get("name")
    if not last and not cfg.get("return_sequences", False):
        raise UnrolledError(f"{source}: layer {name!r} has return_sequences=False below "
                            "another recurrent layer, which needs every step")
    for flag in ("go_backwards", "stateful", "return_state"):
        if cfg.get(flag, False):
            raise UnrolledError(f"{source}: layer {name!r} has {flag}=True; not drawable")
    try:
        return find_layer("keras", cls, cfg)
    except UnrolledError as err:
        raise UnrolledError(f"{source}: layer {name!r}: {err}") from None


def _units(cfg: dict, key: str, source: str) -> int:
    n = cfg.get(key)
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 10**6:
        raise UnrolledError(f"{source}: layer {cfg.get('name')!r} has {key} {n!r}")
    return n


def _cell(kf: KerasFile, cls: str, cfg: dict, group: str, layer: Layer,
          D: int | None) -> dict[str, np.ndarray]:
    """One recurrent layer's W_ih, W_hh, b_ih, b_hh in torch's layout (D None: the file's)."""
    G, H = layer.blocks, _units(cfg, "units", kf.source)
    kernel_name = f"{group}/cell/vars/0"
    D = kf.shapes.get(kernel_name, (0, 0))[0] if D is None else D
    kernel = kf.read(kernel_name, (D, G * H))  # (D, G*H)
    recurrent = kf.read(f"{group}/cell/vars/1", (H, G * H))
    two_biases = cls == "GRU" and layer.cell == "gru"  # reset_after=True's two rows
    shape = (2, G * H) if two_biases else (G * H,)
    bias = kf.read(f"{group}/cell/vars/2", shape) if cfg.get("use_bias", True) else np.zeros(shape)
    if cls == "GRU":  # blocks z, r, h -> torch's r, z, n
        order = np.concatenate([np.arange(H, 2 * H), np.arange(H), np.arange(2 * H, 3 * H)])
        kernel, recurrent, bias = kernel[:, order], recurrent[:, order], bias[..., order]
    if two_biases:
        b_ih, b_hh = bias[0], bias[1]
    else:  # one bias, inside each gate's sum (and n's, with the reset before W_hn)
        b_ih, b_hh = bias, np.zeros(G * H)
    return {"W_ih": kernel.T.copy(), "W_hh": recurrent.T.copy(), "b_ih": b_ih, "b_hh": b_hh}


def keras_arrays(kf: KerasFile) -> dict:
    """cell, every layer direction's arrays (``stack``, torch's layout), V, c, the embedding
    (or None), and where the head reads (every step, or the last: return_sequences=False)."""
    layers = _layers(kf)
    source = kf.source
    out: dict = {"embedding": None, "stack": {}}
    recurrent = [i for i, (cls, _, _) in enumerate(layers) if cls != "Dense"
                 and cls != "Embedding"]
    width = None  # what the layer below gives the next one
    for i, (cls, cfg, group) in enumerate(layers):
        if cls == "Embedding":
            if cfg.get("mask_zero", False):
                raise UnrolledError(f"{source}: embedding {cfg.get('name')!r} has "
                                    "mask_zero=True (steps skipped); not drawable")
            shape = (_units(cfg, "input_dim", source), _units(cfg, "output_dim", source))
            out["embedding"] = kf.read(f"{group}/vars/0", shape)
        elif cls == "Dense":
            activation = cfg.get("activation", "linear")
            if activation not in ("linear", "softmax", None):
                raise UnrolledError(f"{source}: Dense {cfg.get('name')!r} has activation "
                                    f"{activation!r}; its outputs must be the logits (linear) "
                                    "or their softmax")
            K = _units(cfg, "units", source)
            out["V"] = kf.read(f"{group}/vars/0", (width, K)).T.copy()  # (K, dirs*H)
            out["c"] = (kf.read(f"{group}/vars/1", (K,)) if cfg.get("use_bias", True)
                        else np.zeros(K))
        else:
            l = recurrent.index(i)
            both = cls == "Bidirectional"
            if l and both != out["bidirectional"]:
                raise UnrolledError(f"{source}: layer {cfg.get('name')!r} is "
                                    f"{'' if both else 'not '}bidirectional and the first "
                                    "recurrent layer is the other way; every layer must read "
                                    "the same directions")
            out["bidirectional"] = both
            parts = _directions(cfg, group, source) if both else [(cls, cfg, group)]
            for d, (inner, icfg, igroup) in enumerate(parts):
                last = i == recurrent[-1]
                layer = _check_recurrent(inner, icfg, source, last)
                if out.setdefault("cell", layer.cell) != layer.cell:
                    raise UnrolledError(f"{source}: layer {icfg.get('name')!r} is a "
                                        f"{layer.cell} below or above a {out['cell']}; every "
                                        "layer must be the same cell")
                out["stack"][(l, d)] = _cell(kf, inner, icfg, igroup, layer, width if l else None)
                if last:
                    out["reads"] = "every" if icfg.get("return_sequences", False) else "last"
            H = out["stack"][(l, 0)]["W_hh"].shape[1]
            width = len(parts) * H
    return out
