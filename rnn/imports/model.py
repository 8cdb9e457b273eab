"""One door for a model trained elsewhere: ``load_model(path, vocab, names)``.

A ``.safetensors`` file (a torch ``state_dict``) or a Keras 3 ``.keras`` file becomes an
``ImportedModel``: the cell, its arrays in torch's layout and names, the head, the embedding
(or None) and the vocabulary. A pickle (``.pt``, ``.pth``, ``.pkl``, ...) is never unpickled.

The vocabulary (characters in index order) is ``vocab`` if given, else read from a JSON file
beside the model: ``NAME.vocab.json`` for ``NAME.safetensors`` / ``NAME.keras``, else
``vocab.json`` in the same folder. It holds one JSON string (``"\\n !abc"``) or a list of
single characters.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rnn import limits
from rnn.data import Vocabulary
from rnn.errors import UnrolledError
from rnn.files.safe_io import parse_json, read_size, read_text
from rnn.network import Shape, suffix

PICKLE_SUFFIXES = (".pt", ".pth", ".pkl", ".pickle", ".ckpt", ".bin")
MAX_VOCAB_FILE = 64 * 1024  # a vocabulary file: at most MAX_VOCAB characters, as JSON
SAVE_HINT = ('save the same weights with safetensors: from safetensors.torch import save_file; '
             'save_file(model.state_dict(), "model.safetensors")')


@dataclass
class ImportedModel:
    """A model read from another framework's file, in torch's layout: a character model, or
    one label per sequence; one recurrent layer or a stack of them, one way or both."""

    cell: str  # the registered cell (rnn.imports.layers): "rnn", "lstm", "peephole", ...
    W_ih: np.ndarray  # (G*H, D) input -> gates, torch's block order (G = 1, 4 or 3)
    W_hh: np.ndarray  # (G*H, H)
    b_ih: np.ndarray  # (G*H,)
    b_hh: np.ndarray  # (G*H,)
    V: np.ndarray  # (K, H) the head
    c: np.ndarray  # (K,)
    embedding: np.ndarray | None  # (V_in, D) rows fed as x(t), or None: one-hot x(t)
    vocabulary: Vocabulary
    framework: str  # "torch", "keras" or "onnx"
    extra: dict[str, np.ndarray] = field(default_factory=dict)  # the cell's own: peepholes P
    # every layer direction's W_ih, W_hh, b_ih, b_hh (and extra), by (layer, direction); the
    # first is the arrays above
    stack: dict[tuple[int, int], dict[str, np.ndarray]] = field(default_factory=dict)
    bidirectional: bool = False
    classes: tuple[str, ...] | None = None  # one label per sequence: the labels' names

    @property
    def shape(self) -> Shape:
        """Layers, directions, and a loss at every step or one label (classes named)."""
        layers = 1 + max((l for l, _ in self.stack), default=0)
        return Shape(layers, self.bidirectional, "last" if self.classes else "every")

    @property
    def hidden_size(self) -> int:
        return self.W_hh.shape[1]

    @property
    def input_size(self) -> int:
        return self.W_ih.shape[1]

    @property
    def output_size(self) -> int:
        return self.V.shape[0]


def weights_kind(path: str | os.PathLike) -> str:
    """"npz", "safetensors", "keras", "onnx" or "pickle", from the file's name and first
    bytes (an ONNX file is told by its name: a protobuf has no signature)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".npz", ".safetensors", ".keras", ".onnx"):
        return suffix[1:]
    if suffix in PICKLE_SUFFIXES:
        return "pickle"
    try:
        read_size(path, limits.MAX_WEIGHTS_FILE, "weights file")  # a regular file, not a FIFO
        head = _head(path)
    except (UnrolledError, OSError):
        return "npz"  # the checkpoint reader says what is wrong with it, as before
    if head[:1] == b"\x80":  # pickle protocol 2 and later
        return "pickle"
    if head[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(path) as zf:
                members = zf.namelist()
        except (OSError, zipfile.BadZipFile):
            return "npz"
        if "config.json" in members and "model.weights.h5" in members:
            return "keras"
        if any(m.endswith(".pkl") for m in members):
            return "pickle"  # torch.save's zip: data.pkl inside
        return "npz"
    if len(head) > 8 and head[8:9] == b"{":
        return "safetensors"
    return "npz"


def _head(path: Path) -> bytes:
    with open(path, "rb") as f:
        return f.read(16)


def pickle_refusal(path) -> str:
    return (f"weights file {path} is a pickle (torch.save); it is never unpickled, since "
            f"loading one runs its code: {SAVE_HINT}")


def read_vocabulary(path: str | os.PathLike) -> Vocabulary:
    """A vocabulary file: one JSON string of the characters, or a list of single characters."""
    data = parse_json(read_text(path, MAX_VOCAB_FILE, "vocabulary file"),
                      f"vocabulary file {path}")
    if isinstance(data, str):
        chars = tuple(data)
    elif isinstance(data, list) and all(isinstance(c, str) for c in data):
        chars = tuple(data)
    else:
        raise UnrolledError(f"vocabulary file {path}: expected a JSON string of characters or "
                            "a list of single characters")
    if len(chars) > limits.MAX_VOCAB:
        raise UnrolledError(f"vocabulary file {path}: {len(chars)} characters (at most "
                            f"{limits.MAX_VOCAB})")
    try:
        return Vocabulary(chars)
    except UnrolledError as err:
        raise UnrolledError(f"vocabulary file {path}: {err}") from None


def vocabulary_beside(path: Path) -> Path | None:
    """``NAME.vocab.json`` beside ``NAME.safetensors``, else ``vocab.json``, else None."""
    for candidate in (path.with_name(path.stem + ".vocab.json"), path.with_name("vocab.json")):
        if candidate.exists():
            return candidate
    return None


def _vocabulary(path: Path, vocab) -> Vocabulary:
    if isinstance(vocab, Vocabulary):
        return vocab
    if vocab:
        if len(vocab) > limits.MAX_VOCAB:
            raise UnrolledError(f"--vocab has {len(vocab)} characters; at most "
                                f"{limits.MAX_VOCAB}")
        return Vocabulary(tuple(vocab))
    beside = vocabulary_beside(path)
    if beside is None:
        raise UnrolledError(f"weights file {path} holds no vocabulary: give --vocab (the "
                            f"characters in index order) or write {path.stem}.vocab.json "
                            "beside it")
    return read_vocabulary(beside)


def _check_sizes(source: str, H: int, D: int, K: int, V_in: int | None) -> None:
    """Refuse sizes beyond the limits before any weight is read."""
    if H > limits.MAX_HIDDEN:
        raise UnrolledError(f"{source}: {H} hidden units (at most {limits.MAX_HIDDEN})")
    for what, n in (("inputs", D), ("outputs", K), ("embedding rows", V_in or 0)):
        if n > limits.MAX_VOCAB:
            raise UnrolledError(f"{source}: {n} {what} (at most {limits.MAX_VOCAB})")


def _torch_arrays(path: Path, names) -> dict:
    from rnn.imports.safetensors_file import read_header, read_tensors
    from rnn.imports.torch_layout import find_layout

    source = f"weights file {path}"
    tensors, metadata, start = read_header(path)
    try:
        layout = find_layout({k: t.shape for k, t in tensors.items()}, metadata, names)
    except UnrolledError as err:
        raise UnrolledError(f"{source}: {err}") from None
    first = layout.keys(0, 0)
    GH, D = tensors[first["W_ih"]].shape
    H = tensors[first["W_hh"]].shape[1]
    emb = tensors[layout.embedding].shape[0] if layout.embedding else None
    _check_sizes(source, H, D, tensors[layout.V].shape[0], emb)
    slots = [(l, d) for l in range(layout.layers) for d in range(1 + layout.bidirectional)]
    wanted = [k for slot in slots for k in layout.keys(*slot).values() if k]
    wanted += [k for k in (layout.V, layout.c, layout.embedding) if k]
    read = read_tensors(path, {k: tensors[k] for k in wanted}, start)
    stack = {slot: {ours: (read[theirs] if theirs else np.zeros(GH))  # bias=False: zeros
                    for ours, theirs in layout.keys(*slot).items()} for slot in slots}
    V = read[layout.V]
    return {"cell": layout.cell, "stack": stack, "bidirectional": layout.bidirectional,
            "V": V, "c": read[layout.c] if layout.c else np.zeros(len(V)),
            "embedding": read[layout.embedding] if layout.embedding else None,
            "reads": None}  # a state_dict does not say where its head reads: the classes do


def _keras_arrays(path: Path) -> dict:
    from rnn.imports.keras_file import open_keras
    from rnn.imports.keras_layout import keras_arrays

    kf = open_keras(path)
    try:
        for name, shape in kf.shapes.items():  # every array within the limits, before reading
            if len(shape) == 2 and max(shape) > 4 * max(limits.MAX_HIDDEN, limits.MAX_VOCAB):
                raise UnrolledError(f"{kf.source}: {name} has shape {shape}, beyond the limits")
        out = keras_arrays(kf)
    finally:
        kf.close()
    return out


def load_model(path: str | os.PathLike, vocab: str | Vocabulary | None = None,
               names: dict[str, str] | None = None, classes=None) -> ImportedModel:
    """The model in ``path`` (.safetensors, .keras or .onnx), checked; one UnrolledError line
    if it cannot be read or drawn.

    ``vocab``: the characters in index order (else the file beside the model); ``names``:
    the torch modules' prefixes when their roles are ambiguous (``recurrent``, ``embedding``,
    ``head``); ``classes``: the class names of a model that reads one label per sequence
    (else ``NAME.classes.json`` beside it; ``rnn.imports.classes`` says the rule).
    """
    from rnn.imports.classes import model_classes, model_task

    path = Path(path)
    arrays = read_arrays(path, names)
    source = f"weights file {path}"
    vocabulary = _vocabulary(path, vocab)
    named = model_classes(path, classes)
    task = model_task(arrays.pop("reads"), named, source, "its head")
    n, K = len(vocabulary), arrays["V"].shape[0]
    if task == "last" and K != len(named):
        raise UnrolledError(f"{source}: the head has {K} outputs but {len(named)} classes are "
                            f"named ({', '.join(named)})")
    if task == "every" and K != n:
        hint = "" if arrays["framework"] != "torch" else (
            " (a head of one label per sequence? name its classes with --classes or "
            f"{path.stem}.classes.json)")
        raise UnrolledError(f"{source}: the head has {K} outputs but the vocabulary has {n} "
                            f"characters{hint}")
    emb = arrays["embedding"]
    if emb is None and arrays["W_ih"].shape[1] != n:
        raise UnrolledError(f"{source}: the recurrent layer takes {arrays['W_ih'].shape[1]} "
                            f"inputs (one-hot over the vocabulary) but the vocabulary has {n} "
                            "characters")
    if emb is not None and emb.shape[0] != n:
        raise UnrolledError(f"{source}: the embedding has {emb.shape[0]} rows but the "
                            f"vocabulary has {n} characters")
    if emb is not None and emb.shape[1] != arrays["W_ih"].shape[1]:
        raise UnrolledError(f"{source}: the embedding's rows have {emb.shape[1]} entries but "
                            f"the recurrent layer takes {arrays['W_ih'].shape[1]} inputs")
    return ImportedModel(vocabulary=vocabulary, classes=named if task == "last" else None,
                         **arrays)


def read_arrays(path: Path, names: dict[str, str] | None = None) -> dict:
    """The cell, arrays (torch's layout) and framework of a checked model file."""
    kind = weights_kind(path)
    if kind == "pickle":
        raise UnrolledError(pickle_refusal(path))
    if kind not in ("safetensors", "keras", "onnx"):
        raise UnrolledError(f"weights file {path}: not a .safetensors, .keras or .onnx model "
                            "file")
    if names and kind != "safetensors":
        raise UnrolledError(f"--parts names the parts of a torch state_dict; a .{kind} file "
                            "names its own")
    if kind == "onnx":
        from rnn.imports.onnx_stack import onnx_arrays

        arrays = onnx_arrays(path)
    else:
        arrays = _torch_arrays(path, names) if kind == "safetensors" else _keras_arrays(path)
    arrays.setdefault("reads", "every")
    if "stack" not in arrays:  # a reader of one layer
        arrays["stack"] = {(0, 0): {**{k: arrays.pop(k) for k in ("W_ih", "W_hh", "b_ih",
                                                                 "b_hh")},
                                    **arrays.get("extra", {})}}
    stack = arrays["stack"]
    arrays.update({k: stack[(0, 0)][k] for k in ("W_ih", "W_hh", "b_ih", "b_hh")})  # the first
    if kind == "onnx":
        emb = arrays["embedding"]
        _check_sizes(f"weights file {path}", arrays["W_hh"].shape[1], arrays["W_ih"].shape[1],
                     arrays["V"].shape[0], None if emb is None else emb.shape[0])
    for name, a in [*arrays.items(), *arrays.get("extra", {}).items(),
                    *((f"{k}{suffix(*slot)}", a) for slot, own in stack.items()
                      for k, a in own.items())]:
        if isinstance(a, np.ndarray) and not np.all(np.isfinite(a)):
            raise UnrolledError(f"weights file {path}: {name} holds NaN or infinite values")
    arrays["framework"] = {"safetensors": "torch"}.get(kind, kind)
    return arrays


def parse_layer_names(text: str | None) -> dict[str, str] | None:
    """``"recurrent=core,head=decoder"`` -> ``{"recurrent": "core", "head": "decoder"}``."""
    if not text:
        return None
    out = {}
    for part in text.split(","):
        role, sep, name = part.partition("=")
        if not sep or role.strip() in out:
            raise UnrolledError(f"--parts {text!r}: expected ROLE=PREFIX pairs separated by "
                                "commas, each role once")
        out[role.strip()] = name.strip()
    return out
