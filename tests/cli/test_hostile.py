"""Hostile and careless input to every command: refused early, in one line, with nothing harmed.

Each case runs the real command line in a process of its own (forked from one interpreter
that imported the program: tests/forks.py) under a memory limit and a timeout, in a folder of
its own holding an ``out`` folder (and whatever the case planted there). Asserted:
the documented exit status (2 bad input, 1 overflow in a run that started, 0 fine), exactly
one ``Error:`` line for status 2, never a traceback, nothing left in ``out`` by a refused run,
and a FIFO, a symlink, an outside file or /dev/null still what it was afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from forks import client_command, server

# every case runs once, in the one module fixture: under -n its tests stay in one worker
pytestmark = pytest.mark.xdist_group("hostile")
ROOT = Path(__file__).resolve().parents[2]
MEMORY_LIMIT = 3 * 1024**3
TIMEOUT = 60
QUICK = ("--format", "png", "-q", "low")  # renders refuse before any frame is drawn


# The memory limit is set by the child itself before anything is imported: the same as a
# preexec_fn, which is not safe here because the cases run from several threads.
LIMITED = (f"import resource; resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_LIMIT}, "
           f"{MEMORY_LIMIT})); import cli; cli.main()")


# Files the cases are given ---------------------------------------------------------------
def _trace_doc() -> dict:
    from rnn import text_model
    from rnn.traces import files as trace_files

    return json.loads(trace_files.dumps(text_model().trace()))


def _windows_doc() -> dict:
    from rnn import text_model
    from rnn.traces import files as trace_files

    return json.loads(trace_files.dumps(text_model("hello world").windows(4)))


def _write_json(path: Path, doc) -> Path:
    path.write_text(json.dumps(doc))
    return path


def _mutated(mutate: Callable[[dict], None], windows: bool = False):
    def make(d: Path) -> Path:
        doc = _windows_doc() if windows else _trace_doc()
        mutate(doc)
        return _write_json(d / "in.json", doc)
    return make


def _text(content: str) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        (d / "in.txt").write_text(content)
        return d / "in.txt"
    return make


def _npz(**arrays) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        good = {"U": np.zeros((3, 4)), "W": np.eye(3) * 0.5, "V": np.zeros((4, 3)),
                "b": np.zeros(3), "c": np.zeros(4), "vocabulary": np.array(list("ehlo")),
                "meta": np.array("{}")}
        good.update(arrays)
        np.savez(d / "in.npz", **good)
        return d / "in.npz"
    return make


def _lying_npz(d: Path) -> Path:
    """A member whose header claims 100000 x 100000 floats over 8 bytes of data."""
    from numpy.lib import format as npy_format

    path = d / "in.npz"
    with zipfile.ZipFile(path, "w") as zf, zf.open("W.npy", "w") as f:
        npy_format.write_array_header_1_0(
            f, {"descr": "<f8", "fortran_order": False, "shape": (100000, 100000)})
        f.write(b"\0" * 8)
    return path


def _trace_npz(cell: str = "rnn", member: str = "", data=None, header: dict | None = None):
    """A binary trace (the engine's own), with one member replaced by ``data`` (an array) or
    by a bare .npy ``header`` over 8 bytes."""
    def make(d: Path) -> Path:
        from numpy.lib import format as npy_format

        from rnn import text_model
        from rnn.traces import files as trace_files

        good = d / "good.npz"
        tr = text_model().trace() if cell == "rnn" else text_model("hello", cell=cell).trace()
        trace_files.save(good, tr)
        path = d / "in.npz"
        with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w") as dst:
            for info in src.infolist():
                with dst.open(info.filename, "w") as f:
                    if info.filename != member:
                        f.write(src.read(info))
                    elif header is not None:
                        npy_format.write_array_header_1_0(f, header)
                        f.write(b"\0" * 8)
                    else:
                        npy_format.write_array(f, data, allow_pickle=False)
        good.unlink()
        return path
    return make


def _gated_json(d: Path, cell: str) -> Path:
    from rnn.model import text_model
    from rnn.traces import files as trace_files

    trace_files.save(d / "in.json", text_model("hello", cell=cell).trace())
    return d / "in.json"


def _checkpoint(cell: str) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        from rnn.files.checkpoint import save_checkpoint
        from rnn.model import text_model

        m = text_model("hello", cell=cell)
        save_checkpoint(d / "in.npz", m.params, m.vocabulary, {})
        return d / "in.npz"
    return make


def _zip_bomb(d: Path) -> Path:
    path = d / "in.npz"
    np.savez_compressed(path, W=np.zeros((1000, 1000)))  # 8 MB of zeros in about 8 KB
    return path


def _fifo(name: str) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        os.mkfifo(d / name)
        return d / name
    return make


def _symlink_to_outside(name: str) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:  # d is the out folder; the file lives outside it
        (d.parent / "outside.txt").write_text("precious")
        os.symlink(d.parent / "outside.txt", d / name)
        return d / name
    return make


def _lecture(toml: str) -> Callable[[Path], Path]:
    def make(d: Path) -> Path:
        (d / "lec.toml").write_text(toml)
        return d / "lec.toml"
    return make


FORWARD = '\n[[scenes]]\nname = "forward"\n'


@dataclass
class Case:
    """One command line; ``{in}`` in ``args`` is replaced by the file ``make`` creates."""

    id: str
    args: tuple[str, ...]
    status: int = 2
    make: Callable[[Path], Path] | None = None
    message: str = ""  # a piece of the Error line
    plant: dict[str, Callable[[Path], Path]] = field(default_factory=dict)  # out/<name>


def C(id, *args, status=2, make=None, message="", plant=None):
    return Case(id, tuple(args), status, make, message, plant or {})


LONG = "ab" * 5001
CASES = [
    # trace: numeric options -------------------------------------------------------------
    C("trace-seed-negative", "trace", "--seed", "-1", message="--seed"),
    C("trace-seed-2**32", "trace", "--seed", "4294967296", message="--seed"),
    C("trace-seed-float", "trace", "--seed", "1.5", message="--seed"),
    C("trace-lr-inf", "trace", "--lr", "inf", "--json", "out/x.json", message="--lr"),
    C("trace-lr-nan", "trace", "--lr", "nan", message="--lr"),
    C("trace-lr-negative", "trace", "--lr", "-1", message="--lr"),
    C("trace-lr-zero", "trace", "--lr", "0", message="--lr"),
    C("trace-init-scale-inf", "trace", "--init-scale", "inf", message="--init-scale"),
    C("trace-init-scale-huge", "trace", "--init-scale", "1e308", message="--init-scale"),
    C("trace-radius-inf", "trace", "--radius", "inf", message="--radius"),
    C("trace-radius-nan", "trace", "--radius", "nan", message="--radius"),
    C("trace-radius-zero", "trace", "--radius", "0", message="--radius"),
    C("trace-radius-huge", "trace", "--radius", "1e308", message="--radius"),
    C("trace-clip-inf", "trace", "--clip", "inf", message="--clip"),
    C("trace-clip-negative", "trace", "--clip", "-0.5", message="--clip"),
    C("trace-hidden-exabytes", "trace", "--hidden", "100000000000000000", message="--hidden"),
    C("trace-hidden-1001", "trace", "--hidden", "1001", message="--hidden"),
    C("trace-window-zero", "trace", "--window", "0", message="--window"),
    C("trace-window-huge", "trace", "--window", "100000", message="--window"),
    C("trace-text-too-long", "trace", "--text", "a" * 10001, message="at most 10000"),
    C("trace-memory", "trace", "--text", LONG[:6000], "--hidden", "1000", message="minutes"),
    C("trace-json-memory", "trace", "--text", LONG[:601], "--hidden", "100", "--json",
      "out/t.json", "--full-errors", message="JSON included"),
    C("trace-vocab-too-big", "trace", "--vocab", "".join(chr(0x100 + i) for i in range(1001)),
      message="--vocab"),
    # trace: outputs
    C("trace-json-dev-null", "trace", "--json", "/dev/null", "--quiet",
      message="character device"),
    C("trace-json-fifo", "trace", "--json", "out/p.json", "--quiet",
      plant={"p.json": _fifo("p.json")}, message="FIFO"),
    C("trace-json-folder", "trace", "--json", "out", "--quiet", message="folder"),
    C("trace-json-symlink-to-fifo", "trace", "--json", "out/l.json", "--quiet",
      plant={"f": _fifo("f"), "l.json": lambda d: _link(d, "f", "l.json")}, message="FIFO"),
    C("trace-json-missing-folder", "trace", "--json", "out/no/such/t.json",
      message="does not exist"),
    C("trace-json-bad-input-keeps-symlink", "trace", "--lr", "inf", "--json", "out/s.json",
      plant={"s.json": _symlink_to_outside("s.json")}, message="--lr"),
    C("trace-json-to-stdout", "trace", "--json", "-", status=0),
    C("trace-json-replaces-link-not-target", "trace", "--json", "out/s.json", "--quiet",
      status=0, plant={"s.json": _symlink_to_outside("s.json")}),
    # trace: weights
    C("weights-5-byte-text", "trace", "--weights", "{in}", make=_text("hello"),
      message="not an .npz archive"),
    C("weights-fifo", "trace", "--weights", "{in}", make=_fifo("w.npz"), message="FIFO"),
    C("weights-dev-zero", "trace", "--weights", "/dev/zero", message="device"),
    C("weights-folder", "trace", "--weights", ".", message="folder"),
    C("weights-missing", "trace", "--weights", "nope.npz", message="not found"),
    C("weights-string-array", "trace", "--weights", "{in}",
      make=_npz(U=np.array([["a"] * 4] * 3)), message="dtype"),
    C("weights-complex", "trace", "--weights", "{in}",
      make=_npz(W=np.eye(3, dtype=complex)), message="dtype"),
    C("weights-object", "trace", "--weights", "{in}",
      make=_npz(vocabulary=np.array([{"a": 1}], dtype=object)), message="pickled"),
    C("weights-lying-header", "trace", "--weights", "{in}", make=_lying_npz,
      message="declares"),
    C("weights-zip-bomb", "trace", "--weights", "{in}", make=_zip_bomb, message="zip bomb"),
    C("weights-nan", "trace", "--weights", "{in}", make=_npz(W=np.full((3, 3), np.nan)),
      message="NaN"),
    C("weights-bad-meta", "trace", "--weights", "{in}", make=_npz(meta=np.array("[" * 100)),
      message="meta"),
    # trace: overflow in a run that started correctly
    C("trace-update-overflows", "trace", "--init-scale", "50", "--lr", "1e308", "--quiet",
      status=1, message="non-finite"),
    # gradcheck ----------------------------------------------------------------------------
    C("gradcheck-hidden-1001", "gradcheck", "--hidden", "1001", message="--hidden"),
    C("gradcheck-too-slow", "gradcheck", "--hidden", "1000", "--text", "ab", message="minutes"),
    C("gradcheck-too-slow-300", "gradcheck", "--hidden", "300", "--text", "hello world",
      message="minutes"),
    C("gradcheck-seed", "gradcheck", "--seed", "-1", message="--seed"),
    C("gradcheck-radius-inf", "gradcheck", "--radius", "inf", message="--radius"),
    C("gradcheck-init-nan", "gradcheck", "--init-scale", "nan", message="--init-scale"),
    C("gradcheck-weights-fifo", "gradcheck", "--weights", "{in}", make=_fifo("w.npz"),
      message="FIFO"),
    C("gradcheck-empty-text", "gradcheck", "--text", "", message="empty"),
    C("gradcheck-small-passes", "gradcheck", "--hidden", "2", status=0),
    # train --------------------------------------------------------------------------------
    C("train-dev-zero", "train", "/dev/zero", message="device"),
    C("train-fifo", "train", "{in}", make=_fifo("t.txt"), message="FIFO"),
    C("train-folder", "train", ".", message="folder"),
    C("train-missing", "train", "nope.txt", message="not found"),
    C("train-binary", "train", "{in}", make=lambda d: _bytes(d, b"\xff\xfe\x00" * 100),
      message="UTF-8"),
    C("train-file-too-big", "train", "{in}", make=lambda d: _sparse(d, 17 * 1024**2),
      message="bytes"),
    C("train-out-dev-null", "train", "{in}", "--out", "/dev/null", make=_text("abc" * 30),
      message="character device"),
    C("train-out-fifo", "train", "{in}", "--out", "out/w.npz", make=_text("abc" * 30),
      plant={"w.npz": _fifo("w.npz")}, message="FIFO"),
    C("train-out-missing-folder", "train", "{in}", "--out", "out/no/w.npz",
      make=_text("abc" * 30), message="does not exist"),
    C("train-lr-inf", "train", "{in}", "--lr", "inf", make=_text("abc" * 30), message="--lr"),
    C("train-lr-diverges", "train", "{in}", "--lr", "1e308", "--hidden", "5", "--window", "5",
      "--iterations", "20", "--out", "out/w.npz", make=_text("abcdefgh" * 10), status=1,
      message="diverged"),
    C("train-hidden-zero", "train", "{in}", "--hidden", "0", make=_text("abc" * 30),
      message="--hidden"),
    C("train-hidden-huge", "train", "{in}", "--hidden", "5000", make=_text("abc" * 30),
      message="--hidden"),
    C("train-iterations-zero", "train", "{in}", "--iterations", "0", make=_text("abc" * 30),
      message="--iterations"),
    C("train-window-huge", "train", "{in}", "--window", "100000", make=_text("abc" * 30),
      message="--window"),
    C("train-seed-negative", "train", "{in}", "--seed", "-1", make=_text("abc" * 30),
      message="--seed"),
    C("train-clip-nan", "train", "{in}", "--clip", "nan", make=_text("abc" * 30),
      message="--clip"),
    C("train-sample-every-negative", "train", "{in}", "--sample-every", "-1",
      make=_text("abc" * 30), message="--sample-every"),
    C("train-vocabulary-too-big", "train", "{in}", "--out", "out/w.npz",
      make=_text("".join(chr(0x100 + i) for i in range(1200))), message="distinct"),
    C("train-text-shorter-than-window", "train", "{in}", "--out", "out/w.npz",
      make=_text("abc"), message="window"),
    # render -------------------------------------------------------------------------------
    C("render-radius-inf", "render", "forward", "--radius", "inf", *QUICK, message="--radius"),
    C("render-vanishing-radius-huge", "render", "vanishing", "--radius", "1e308", *QUICK,
      message="--radius"),
    C("render-clipping-clip-inf", "render", "clipping", "--clip", "inf", *QUICK,
      message="--clip"),
    C("render-clipping-clip-nan", "render", "clipping", "--clip", "nan", *QUICK,
      message="--clip"),
    C("render-truncated-steps-zero", "render", "truncated", "--steps", "0", *QUICK,
      message="--steps"),
    C("render-jobs-zero", "render", "forward", "--jobs", "0", *QUICK, message="--jobs"),
    C("render-jobs-huge", "render", "forward", "--jobs", "100000", *QUICK, message="--jobs"),
    C("render-hidden-huge", "render", "forward", "--hidden", "5000", *QUICK,
      message="--hidden"),
    C("render-seed-negative", "render", "forward", "--seed", "-1", *QUICK, message="--seed"),
    C("render-trace-fifo", "render", "forward", "--trace", "{in}", *QUICK,
      make=_fifo("t.json"), message="FIFO"),
    C("render-trace-dev-zero", "render", "forward", "--trace", "/dev/zero", *QUICK,
      message="device"),
    C("render-trace-dev-urandom", "render", "forward", "--trace", "/dev/urandom", *QUICK,
      message="device"),
    C("render-trace-deep", "render", "forward", "--trace", "{in}", *QUICK,
      make=lambda d: _bytes(d, b"[" * 100_000 + b"]" * 100_000), message="nested"),
    C("render-trace-huge-integer", "render", "forward", "--trace", "{in}", *QUICK,
      make=lambda d: _bytes(d, b'{"format": "unrolled.trace", "version": 1' + b"0" * 100_000
                            + b"}"), message="digits"),
    C("render-trace-loss-null", "render", "forward", "--trace", "{in}", *QUICK,
      make=_mutated(lambda d: d.update(loss=None)), message="'loss'"),
    C("render-trace-loss-true", "render", "forward", "--trace", "{in}", *QUICK,
      make=_mutated(lambda d: d.update(loss=True)), message="'loss'"),
    C("render-trace-hidden-contradicts", "render", "forward", "--trace", "{in}", *QUICK,
      make=_mutated(lambda d: d["config"].update(hidden=100000)), message="config.hidden"),
    C("render-trace-window-backwards", "render", "forward", "--trace", "{in}", *QUICK,
      make=_mutated(lambda d: d["windows"][0]["window"].update(start=5, stop=1),
                    windows=True), message="window"),
    C("render-trace-nan-constant", "render", "forward", "--trace", "{in}", *QUICK,
      make=lambda d: _bytes(d, b'{"format": "unrolled.trace", "version": 1, "x": NaN}'),
      message="JSON"),
    C("render-trace-npz-lying-header", "render", "forward", "--trace", "{in}", *QUICK,
      make=_trace_npz(member="steps/h.npy", header={"descr": "<f8", "fortran_order": False,
                                                     "shape": (100000, 100000)}),
      message="declares"),
    C("render-trace-npz-float32", "render", "forward", "--trace", "{in}", *QUICK,
      make=_trace_npz(member="steps/h.npy", data=np.zeros((4, 3), dtype=np.float32)),
      message="float32"),
    C("render-trace-npz-object", "render", "forward", "--trace", "{in}", *QUICK,
      make=_trace_npz(member="h0.npy", header={"descr": "|O", "fortran_order": False,
                                               "shape": (3,)}), message="pickled"),
    C("render-trace-npz-wrong-shape", "render", "forward", "--trace", "{in}", *QUICK,
      make=_trace_npz(member="steps/h.npy", data=np.zeros((4, 5))), message="steps.h"),
    C("render-trace-npz-header-not-json", "render", "forward", "--trace", "{in}", *QUICK,
      make=_trace_npz(member="header.npy", data=np.frombuffer(b"{nope", dtype=np.uint8)),
      message="JSON"),
    # a gated trace goes to the scenes of its cell; the others refuse it
    C("render-trace-npz-lstm", "render", "unfold", "--trace", "{in}", *QUICK,
      make=_trace_npz("lstm"), message="the model's cell is lstm"),
    C("render-trace-gru-json", "render", "forward", "--cell", "rnn", "--trace", "{in}", *QUICK,
      make=lambda d: _gated_json(d, "gru"), message="holds a gru trace; --cell is rnn"),
    C("trace-weights-wrong-cell", "trace", "--weights", "{in}", make=_checkpoint("lstm"),
      message="holds an lstm; --cell is rnn"),
    C("trace-forget-bias-gru", "trace", "--cell", "gru", "--forget-bias", "1",
      message="--forget-bias"),
    C("trace-forget-bias-inf", "trace", "--cell", "lstm", "--forget-bias", "inf",
      message="--forget-bias"),
    C("trace-cell-unknown", "trace", "--cell", "elman", message="--cell"),
    C("render-out-dev-null", "render", "forward", *QUICK, "--out", "/dev/null"),
    C("render-target-fifo", "render", "forward", *QUICK, "--out", "out",
      plant={"forward.png": _fifo("forward.png")}, message="FIFO"),
    C("render-target-symlink-to-folder", "render", "forward", *QUICK, "--out", "out",
      plant={"forward.png": lambda d: _link(d, "..", "forward.png")}, message="folder"),
    C("render-alt-text-fifo", "render", "forward", *QUICK, "--out", "out",
      plant={"forward.alt.txt": _fifo("forward.alt.txt")}, message="FIFO"),
    # figures ------------------------------------------------------------------------------
    C("figures-radius-inf", "figures", "--radius", "inf", "--out", "out", message="--radius"),
    C("figures-seed-negative", "figures", "--seed", "-1", "--out", "out", message="--seed"),
    C("figures-width-huge", "figures", "--width", "100000", "--out", "out", message="width"),
    C("figures-out-dev-null", "figures", "--out", "/dev/null"),
    C("figures-trace-fifo", "figures", "--trace", "{in}", "--out", "out", make=_fifo("t.json"),
      message="FIFO"),
    C("figures-jobs-zero", "figures", "--jobs", "0", "--out", "out", message="--jobs"),
    # slides -------------------------------------------------------------------------------
    C("slides-radius-inf", "slides", "forward", "--radius", "inf", "--out", "out",
      message="--radius"),
    C("slides-out-dev-null", "slides", "forward", "--out", "/dev/null"),
    C("slides-trace-deep", "slides", "forward", "--trace", "{in}", "--out", "out",
      make=lambda d: _bytes(d, b"{\"a\":" * 50_000 + b"1" + b"}" * 50_000), message="nested"),
    C("slides-deck-fifo", "slides", "forward", "--out", "out",
      plant={"forward.pptx": _fifo("forward.pptx")}, message="FIFO"),
    C("slides-hidden-zero", "slides", "forward", "--hidden", "0", "--out", "out",
      message="--hidden"),
    C("slides-weights-bomb", "slides", "forward", "--weights", "{in}", "--out", "out",
      make=_zip_bomb, message="zip bomb"),
    # list ---------------------------------------------------------------------------------
    C("list-extra-argument", "list", "extra", message="unexpected extra argument"),
    C("list", "list", status=0),
    # lecture files ------------------------------------------------------------------------
    C("lecture-radius-inf", "render", "--config", "{in}", *QUICK, "--out", "out",
      make=_lecture("[model]\nradius = inf" + FORWARD), message="model.radius"),
    C("lecture-radius-nan", "render", "--config", "{in}", *QUICK, "--out", "out",
      make=_lecture("[model]\nradius = nan" + FORWARD), message="model.radius"),
    C("lecture-hidden-huge", "render", "--config", "{in}", *QUICK, "--out", "out",
      make=_lecture("[model]\nhidden = 100000000000000000" + FORWARD), message="model.hidden"),
    C("lecture-seed-negative", "render", "--config", "{in}", *QUICK, "--out", "out",
      make=_lecture("[model]\nseed = -1" + FORWARD), message="model.seed"),
    C("lecture-text-too-long", "render", "--config", "{in}", *QUICK, "--out", "out",
      make=_lecture(f'[model]\ntext = "{"a" * 10001}"' + FORWARD), message="model.text"),
    C("lecture-vanishing-radius-huge", "render", "--config", "{in}", *QUICK, "--out", "out",
      make=_lecture('[[scenes]]\nname = "vanishing"\nradius = 1e308\n'), message="radius"),
    C("lecture-clipping-clip-inf", "slides", "--config", "{in}", "--out", "out",
      make=_lecture('[[scenes]]\nname = "clipping"\nclip = inf\n'), message="clip"),
    C("lecture-truncated-window-huge", "render", "--config", "{in}", *QUICK, "--out", "out",
      make=_lecture('[[scenes]]\nname = "truncated"\nwindow = 100000\n'), message="window"),
    C("lecture-fifo", "render", "--config", "{in}", *QUICK, "--out", "out",
      make=_fifo("lec.toml"), message="FIFO"),
    C("lecture-dev-zero", "render", "--config", "/dev/zero", *QUICK, "--out", "out",
      message="device"),
    C("lecture-too-big", "render", "--config", "{in}", *QUICK, "--out", "out",
      make=lambda d: _sparse(d, 2 * 1024**2, "lec.toml"), message="bytes"),
    C("lecture-deep-toml", "render", "--config", "{in}", *QUICK, "--out", "out",
      make=_lecture("a = " + "[" * 100_000), message="TOML"),
    C("lecture-trace-deep", "render", "--config", "{in}", *QUICK, "--out", "out",
      make=lambda d: _lecture_with(d, "trace", b"[" * 100_000), message="nested"),
    C("lecture-weights-string", "figures", "--config", "{in}", "--out", "out",
      make=lambda d: _lecture_with(d, "weights", None), message="dtype"),
]


def _bytes(d: Path, data: bytes, name: str = "in.bin") -> Path:
    (d / name).write_bytes(data)
    return d / name


def _sparse(d: Path, size: int, name: str = "in.txt") -> Path:
    with open(d / name, "wb") as f:
        f.truncate(size)  # a hole: costs no disk, but stat says `size`
    return d / name


def _link(d: Path, target: str, name: str) -> Path:
    os.symlink(target, d / "out" / name if (d / "out").is_dir() else d / name)
    return d / name


def _lecture_with(d: Path, key: str, data: bytes | None) -> Path:
    if key == "trace":
        _bytes(d, data, "t.json")
        ref = "t.json"
    else:
        _npz(U=np.array([["a"] * 4] * 3))(d)
        ref = "in.npz"
    (d / "lec.toml").write_text(f'[model]\n{key} = "{ref}"' + FORWARD)
    return d / "lec.toml"


def _snapshot(folder: Path) -> dict:
    """What each entry of ``folder`` is (kind, link target, content of regular files)."""
    out = {}
    for entry in sorted(folder.iterdir()):
        st = entry.lstat()
        if stat.S_ISLNK(st.st_mode):
            out[entry.name] = ("link", os.readlink(entry))
        elif stat.S_ISFIFO(st.st_mode):
            out[entry.name] = ("fifo",)
        elif stat.S_ISDIR(st.st_mode):
            out[entry.name] = ("dir", tuple(sorted(p.name for p in entry.iterdir())))
        else:
            out[entry.name] = ("file", entry.read_bytes())
    return out


@dataclass
class Run:
    """A case run in its own folder: what was there before, and what the command did."""

    folder: Path
    before_out: dict
    before_dir: dict
    result: subprocess.CompletedProcess


ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
       "PYTHONPATH": str(ROOT), "COLUMNS": "200"}


def _run(case: Case, folder: Path, unrolled: list[str]) -> Run:
    out = folder / "out"
    out.mkdir(parents=True)
    for name, plant in case.plant.items():
        assert plant(out).name == name
    given = case.make(folder) if case.make else None
    args = [given.as_posix() if a == "{in}" else a for a in case.args]
    before_out, before_dir = _snapshot(out), _snapshot(folder)
    res = subprocess.run([*unrolled, *args], cwd=folder, check=False, capture_output=True,
                         text=True, timeout=TIMEOUT, env=ENV)
    return Run(folder, before_out, before_dir, res)


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Run]:
    """Every case, run a few at a time, each a process forked from one interpreter that
    imported the program once (tests/forks.py: start-up was most of a case's time), under the
    memory limit; ``test_json_to_stdout_is_the_trace`` starts one from scratch."""
    root = tmp_path_factory.mktemp("hostile")
    sockets = Path(tempfile.mkdtemp(prefix="hostile-"))  # a socket's path must be short
    try:
        with server(sockets / "unrolled", "--memory-limit", str(MEMORY_LIMIT), cwd=root,
                    env=ENV), ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
            unrolled = client_command(sockets / "unrolled")
            futures = {c.id: pool.submit(_run, c, root / c.id, unrolled) for c in CASES}
            return {name: f.result() for name, f in futures.items()}
    finally:
        shutil.rmtree(sockets)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case: Case, runs: dict[str, Run]):
    run = runs[case.id]
    res, out = run.result, run.folder / "out"

    assert res.returncode == case.status, res.stderr[-2000:]
    assert "Traceback" not in res.stderr
    errors = [line for line in res.stderr.splitlines() if line.startswith("Error:")]
    if case.status == 2:
        assert len(errors) == 1, res.stderr
        assert case.message in errors[0], errors[0]
    elif case.status == 1:
        assert len(errors) == 1 and case.message in errors[0], res.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    outside = run.folder / "outside.txt"
    assert not outside.exists() or outside.read_text() == "precious"
    if case.status != 0:
        assert _snapshot(out) == run.before_out  # nothing left, nothing replaced
        after = _snapshot(run.folder)
        assert {k: v for k, v in after.items() if k != "out"} == \
               {k: v for k, v in run.before_dir.items() if k != "out"}
    for name, kind in run.before_out.items():
        if kind[0] in ("fifo", "dir"):
            assert _snapshot(out)[name] == kind  # a FIFO or folder is never replaced


def test_json_to_stdout_is_the_trace():
    from rnn.traces import files as trace_files

    res = subprocess.run([sys.executable, "-c", LIMITED, "trace", "--json", "-"], cwd=ROOT,
                         check=False, capture_output=True, text=True, timeout=TIMEOUT)
    assert res.returncode == 0 and trace_files.loads(res.stdout).T == 4


def test_enough_cases_over_every_command():
    commands = {c.args[0] for c in CASES}
    assert {"trace", "gradcheck", "train", "render", "figures", "slides", "list"} <= commands
    assert sum(c.id.startswith("lecture-") for c in CASES) >= 10
    assert len(CASES) >= 80


def test_readme_limits_table_matches_the_code():
    import re

    from rnn import limits
    from scenes.components import limits as drawing
    from scenes.output.batch import JOBS

    names = {**vars(limits), **vars(drawing), "JOBS": JOBS}  # the engine's, the scenes', --jobs
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Limits\n", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|")[1:-1] for line in section.splitlines()
            if line.startswith("| ") and "`" in line.split("|")[3]][1:]  # after the header
    assert len(rows) >= 20
    units = {"MB": 1024**2, "GB": 1024**3}
    for _what, value, name, _why in rows:
        number, unit = re.findall(r"([0-9.]+(?:e[+-]?\d+)?)\s*(MB|GB)?", value)[-1]
        stated = float(number) * units.get(unit, 1)
        actual = eval(name.strip().strip("`"), names)
        actual = actual.hi if isinstance(actual, limits.Range) else actual
        assert stated == pytest.approx(actual, rel=1e-5), (name, value)


def test_publish_checks_the_target_again_just_before_the_rename(tmp_path: Path):
    from rnn import UnrolledError
    from rnn.files.atomic import atomic_path

    target = tmp_path / "t.json"
    with pytest.raises(UnrolledError, match="FIFO"), atomic_path(target) as tmp:
        tmp.write_text("{}")
        os.mkfifo(target)  # the target turns into a FIFO while the work runs
    assert stat.S_ISFIFO(os.lstat(target).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["t.json"]  # the temporary file is gone
