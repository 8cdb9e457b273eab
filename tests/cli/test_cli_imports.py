"""``--weights`` with models from PyTorch and Keras: what cannot be drawn, and hostile files, are
refused through the real command line with one ``Error:`` line, exit status 2, no traceback and
nothing computed (no trace printed)."""

from __future__ import annotations

import json
import shutil
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest

from tests.cli.cli_run import unrolled

DATA = Path(__file__).resolve().parents[1] / "rnn" / "data" / "frameworks"
TEXT = "hello world"


def write_safetensors(path: Path, arrays: dict[str, np.ndarray], header: dict | None = None,
                      cut: int | None = None) -> Path:
    """A .safetensors file of float32 ``arrays``; ``header`` entries replace the computed ones
    (to plant lies), ``cut`` truncates the file to that many bytes."""
    entries, blobs, offset = {}, [], 0
    for name, a in arrays.items():
        data = np.ascontiguousarray(a, dtype="<f4").tobytes()
        entries[name] = {"dtype": "F32", "shape": list(a.shape),
                         "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    entries.update(header or {})
    raw = json.dumps(entries).encode()
    blob = struct.pack("<Q", len(raw)) + raw + b"".join(blobs)
    path.write_bytes(blob[:cut] if cut is not None else blob)
    shutil.copy(DATA / "vocab.json", path.parent / "vocab.json")
    return path


def torch_arrays(name: str = "torch_gru") -> dict[str, np.ndarray]:
    """The arrays of a fixture as a dict, through a reader independent of ours."""
    raw = (DATA / f"{name}.safetensors").read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    return {k: np.frombuffer(raw[8 + n + v["data_offsets"][0]:8 + n + v["data_offsets"][1]],
                             "<f4").reshape(v["shape"]) for k, v in header.items()}


def keras_with(path: Path, config=None, weights: bytes | None = None,
               compression=zipfile.ZIP_STORED, source: str = "keras_lstm") -> Path:
    """A copy of a Keras fixture with its config.json or model.weights.h5 replaced."""
    with zipfile.ZipFile(DATA / f"{source}.keras") as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    if config is not None:
        members["config.json"] = config if isinstance(config, bytes) else json.dumps(config).encode()
    if weights is not None:
        members["model.weights.h5"] = weights
    with zipfile.ZipFile(path, "w", compression) as zf:
        for n, data in members.items():
            zf.writestr(n, data)
    shutil.copy(DATA / "vocab.json", path.parent / "vocab.json")
    return path


def h5_with(change) -> bytes:
    """The LSTM fixture's weights file with ``change(h5_file)`` applied."""
    import io

    import h5py

    with zipfile.ZipFile(DATA / "keras_lstm.keras") as zf:
        buf = io.BytesIO(zf.read("model.weights.h5"))
    with h5py.File(buf, "a") as h5:
        change(h5)
    return buf.getvalue()


def _reshape_kernel(h5):
    del h5["layers/lstm/cell/vars/0"]
    h5["layers/lstm/cell/vars/0"] = np.zeros((8, 19), "f4")


def _integer_kernel(h5):
    del h5["layers/lstm/cell/vars/0"]
    h5["layers/lstm/cell/vars/0"] = np.zeros((8, 20), "i4")


def _nan(arrays):
    arrays["rnn.weight_hh_l0"] = arrays["rnn.weight_hh_l0"].copy()
    arrays["rnn.weight_hh_l0"][0, 0] = np.nan
    return arrays


def _spans(arrays):
    return {k: v["data_offsets"] for k, v in
            json.loads(write_safetensors_bytes(arrays)).items()}


def write_safetensors_bytes(arrays) -> bytes:
    entries, offset = {}, 0
    for name, a in arrays.items():
        size = a.size * 4
        entries[name] = {"dtype": "F32", "shape": list(a.shape),
                         "data_offsets": [offset, offset + size]}
        offset += size
    return json.dumps(entries).encode()


def raw_file(d: Path, data: bytes, name: str = "m.safetensors") -> Path:
    (d / name).write_bytes(data)
    return d / name


def tied_sizes() -> dict[str, np.ndarray]:
    """An embedding (8, 5) and a head without bias (8, 5) beside a GRU of 5 inputs and 5 units:
    both fit either role, so the file alone cannot say which is which."""
    rng = np.random.default_rng(0)
    shapes = {"rnn.weight_ih_l0": (15, 5), "rnn.weight_hh_l0": (15, 5), "rnn.bias_ih_l0": (15,),
              "rnn.bias_hh_l0": (15,), "emb.weight": (8, 5), "head.weight": (8, 5)}
    return {k: rng.uniform(-0.5, 0.5, s).astype("f4") for k, s in shapes.items()}


def _second_head(arrays):
    arrays["aux.weight"] = np.zeros((8, 5), "f4")
    arrays["aux.bias"] = np.zeros(8, "f4")
    return arrays


def _without(name: str, ending: str) -> dict[str, np.ndarray]:
    """A stacked fixture's arrays without one layer direction's (keys ending ``ending``)."""
    return {k: v for k, v in torch_arrays(name).items() if not k.endswith(ending)}


def _with_classes(folder: Path, name: str) -> Path:
    """A copy of a fixture with class names beside it."""
    path = Path(shutil.copy(DATA / name, folder / name))
    shutil.copy(DATA / "vocab.json", folder / "vocab.json")
    path.with_name(path.stem + ".classes.json").write_text('["farewell", "greeting", "q"]')
    return path


def _two_blocks(arrays):
    """The GRU's arrays cut to 2H rows: a layer of two gate blocks, which no torch class has."""
    return {k: (v[:10] if "_l0" in k else v) for k, v in arrays.items()}


G = torch_arrays()
SPANS = _spans(G)
FIRST, SECOND = "rnn.weight_hh_l0", "head.weight"  # SECOND is planted over FIRST

# id -> (how to make the weights file in a folder, extra arguments, words the line must hold)
CASES = {
    # a bidirectional GRU under a head of H units: the head reads one direction, not both
    "bidirectional": (lambda d: DATA / "refuse_torch_bidirectional.safetensors", [],
                      "shape (K, 10) (2 directions x 5 units)"),
    "five-layers": (lambda d: DATA / "refuse_torch_five_layers.safetensors", [],
                    "5 layers (num_layers=5); at most 4"),
    "layer-missing": (lambda d: write_safetensors(d / "m.safetensors", _without(
        "torch_lstm_l3_bi_last", "_l1")), [], "no rnn.weight_ih_l1: layer 1 is missing"),
    "reverse-half-missing": (lambda d: write_safetensors(d / "m.safetensors", _without(
        "torch_gru_l2_bi", "_l1_reverse")), [],
        "no rnn.weight_ih_l1_reverse: the reverse half of layer 1 is missing"),
    "one-label-head-without-classes": (
        lambda d: write_safetensors(d / "m.safetensors", torch_arrays("torch_lstm_l2_last")),
        [], "the head has 3 outputs but the vocabulary has 8 characters (a head of one label"),
    "proj-size": (lambda d: DATA / "refuse_torch_proj_size.safetensors", [], "proj_size"),
    "pickle": (lambda d: DATA / "refuse_pickle.pt", [], "never unpickled"),
    "pickle-as-bin": (lambda d: shutil.copy(DATA / "refuse_pickle.pt", d / "model.bin"), [],
                      "never unpickled"),
    "keras-hard-sigmoid": (lambda d: DATA / "refuse_keras_hard_sigmoid.keras", [],
                           "recurrent_activation 'hard_sigmoid'"),
    "keras-last-step": (lambda d: DATA / "refuse_keras_last_step.keras", [],
                        "reads only the last step"),
    "num-layers-against-the-file": (lambda d: DATA / "torch_lstm_l2_bi.safetensors",
                                    ["--num-layers", "3"], "leave --num-layers and "
                                    "--bidirectional out"),
    "label-missing": (lambda d: DATA / "torch_rnn_l3_bi_last.onnx", [],
                      "give the text's --label (one of farewell, greeting, question)"),
    "label-not-a-class": (lambda d: DATA / "keras_gru_l2_bi_last.keras", ["--label", "hello"],
                          "'hello' is not one of the classes"),
    "classes-against-the-head": (lambda d: DATA / "torch_lstm.safetensors",
                                 ["--label", "x", "--classes", "a,b"],
                                 "the head has 8 outputs but 2 classes are named"),
    "keras-merge-sum": (lambda d: DATA / "refuse_keras_merge_sum.keras", [],
                        "has merge_mode 'sum'; only 'concat'"),
    "keras-five-layers": (lambda d: DATA / "refuse_keras_five_layers.keras", [],
                          "5 recurrent layers; at most 4"),
    "keras-relu-head": (lambda d: _with_classes(d, "refuse_keras_relu_head.keras"), [],
                        "activation 'relu'; its outputs must be the logits"),
    "keras-classes-on-every-step": (lambda d: _with_classes(d, "keras_gru_l2_bi.keras"), [],
                                    "predicts at every step"),
    "contradicting-cell": (lambda d: DATA / "torch_lstm.safetensors", ["--cell", "gru"],
                           "holds an LSTM; --cell is gru"),
    "head-vs-vocab": (lambda d: DATA / "torch_gru.safetensors", ["--vocab", "helowrd"],
                      "the head has 8 outputs but the vocabulary has 7"),
    "no-vocabulary": (lambda d: shutil.copy(DATA / "torch_gru.safetensors", d / "m.safetensors"),
                      [], "holds no vocabulary"),
    "ambiguous-head": (lambda d: write_safetensors(d / "m.safetensors", tied_sizes()), [],
                       "which is the head? candidates: emb.weight (8, 5), head.weight (8, 5)"),
    "a-second-head": (lambda d: write_safetensors(d / "m.safetensors", _second_head(dict(G))),
                      ["--parts", "head=head"], "aux.bias, aux.weight not part of"),
    "layers-names-nothing": (lambda d: DATA / "torch_gru.safetensors",
                             ["--parts", "head=decoder"], "decoder.weight is not in the file"),
    "layers-with-a-checkpoint": (lambda d: raw_file(d, b"", "m.npz"),
                                 ["--parts", "head=decoder"], "names the parts of a"),
    "truncated": (lambda d: write_safetensors(d / "m.safetensors", G, cut=900), [],
                  "truncated"),
    "too-short": (lambda d: write_safetensors(d / "m.safetensors", G, cut=5), [], "too short"),
    "header-past-the-file": (lambda d: raw_file(d, struct.pack("<Q", 10_000) + b"{}"), [],
                             "declares a 10000-byte header"),
    "header-too-big": (lambda d: raw_file(d, struct.pack("<Q", 2**62) + b"{}"), [],
                       "header (at most"),
    "offsets-overlap": (lambda d: write_safetensors(d / "m.safetensors", G, {
        SECOND: {"dtype": "F32", "shape": [8, 5],
                 "data_offsets": [SPANS[FIRST][0], SPANS[FIRST][0] + 160]}}), [], "overlap"),
    "offsets-outside": (lambda d: write_safetensors(d / "m.safetensors", G, {
        SECOND: {"dtype": "F32", "shape": [8, 5], "data_offsets": [10**6, 10**6 + 160]}}),
        [], "lies at bytes"),
    "dtype-mismatch": (lambda d: write_safetensors(d / "m.safetensors", G, {
        SECOND: {"dtype": "F64", "shape": [8, 5], "data_offsets": SPANS[SECOND]}}),
        [], "but data_offsets span"),
    "integer-dtype": (lambda d: write_safetensors(d / "m.safetensors", G, {
        SECOND: {"dtype": "I32", "shape": [8, 5], "data_offsets": SPANS[SECOND]}}),
        [], "must be floats"),
    "huge-shape": (lambda d: write_safetensors(d / "m.safetensors", G, {
        SECOND: {"dtype": "F32", "shape": [10**9, 10**9], "data_offsets": SPANS[SECOND]}}),
        [], "declares shape"),
    "two-gate-blocks": (lambda d: write_safetensors(d / "m.safetensors", _two_blocks(G)), [],
                        "expected those of nn.RNN (H), nn.GRU (3H) or nn.LSTM (4H)"),
    "sigmoid-nn-rnn": (lambda d: write_safetensors(
        d / "m.safetensors", torch_arrays("torch_rnn"),
        {"__metadata__": {"nonlinearity": "sigmoid"}}), [], "not nonlinearity 'sigmoid'"),
    "nan-weight": (lambda d: write_safetensors(d / "m.safetensors", _nan(dict(G))), [],
                   "NaN or infinite"),
    "keras-zip-bomb": (lambda d: keras_with(d / "m.keras", weights=b"\x89HDF\r\n\x1a\n"
                                            + bytes(50 * 1024**2),
                                            compression=zipfile.ZIP_DEFLATED), [], "zip bomb"),
    "keras-config-too-big": (lambda d: keras_with(d / "m.keras", config=b" " * (5 * 1024**2)),
                             [], "config.json' declares"),
    "keras-config-deep": (lambda d: keras_with(d / "m.keras", config=b"[" * 100 + b"]" * 100),
                          [], "nested deeper"),
    "keras-h5-wrong-shape": (lambda d: keras_with(d / "m.keras", weights=h5_with(_reshape_kernel)),
                             [], "has shape (8, 19), expected (8, 20)"),
    "keras-h5-integers": (lambda d: keras_with(d / "m.keras", weights=h5_with(_integer_kernel)),
                          [], "must be floats"),
    "keras-not-hdf5": (lambda d: keras_with(d / "m.keras", weights=b"not hdf5 at all"), [],
                       "not an HDF5 file"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_refused_in_one_line(case, tmp_path):
    make, extra, words = CASES[case]
    weights = make(tmp_path)
    r = unrolled("trace", "--text", TEXT, "--weights", str(weights), *extra)
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2, r.stderr
    assert len(lines) == 1 and lines[0].startswith("Error: "), r.stderr
    assert "Traceback" not in r.stderr
    assert words in lines[0], lines[0]
    assert r.stdout == ""  # nothing was run


def test_an_ambiguous_head_is_named_with_layers(tmp_path):
    weights = write_safetensors(tmp_path / "m.safetensors", tied_sizes())
    r = unrolled("trace", "--text", TEXT, "--weights", str(weights), "--parts", "head=head")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("gru trace, loss")
    from rnn.imports import load_model

    model = load_model(weights, names={"head": "head"})  # and the embedding is the other one
    np.testing.assert_array_equal(model.embedding, tied_sizes()["emb.weight"])


@pytest.mark.parametrize("name", ["torch_lstm_embed.safetensors", "keras_rnn.keras",
                                  "torch_rnn_relu.safetensors"])
def test_the_cell_comes_from_the_file(name):
    r = unrolled("trace", "--text", TEXT, "--weights", str(DATA / name))
    assert r.returncode == 0, r.stderr
    expected = np.load(DATA / name.replace(Path(name).suffix, ".npz"))["loss"]
    head = r.stdout.splitlines()[0].split()
    cell = {"torch_lstm_embed": "lstm", "keras_rnn": "rnn", "torch_rnn_relu": "rnn-relu"}
    assert head[:3] == [cell[Path(name).stem], "trace,", "loss"]
    assert float(head[3]) == pytest.approx(float(expected), rel=1e-5)
