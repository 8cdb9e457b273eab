"""One label per sequence: classification files, the long-time-lag task, and their training.

A classification file holds one example a line, ``LABEL<TAB>TEXT`` (blank lines are skipped).
The long-lag task is Hochreiter and Schmidhuber's 1997 experiment in its simplest form: the
label is the first symbol, then ``lag`` distractor symbols follow, so the only error that
tells step 1 anything must travel back through every distractor. A simple RNN's error dies on
the way; an LSTM's cell state carries it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rnn.cells import get_cell
from rnn.data import Vocabulary, one_hot, parse_classes
from rnn.errors import UnrolledError
from rnn.learning.optim import Optimizer
from rnn.limits import MAX_TEXT, MAX_VOCAB, Diverged, check_range
from rnn.network import NetworkParams, Shape, init_network, run_network

LAG_CLASSES = ("x", "y")  # the first symbol, which is the label
LAG_DISTRACTORS = "abcd"  # what follows it, drawn at random
MAX_LAG = 200
MAX_EXAMPLES = 100_000


@dataclass(frozen=True)
class Example:
    label: str
    text: str


def read_labelled(content: str, source: str = "file") -> list[Example]:
    """Examples from ``LABEL<TAB>TEXT`` lines; a malformed line is one error naming it."""
    out = []
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        label, tab, text = line.partition("\t")
        if not tab or not label.strip() or not text:
            raise UnrolledError(f"{source}, line {number}: expected LABEL<TAB>TEXT, got "
                                f"{line[:40]!r}")
        if len(text) > MAX_TEXT:
            raise UnrolledError(f"{source}, line {number}: {len(text)} characters; at most "
                                f"{MAX_TEXT}")
        out.append(Example(label.strip(), text))
        if len(out) > MAX_EXAMPLES:
            raise UnrolledError(f"{source}: more than {MAX_EXAMPLES} examples")
    if not out:
        raise UnrolledError(f"{source}: no examples (one a line: LABEL<TAB>TEXT)")
    return out


def labelled_classes(examples: list[Example], classes=None) -> tuple[str, ...]:
    """The class names: ``classes`` as given (every label must be one), else the labels'
    own, sorted."""
    names = parse_classes(classes if classes is not None
                          else sorted({e.label for e in examples}))
    for e in examples:
        if e.label not in names:
            raise UnrolledError(f"the label {e.label!r} is not one of the classes "
                                f"({', '.join(names)})")
    return names


def long_lag_example(lag: int, rng: np.random.Generator) -> Example:
    """The first symbol (the label), then ``lag`` distractors."""
    first = LAG_CLASSES[int(rng.integers(len(LAG_CLASSES)))]
    rest = "".join(LAG_DISTRACTORS[int(i)] for i in rng.integers(len(LAG_DISTRACTORS),
                                                                   size=lag))
    return Example(first, first + rest)


def long_lag_examples(count: int, lag: int, seed: int) -> list[Example]:
    """``count`` examples of the long-lag task, the same for the same seed."""
    if not 1 <= lag <= MAX_LAG:
        raise UnrolledError(f"--long-lag must be 1 to {MAX_LAG} distractors, got {lag}")
    rng = np.random.default_rng(seed)
    return [long_lag_example(lag, rng) for _ in range(count)]


def long_lag_vocabulary() -> Vocabulary:
    """Every symbol of the task, in one fixed order (so any example encodes)."""
    return Vocabulary(tuple(sorted(LAG_CLASSES + tuple(LAG_DISTRACTORS))))


@dataclass(frozen=True)
class ClassifyConfig:
    hidden: int = 8
    iterations: int = 2000  # examples seen (one update each)
    method: str = "adagrad"
    lr: float = 0.1
    clip: float | None = 5.0
    clip_mode: str = "value"
    seed: int = 0
    init_scale: float | None = None  # simple RNN: None is min(0.5, 1/sqrt(H))
    cell: str = "rnn"
    forget_bias: float | None = None
    num_layers: int = 1
    bidirectional: bool = False


@dataclass
class ClassifyResult:
    params: NetworkParams
    vocabulary: Vocabulary
    classes: tuple[str, ...]
    smooth_loss: float
    accuracy: float  # over the last examples seen (up to 100), before each one's update
    losses: list[float]


def train_classifier(
    examples: list[Example], classes: tuple[str, ...], cfg: ClassifyConfig,
    vocabulary: Vocabulary | None = None,
    on_progress: Callable[[int, float, float], None] | None = None,
) -> ClassifyResult:
    """Learn one label per sequence, one example (and one update) at a time, in an order
    drawn from ``cfg.seed``. Raises Diverged if the run overflows."""
    from rnn.config import default_init_scale

    for name in ("hidden", "iterations", "seed", "lr", "num_layers"):
        check_range(name, getattr(cfg, name))
    spec = get_cell(cfg.cell)
    vocabulary = vocabulary or Vocabulary.from_text("".join(e.text for e in examples))
    if len(vocabulary) > MAX_VOCAB:
        raise UnrolledError(f"the examples hold {len(vocabulary)} distinct characters; at most "
                            f"{MAX_VOCAB}")
    shape = Shape(cfg.num_layers, cfg.bidirectional, "last")
    options = {}
    if "forget_bias" in spec.init_options:
        options["forget_bias"] = spec.init_option("forget_bias", cfg.forget_bias)
    if spec.takes_config:
        options["init_scale"] = cfg.init_scale or default_init_scale(cfg.hidden)
    params = init_network(spec, shape, len(vocabulary), cfg.hidden, len(classes), cfg.seed,
                          **options)
    data = [(one_hot(vocabulary.encode(e.text), len(vocabulary)),
             np.array([classes.index(e.label)])) for e in examples]
    opt = Optimizer(cfg.method, cfg.lr, cfg.clip, cfg.clip_mode)
    rng = np.random.default_rng(cfg.seed)
    order = rng.permutation(len(data))
    smooth, losses, right = math.log(len(classes)), [], []
    for n in range(cfg.iterations):
        if n and n % len(data) == 0:
            order = rng.permutation(len(data))
        X, y = data[order[n % len(data)]]
        trace = run_network(params, X, y)
        bad = trace.first_non_finite()
        if bad:
            raise Diverged(f"training diverged at example {n + 1}: {bad} is not finite "
                           "(exploding gradients); lower --lr or set --clip")
        right.append(int(np.argmax(trace.yhat[0]) == y[0]))
        params = opt.step(params, trace.grads).params_after
        if not all(np.all(np.isfinite(v)) for v in params.as_dict().values()):
            raise Diverged(f"training diverged at example {n + 1}: the updated parameters "
                           "overflow; lower --lr or set --clip")
        losses.append(trace.loss)
        smooth = smooth * 0.99 + trace.loss * 0.01
        if on_progress:
            on_progress(n + 1, smooth, float(np.mean(right[-100:])))
    return ClassifyResult(params, vocabulary, classes, smooth, float(np.mean(right[-100:])),
                          losses)
