"""Finding the parts of a torch character model in its ``state_dict``, by suffix and shape.

A drawable model is ``[nn.Embedding] -> nn.RNN | nn.LSTM | nn.GRU -> nn.Linear``, under
whatever names the user's module gave them, with 1 to 4 layers (``_l0`` ... ``_l3``), one
direction or both (``_reverse``). The recurrent module is found by torch's suffixes
(``weight_ih_l0`` ...), every layer and both halves of a bidirectional one checked present; the
head is a ``.weight`` of shape (K, directions x H) (with its ``.bias``),
the embedding a ``.weight`` of shape (V, D) without a bias. When that is ambiguous the candidates
are listed in one line and ``names`` picks them: ``{"recurrent": "core", "head": "decoder",
"embedding": "encoder.emb"}`` (module prefixes, as in the ``state_dict``'s keys).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from rnn.errors import UnrolledError
from rnn.imports.layers import LAYERS, find_layer, torch_class
from rnn.network import MAX_LAYERS, suffix

RECURRENT = re.compile(r"^(?P<prefix>.*?)(?P<kind>weight|bias)_(?P<part>ih|hh|hr)_l(?P<layer>\d+)"
                       r"(?P<reverse>_reverse)?$")
ROLES = ("recurrent", "embedding", "head")
# "nn.RNN (H), nn.GRU (3H) or nn.LSTM (4H)": the torch classes of the table, by their rows
_SHAPES = [f"{cls} ({'' if g == 1 else g}H)" for g, cls in
           sorted({(lay.blocks, lay.cls) for lay in LAYERS if lay.framework == "torch"})]
EXPECTED = ", ".join(_SHAPES[:-1]) + " or " + _SHAPES[-1]
NAMES_HINT = "name them with --parts recurrent=PREFIX,embedding=PREFIX,head=PREFIX"


@dataclass(frozen=True)
class TorchLayout:
    """Which tensors of the state_dict are which part of the model."""

    cell: str  # the cell rnn.imports.layers maps the layer to: "rnn", "rnn-relu", "lstm", "gru"
    prefix: str  # the recurrent module's, "rnn." ("" for a bare nn.RNN's own state_dict)
    layers: int  # num_layers
    bidirectional: bool
    bias: bool  # False: the layer was built with bias=False
    V: str
    c: str | None
    embedding: str | None

    def keys(self, l: int, d: int) -> dict[str, str | None]:
        """Our names -> the state_dict's keys of layer ``l``'s direction ``d`` (None: no
        bias)."""
        s = suffix(l, d)
        return {ours: (f"{self.prefix}{kind}_{part}{s}" if kind == "weight" or self.bias
                       else None)
                for ours, kind, part in (("W_ih", "weight", "ih"), ("W_hh", "weight", "hh"),
                                         ("b_ih", "bias", "ih"), ("b_hh", "bias", "hh"))}


def _recurrent_prefix(shapes: dict, names: dict) -> tuple[str, int, bool]:
    """The recurrent module's prefix, its number of layers and whether it is bidirectional."""
    found = {}
    for key in shapes:
        m = RECURRENT.match(key)
        if m:
            found.setdefault(m["prefix"], []).append(m)
    if "recurrent" in names:
        named = names["recurrent"].rstrip(".")
        prefix = named + "." if named else ""  # "" is a bare nn.RNN's own state_dict
        if prefix not in found:
            raise UnrolledError(f"--parts names recurrent={names['recurrent']!r}, but no "
                                f"{prefix}weight_ih_l0 is in the file")
        found = {prefix: found[prefix]}
    for prefix, matches in found.items():
        label = prefix.rstrip(".") or "the recurrent layer"
        if any(m["part"] == "hr" for m in matches):
            raise UnrolledError(f"{label} is an LSTM with proj_size; only h(t) = o * tanh(c) "
                                "without a projection can be drawn")
    if not found:
        raise UnrolledError("no recurrent layer (no tensor named ...weight_ih_l0): expected a "
                            "state_dict of nn.RNN, nn.LSTM or nn.GRU")
    if len(found) > 1:
        listed = ", ".join(p.rstrip(".") or "(top level)" for p in sorted(found))
        raise UnrolledError(f"more than one recurrent layer ({listed}); only one can be drawn "
                            f"(or {NAMES_HINT})")
    prefix, matches = next(iter(found.items()))
    label = prefix.rstrip(".") or "the recurrent layer"
    layers = 1 + max(int(m["layer"]) for m in matches)
    if layers > MAX_LAYERS:
        raise UnrolledError(f"{label} has {layers} layers (num_layers={layers}); at most "
                            f"{MAX_LAYERS} can be drawn")
    bidirectional = any(m["reverse"] for m in matches)
    for l in range(layers):  # every layer, both halves of a bidirectional one, each whole
        for d in (0, 1) if bidirectional else (0,):
            for part in ("weight_ih", "weight_hh"):
                key = f"{prefix}{part}{suffix(l, d)}"
                if key in shapes:
                    continue
                if d:
                    raise UnrolledError(f"{label} is bidirectional but has no {key}: the "
                                        f"reverse half of layer {l} is missing")
                raise UnrolledError(f"{label} has {layers} layers but no {key}: layer {l} is "
                                    "missing")
    return prefix, layers, bidirectional


