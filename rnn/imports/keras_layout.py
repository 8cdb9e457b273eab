"""A Keras 3 character model in torch's layout: ``[Embedding] -> SimpleRNN | LSTM | GRU
(return_sequences=True) -> Dense``, read from a checked ``.keras`` file.

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

RECURRENT = classes("keras")  # SimpleRNN, LSTM, GRU: the table's (rnn.imports.layers)
ALLOWED = {"InputLayer", "Embedding", "Dense", *RECURRENT}


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
        if cls == "Bidirectional":
            raise UnrolledError(f"{kf.source}: layer {cfg.get('name')!r} is bidirectional; "
                                "only a forward layer can be drawn")
        if cls not in ALLOWED:
            raise UnrolledError(f"{kf.source}: layer {cfg.get('name')!r} is a {cls}; only "
                                "[Embedding] -> SimpleRNN, LSTM or GRU -> Dense can be drawn")
        snake = to_snake_case(cls)
        group = snake if snake not in used else f"{snake}_{used[snake]}"
        used[snake] = used.get(snake, 0) + 1
        if cls != "InputLayer":
            out.append((cls, cfg, f"layers/{group}"))
    kinds = [cls for cls, _, _ in out]
    recurrent = [k for k in kinds if k in RECURRENT]
    if len(recurrent) > 1:
        raise UnrolledError(f"{kf.source}: {len(recurrent)} recurrent layers "
                            f"({', '.join(recurrent)}); only one layer can be drawn")
    if kinds not in ([*recurrent, "Dense"], ["Embedding", *recurrent, "Dense"]) or not recurrent:
        raise UnrolledError(f"{kf.source}: layers {' -> '.join(kinds) or '(none)'}; only "
                            "[Embedding] -> SimpleRNN, LSTM or GRU -> Dense can be drawn")
    return out


def _check_recurrent(cls: str, cfg: dict, source: str) -> Layer:
    """The table's line for a recurrent layer's config, or one line saying why it is refused."""
    name = cfg.get("name")
    if not cfg.get("return_sequences", False):
        raise UnrolledError(f"{source}: layer {name!r} has return_sequences=False: its head "
                            "reads only the last step; a character model predicts at every "
                            "step (return_sequences=True)")
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


def keras_arrays(kf: KerasFile) -> dict:
    """cell, W_ih, W_hh, b_ih, b_hh, V, c and embedding (or None), in torch's layout."""
    layers = _layers(kf)
    source = kf.source
    out: dict = {"embedding": None}
    for cls, cfg, group in layers:
        if cls == "Embedding":
            if cfg.get("mask_zero", False):
                raise UnrolledError(f"{source}: embedding {cfg.get('name')!r} has "
                                    "mask_zero=True (steps skipped); not drawable")
            shape = (_units(cfg, "input_dim", source), _units(cfg, "output_dim", source))
            out["embedding"] = kf.read(f"{group}/vars/0", shape)
        elif cls in RECURRENT:
            layer = _check_recurrent(cls, cfg, source)
            G, H = layer.blocks, _units(cfg, "units", source)
            kernel_name = f"{group}/cell/vars/0"
            D = kf.shapes.get(kernel_name, (0, 0))[0]
            kernel = kf.read(kernel_name, (D, G * H))  # (D, G*H)
            recurrent = kf.read(f"{group}/cell/vars/1", (H, G * H))
            two_biases = cls == "GRU" and layer.cell == "gru"  # reset_after=True's two rows
            shape = (2, G * H) if two_biases else (G * H,)
            if cfg.get("use_bias", True):
                bias = kf.read(f"{group}/cell/vars/2", shape)
            else:
                bias = np.zeros(shape)
            if cls == "GRU":  # blocks z, r, h -> torch's r, z, n
                order = np.concatenate([np.arange(H, 2 * H), np.arange(H), np.arange(2 * H,
                                                                                    3 * H)])
                kernel, recurrent, bias = kernel[:, order], recurrent[:, order], bias[..., order]
            if two_biases:
                b_ih, b_hh = bias[0], bias[1]
            else:  # one bias, inside each gate's sum (and n's, with the reset before W_hn)
                b_ih, b_hh = bias, np.zeros(G * H)
            out.update(cell=layer.cell, W_ih=kernel.T.copy(), W_hh=recurrent.T.copy(),
                       b_ih=b_ih, b_hh=b_hh)
        elif cls == "Dense":
            activation = cfg.get("activation", "linear")
            if activation not in ("linear", "softmax", None):
                raise UnrolledError(f"{source}: Dense {cfg.get('name')!r} has activation "
                                    f"{activation!r}; its outputs must be the logits (linear) "
                                    "or their softmax")
            K, H = _units(cfg, "units", source), out["W_hh"].shape[1]
            out["V"] = kf.read(f"{group}/vars/0", (H, K)).T.copy()  # (K, H)
            out["c"] = (kf.read(f"{group}/vars/1", (K,)) if cfg.get("use_bias", True)
                        else np.zeros(K))
    return out
