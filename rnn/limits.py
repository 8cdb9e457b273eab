"""The engine's limits: sizes of a model, its text and its files, and the ranges of its options.

Every number the engine takes from a user has a range here (what the scenes can draw is in
``scenes.components.limits``, each scene's own options in its declaration). Sizes are bounded
so that no accepted input needs more than about 2 GB of memory or more than a few minutes: the
README's "Limits" table gives each limit with its reason (a test checks the table against
these modules).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

from rnn.errors import UnrolledError

GB = 1024**3

# Sizes of a model and its data.
MAX_HIDDEN = 1000  # H: W alone is H x H; gradcheck and the error tensor grow as H^2 and T^2 H
MAX_TEXT = 10_000  # characters of --text / model.text (T = length - 1 steps)
MAX_VOCAB = 1000  # distinct characters: U is H x D and V is K x H
MAX_LAYERS = 4  # stacked recurrent layers: rows of one chain a viewer can still follow
MAX_WINDOW = 1000  # steps per truncated-BPTT window (train and trace)
MAX_ITERATIONS = 10_000_000  # train: windows; a progress bar shows the time left
MAX_SAMPLE_EVERY = MAX_ITERATIONS
MAX_SEED = 2**32 - 1  # numpy's seed range
MAX_SCALE = 100.0  # init scale and spectral radius: beyond this every unit saturates anyway
MAX_CLIP = 1e12  # a threshold above any gradient norm that stays finite in a run
MAX_FORGET_BIAS = 20.0  # LSTM: sigmoid(20) is 1 in float32; beyond it nothing changes
MAX_LR = sys.float_info.max  # any finite rate: an overflowing update is reported (status 1)

# Memory of one run: a Trace of T steps keeps about D + 3K floats a step and, per hidden unit,
# 4 plus what its cell records (G per gate block), the norms ||dL(s)/dh(t)|| are T x T per
# error path (the LSTM has two), and the error tensor dL(s)/dh(t) (error_by_source) is
# T x T x H float64 when it is written.
MEMORY_BUDGET = 2 * GB
JSON_BYTES_PER_FLOAT = 200  # measured peak of json.dumps per float written, with its lists
FULL_ERRORS_FLOATS = 100_000  # error_by_source is written when T x T x H is at most this

# Files read.
MAX_TRACE_FILE = 200 * 1024**2  # a saved Trace (JSON): parsing peaks at about 7x the file
MAX_WEIGHTS_FILE = 256 * 1024**2  # a checkpoint (.npz)
MAX_TRAIN_FILE = 16 * 1024**2  # the text `train` learns
MAX_LECTURE_FILE = 1024**2  # a lecture file (TOML)
MAX_JSON_DEPTH = 64  # nesting of a JSON document (a Trace needs 6)
MAX_JSON_DIGITS = 40  # digits in a row in a JSON number (floats are written with at most 17)
MAX_NPZ_MEMBER = 256 * 1024**2  # declared bytes of one array in a checkpoint
MAX_NPZ_RATIO = 100  # declared size / compressed size of a member (a zip bomb is ~1000)
MAX_NPZ_MEMBERS = 64  # a 4-layer two-way peephole LSTM's checkpoint holds 46
# Other frameworks' model files (--weights FILE.safetensors or .keras): the same file cap.
MAX_SAFETENSORS_HEADER = 1024**2  # the JSON header of a .safetensors file (~100 bytes a tensor)
MAX_ONNX_NODES = 512  # nodes of an ONNX graph (an exported character model has a few dozen)
MAX_ONNX_TENSORS = 256  # initializers of an ONNX graph
MAX_IMPORT_TENSORS = 64  # arrays in a framework's model file (a one-layer model has 8)
MAX_KERAS_CONFIG = 4 * 1024**2  # config.json of a .keras file (a few kB for such a model)
MAX_TRACE_NPZ_FILE = 512 * 1024**2  # a saved Trace (.npz): read member by member, no parsing
MAX_TRACE_NPZ_MEMBERS = 64 * (MAX_TEXT + 1)  # a window holds at most 60 arrays
MAX_TRACE_NPZ_HEADER = 16 * 1024**2  # the JSON header member of a Trace .npz

# gradcheck: five forward passes per parameter entry; refuse what would take minutes.
MAX_GRADCHECK_SECONDS = 120.0
# trace: the error norms carry every source back together, T^2 H^2 flops (G times that for a
# gated cell); refuse what would take minutes.
MAX_TRACE_SECONDS = 120.0
STEP_SECONDS = 2e-5  # measured: one forward-and-BPTT step of a small model (overhead)
FLOPS_PER_SECOND = 1e10  # fitted to the measured step time at H = 50 and 200


@dataclass(frozen=True)
class Range:
    """A numeric range: ``lo`` (open or closed) to ``hi`` (closed); floats must be finite."""

    kind: type  # int or float
    lo: float
    hi: float
    lo_open: bool = False
    reason: str = ""

    def contains(self, value) -> bool:
        if isinstance(value, bool) or not isinstance(value, self.kind if self.kind is int
                                                     else (int, float)):
            return False
        if isinstance(value, float) and not math.isfinite(value):
            return False
        above = value > self.lo if self.lo_open else value >= self.lo
        return above and value <= self.hi

    def describe(self) -> str:
        lo = f"{'>' if self.lo_open else '>='} {self.lo:g}"
        if self.kind is int:
            return f"an integer {lo} and <= {int(self.hi)}"
        return f"a finite number {lo} and <= {self.hi:g}"


RANGES: dict[str, Range] = {
    "hidden": Range(int, 1, MAX_HIDDEN, reason="W is H x H; memory and time grow as H^2"),
    "seed": Range(int, 0, MAX_SEED, reason="numpy seeds are 32-bit non-negative"),
    "init_scale": Range(float, 0, MAX_SCALE, lo_open=True, reason="tanh saturates beyond"),
    "radius": Range(float, 0, MAX_SCALE, lo_open=True, reason="tanh saturates beyond"),
    "forget_bias": Range(float, -MAX_FORGET_BIAS, MAX_FORGET_BIAS,
                         reason="sigmoid saturates beyond"),
    "lr": Range(float, 0, MAX_LR, lo_open=True, reason="finite; overflow is exit 1"),
    "clip": Range(float, 0, MAX_CLIP, lo_open=True, reason="finite threshold"),
    "num_layers": Range(int, 1, MAX_LAYERS, reason="a deep chain of more rows cannot be read"),
    "lag": Range(int, 1, 200, reason="the error of step 1 must still be drawable"),
    "examples": Range(int, 1, 100_000, reason="examples are kept in memory"),
    "window": Range(int, 1, MAX_WINDOW, reason="a window's trace is kept whole"),
    "iterations": Range(int, 1, MAX_ITERATIONS, reason="time"),
    "sample_every": Range(int, 0, MAX_SAMPLE_EVERY, reason="0 never samples"),
}


def check_range(name: str, value) -> None:
    """Raise one UnrolledError line if ``value`` is outside the range of option ``name``."""
    r = RANGES[name]
    if not r.contains(value):
        raise UnrolledError(f"{name} must be {r.describe()}, got {value!r}")


def check_text(text: str, what: str = "the text") -> None:
    if len(text) > MAX_TEXT:
        raise UnrolledError(f"{what} has {len(text)} characters; at most {MAX_TEXT} are accepted")


def _shape(cell: str) -> tuple[int, int, int, int]:
    """(G, floats per step per hidden unit, error paths, parameter entries per H row of W) of
    ``cell``, from its declaration: G gate blocks (1 for none), every part it records."""
    from rnn.cells import get_cell

    spec = get_cell(cell)
    G = max(1, len(spec.gates))
    width = sum(G if p.blocks else 1 for p in spec.parts)
    return G, 4 + width, len(spec.paths), len(spec.states)


def trace_bytes(T: int, H: int, K: int, D: int, window: int | None = None,
                as_json: bool = False, cell: str = "rnn", full_errors: bool = False) -> int:
    """Estimated peak memory (bytes) of tracing T steps and taking its error norms.

    With ``window``, each window's norms (and tensor) are window x window; with ``as_json``
    every float written costs ``JSON_BYTES_PER_FLOAT``. The norms of every path need no
    tensor (its rows travel back together); ``full_errors`` adds the h path's.
    """
    G, per_unit, paths, _ = _shape(cell)
    w = min(window or T, T)
    n_windows = math.ceil(T / w)
    per_step = D + per_unit * H + 3 * K
    params = G * H * (D + H + 2) + K * (H + 1)
    norms = n_windows * w * w * paths
    written = n_windows * w * w * H if full_errors else 0
    floats = T * per_step + 3 * n_windows * params + norms + written
    total = 8 * floats
    if as_json:
        total += JSON_BYTES_PER_FLOAT * (T * per_step + 3 * n_windows * params
                                         + (norms + written) // 2)
    return total


def trace_seconds(T: int, H: int, K: int, D: int, window: int | None = None,
                  cell: str = "rnn") -> float:
    """Estimated time of tracing T steps and taking the error norms of every (s, t)."""
    G = _shape(cell)[0]
    w = min(window or T, T)
    n_windows = math.ceil(T / w)
    passes = T * (G * STEP_SECONDS + 6 * H * (G * (H + D) + K) / FLOPS_PER_SECOND)
    norms = n_windows * w * w * G * H * H / FLOPS_PER_SECOND  # T^2 / 2 rows of 2 G H^2 flops
    return passes + norms


def check_trace_size(T: int, H: int, K: int, D: int, window: int | None = None,
                     as_json: bool = False, cell: str = "rnn", full_errors: bool = False) -> None:
    """Refuse, before allocating, a trace that would need more than ``MEMORY_BUDGET`` or
    take more than ``MAX_TRACE_SECONDS``."""
    if H > MAX_HIDDEN:
        raise UnrolledError(f"{H} hidden units; at most {MAX_HIDDEN} are accepted")
    if max(K, D) > MAX_VOCAB:
        raise UnrolledError(f"a vocabulary of {max(K, D)}; at most {MAX_VOCAB} characters")
    need = trace_bytes(T, H, K, D, window, as_json, cell, full_errors)
    if need > MEMORY_BUDGET:
        raise UnrolledError(
            f"{T} steps x {H} hidden units would need about {need / GB:.1f} GB "
            f"(limit {MEMORY_BUDGET / GB:.0f} GB{', JSON included' if as_json else ''}); "
            "use a shorter text, fewer hidden units, a --window or an .npz file"
        )
    seconds = trace_seconds(T, H, K, D, window, cell)
    if seconds > MAX_TRACE_SECONDS:
        raise UnrolledError(
            f"{T} steps x {H} hidden units would take about {seconds / 60:.0f} minutes to "
            f"trace (limit {MAX_TRACE_SECONDS / 60:.0f}); use a shorter text, fewer hidden "
            "units or a --window"
        )


def gradcheck_seconds(T: int, H: int, K: int, D: int, cell: str = "rnn") -> float:
    """Estimated time of a full gradient check: 4 forward passes per entry of every parameter
    and initial state (U, W, V, b, c, h0; or W_ih, W_hh, b_ih, b_hh, V, c, h0 and cell0)."""
    from rnn.cells import get_cell

    G, _, _, states = _shape(cell)
    spec = get_cell(cell)
    shapes = spec.param_shapes(D, H, K)
    entries = sum(math.prod(s) for s in shapes.values()) + states * H
    per_step = G * STEP_SECONDS + 6 * H * (G * (H + D) + K) / FLOPS_PER_SECOND
    return 4 * entries * T * per_step


def check_gradcheck_size(T: int, H: int, K: int, D: int, cell: str = "rnn") -> None:
    seconds = gradcheck_seconds(T, H, K, D, cell)
    if seconds > MAX_GRADCHECK_SECONDS:
        raise UnrolledError(
            f"gradcheck of {T} steps x {H} hidden units would take about {seconds / 60:.0f} "
            f"minutes (limit {MAX_GRADCHECK_SECONDS / 60:.0f}); use a smaller model"
        )


class Diverged(UnrolledError):
    """A run that started correctly overflowed (exit status 1, not 2)."""