def _pick(role: str, candidates: list[str], names: dict, shapes: dict, fits) -> str | None:
    """The one candidate for ``role``, the named one, or None; several is one error line."""
    if role in names:
        key = names[role].rstrip(".") + ".weight"
        if key not in shapes:
            raise UnrolledError(f"--parts names {role}={names[role]!r}, but {key} is not in "
                                "the file")
        if not fits(key):
            raise UnrolledError(f"--parts names {role}={names[role]!r}, but {key} has shape "
                                f"{shapes[key]}, which does not fit a {role}")
        return key
    if len(candidates) > 1:
        listed = ", ".join(f"{c} {shapes[c]}" for c in candidates)
        raise UnrolledError(f"which is the {role}? candidates: {listed}; {NAMES_HINT}")
    return candidates[0] if candidates else None


def find_layout(shapes: dict[str, tuple[int, ...]], metadata: dict[str, str],
                names: dict[str, str] | None = None) -> TorchLayout:
    """The parts of the model whose tensors have ``shapes``; one clear line if it cannot be
    drawn. ``metadata["nonlinearity"]`` ("tanh" or "relu") tells a simple RNN's, which a
    state_dict does not hold."""
    names = dict(names or {})
    unknown = set(names) - set(ROLES)
    if unknown:
        raise UnrolledError(f"--parts: unknown part {sorted(unknown)[0]!r} (parts: "
                            f"{', '.join(ROLES)})")
    prefix, layers, bidirectional = _recurrent_prefix(shapes, names)
    W_ih, W_hh = shapes[prefix + "weight_ih_l0"], shapes[prefix + "weight_hh_l0"]
    if len(W_ih) != 2 or len(W_hh) != 2 or W_hh[1] == 0 or W_hh[0] % W_hh[1]:
        raise UnrolledError(f"the recurrent layer's weights have shapes {W_ih} and {W_hh}; "
                            "expected (G*H, D) and (G*H, H)")
    GH, H = W_hh
    D = W_ih[1]
    G = GH // H
    cls = torch_class(G)
    if W_ih[0] != GH or cls is None:
        raise UnrolledError(f"the recurrent layer's weights have shapes {W_ih} and {W_hh}; "
                            f"expected those of {EXPECTED}")
    dirs = 2 if bidirectional else 1
    bias = prefix + "bias_ih_l0" in shapes
    layout = TorchLayout(find_layer("torch", cls, metadata).cell,  # metadata: nn.RNN's
                         prefix, layers, bidirectional, bias, "", None, None)  # nonlinearity
    used = set()
    for l in range(layers):  # torch's shapes: layer l + 1 reads both directions' h
        wanted = {"W_ih": (GH, D if l == 0 else dirs * H), "W_hh": (GH, H), "b_ih": (GH,),
                  "b_hh": (GH,)}
        for d in range(dirs):
            for ours, key in layout.keys(l, d).items():
                if key is not None and key not in shapes:  # a bias: the weights are there
                    raise UnrolledError(f"{key} is missing while {prefix}bias_ih_l0 is there")
                if key is not None and shapes[key] != wanted[ours]:
                    raise UnrolledError(f"{key} has shape {shapes[key]}, expected "
                                        f"{wanted[ours]}")
                used.add(key)

    width = dirs * H  # what the head reads: every step's output, or h_n, both directions'
    rest = sorted(k for k in shapes if k not in used)
    has_bias = (lambda w: w[:-len("weight")] + "bias" in shapes
                and shapes[w[:-len("weight")] + "bias"] == shapes[w][:1])
    weights = [k for k in rest if k.endswith("weight") and len(shapes[k]) == 2]
    heads = [k for k in weights if shapes[k][1] == width]
    if len(heads) > 1 and sum(map(has_bias, heads)) == 1:
        heads = [k for k in heads if has_bias(k)]  # nn.Linear has a bias, nn.Embedding none
    head = _pick("head", heads, names, shapes, lambda k: len(shapes[k]) == 2
                 and shapes[k][1] == width)
    if head is None:
        both = f" ({dirs} directions x {H} units)" if bidirectional else ""
        raise UnrolledError(f"no head: expected an nn.Linear weight of shape (K, {width}){both} "
                            "after the recurrent layer")
    embeddings = [k for k in weights if shapes[k][1] == D and k != head and not has_bias(k)]
    embedding = _pick("embedding", embeddings, names, shapes,
                      lambda k: len(shapes[k]) == 2 and shapes[k][1] == D and k != head)
    head_bias = head[:-len("weight")] + "bias" if has_bias(head) else None
    left = [k for k in rest if k not in (head, head_bias, embedding)]
    if left:
        raise UnrolledError(f"{', '.join(left[:3])}{' ...' if len(left) > 3 else ''} "
                            "not part of [Embedding] -> a recurrent module -> Linear; only "
                            "that chain can be drawn")
    return replace(layout, V=head, c=head_bias, embedding=embedding)
