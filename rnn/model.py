"""From user-level choices (a text, a cell, sizes, a seed, a checkpoint) to a model and its data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnn.cells import Params, get_cell
from rnn.config import RNNConfig, default_init_scale
from rnn.data import Vocabulary, char_sequence, embedding_gradient
from rnn.errors import UnrolledError
from rnn.files.checkpoint import load_checkpoint
from rnn.learning.optim import Optimizer
from rnn.learning.truncated import run_truncated, run_update
from rnn.limits import MAX_VOCAB, check_range, check_text, check_trace_size
from rnn.network import NetworkParams, NetworkTrace, Shape, init_network, run_network
from rnn.params import init_params, with_spectral_radius
from rnn.trace import Trace

DEFAULT_TEXT = "hello"  # the classic next-character example


@dataclass
class TextModel:
    """A model of any cell and shape, and its data: the next characters of one text, or the
    one label of a sequence (``classes``: the label names, index order)."""

    params: Params | NetworkParams  # a network's when it is not one layer, one way, every step
    vocabulary: Vocabulary
    text: str
    X: np.ndarray  # (T, D) one-hot inputs
    y: np.ndarray  # (T,) target indices
    config: RNNConfig | None = None  # the simple RNN's sizes and initialisation
    seed: int = 0
    forget_bias: float = 0.0  # the LSTM's: added to its forget-gate bias at initialisation
    input_ids: list[int] | None = None  # what each x(t) stands for, when not a one-hot row
    embedding: np.ndarray | None = None  # (V, D) the rows x(t) are read from, if not one-hot
    classes: tuple[str, ...] | None = None  # one label per sequence: the labels' names

    @property
    def cell(self) -> str:
        return self.params.kind

    @property
    def shape(self) -> Shape:
        return self.params.shape if isinstance(self.params, NetworkParams) else Shape()

    def trace(self, optimizer: Optimizer | None = None, state0=None) -> Trace | NetworkTrace:
        """One full BPTT pass and one update of the parameters (SGD lr 0.1 by default), from
        the states ``state0`` (by name, as ``rnn.engine.run`` takes them; for a network
        {(layer, direction): states}; zeros by default)."""
        self.check_size()
        optimizer = optimizer or Optimizer()
        if isinstance(self.params, NetworkParams):
            trace = run_network(self.params, self.X, self.y, state0)
            trace.update = optimizer.step(self.params, trace.grads)
            return self._label_network(trace)
        trace = run_update(self.params, self.X, self.y, state0, optimizer)
        return self._label(trace)

    def windows(self, window: int, optimizer: Optimizer | None = None) -> list[Trace]:
        """Truncated BPTT over windows of ``window`` steps, one update per window with a loss."""
        self.check_size(window)
        traces = run_truncated(self.params, self.X, self.y, window, optimizer or Optimizer())
        starts = np.cumsum([0] + [t.T for t in traces])
        label = self._label_network if isinstance(self.params, NetworkParams) else self._label
        return [label(t, start) for t, start in zip(traces, starts, strict=False)]

    def check_size(self, window: int | None = None, as_json: bool = False,
                   full_errors: bool = False) -> None:
        """Refuse, before allocating, a run that would need more memory than the limit
        (``full_errors``: the T x T x H error vectors are built to be written)."""
        T, D = self.X.shape
        slots = len(self.shape.slots)  # every layer direction records a trace of T steps
        check_trace_size(T * slots, self.params.hidden_size, self.params.output_size, D,
                         window, as_json, cell=self.cell, full_errors=full_errors)

    def _label_network(self, trace: NetworkTrace, start: int = 0) -> NetworkTrace:
        trace.vocabulary = self.vocabulary
        trace.extra.update(text=self.text, seed=self.seed, classes=self.classes)
        if self.embedding is not None:  # x(t) are rows of a table: its gradient too
            ids = list(self.input_ids[start:start + trace.T])
            trace.extra.update(input_ids=ids, embedding=self.embedding,
                               embedding_grad=embedding_gradient(ids, trace.input_errors,
                                                                 len(self.embedding)))
        return trace

    def _label(self, trace: Trace, start: int = 0) -> Trace:
        trace.config, trace.vocabulary = self.config, self.vocabulary
        trace.extra.update(text=self.text, seed=self.seed, forget_bias=self.forget_bias)
        if self.input_ids is not None:
            trace.extra["input_ids"] = self.input_ids[start:start + trace.T]
        if self.embedding is not None:  # its gradient: each input error added to its row
            trace.extra["embedding"] = self.embedding
            trace.extra["embedding_grad"] = embedding_gradient(
                trace.extra["input_ids"], trace.input_errors(), len(self.embedding))
        return trace


def text_model(
    text: str = DEFAULT_TEXT,
    hidden: int = 3,
    seed: int = 0,
    init_scale: float | None = None,
    radius: float | None = None,
    weights: str | Path | None = None,
    vocabulary: Vocabulary | None = None,
    cell: str = "rnn",
    forget_bias: float | None = None,
    num_layers: int = 1,
    bidirectional: bool = False,
    label: str | None = None,
    classes=None,
) -> TextModel:
    """Build a deterministic model for ``text``: same arguments, same bytes.

    ``init_scale`` and ``radius`` initialise the simple RNN (``init_scale`` None is
    ``rnn.config.default_init_scale(hidden)``); ``forget_bias`` the LSTM (None is the cell's
    default, ``rnn.cells.lstm.FORGET_BIAS``; 0 is torch's). With ``weights`` (a checkpoint of
    the same cell), the parameters and the vocabulary come from it. Sizes beyond
    ``rnn.limits`` are refused before anything is allocated.

    ``num_layers``, ``bidirectional``, and ``label`` with ``classes`` (one label per sequence:
    every character of ``text`` is an input) build a network of that shape
    (``rnn.network``); the defaults build the one-layer character model.
    """
    spec = get_cell(cell)
    if weights is not None and _is_network_checkpoint(weights):  # its shape is the file's
        check_text(text)
        return _network_model(spec, None, text, hidden, seed, init_scale, radius, weights,
                              vocabulary, forget_bias, label, classes,
                              (num_layers, bidirectional))
    shape = _shape(num_layers, bidirectional, label, classes)
    check_text(text)
    check_range("seed", seed)  # init_scale is free: tests overflow on purpose with it
    if radius is not None:
        check_range("radius", radius)
    if forget_bias is not None:
        check_range("forget_bias", float(forget_bias))
    if forget_bias and "forget_bias" not in spec.init_options:
        raise UnrolledError(f"forget_bias applies to the LSTM only (the {spec.title} has no "
                            "forget gate)")
    if vocabulary is not None and len(vocabulary) > MAX_VOCAB:
        raise UnrolledError(f"a vocabulary of {len(vocabulary)}; at most {MAX_VOCAB} characters")
    if not shape.plain:
        return _network_model(spec, shape, text, hidden, seed, init_scale, radius, weights,
                              vocabulary, forget_bias, label, classes)
    if weights is not None:
        params, vocabulary, meta = load_checkpoint(weights, cell)
        if radius is not None:
            params.W = with_spectral_radius(params.W, radius)
        vocabulary, X, y = char_sequence(text, vocabulary)
        bias = meta.get("forget_bias", 0.0) if isinstance(meta, dict) else 0.0
        bias = float(bias) if isinstance(bias, (int, float)) else 0.0
        return TextModel(params, vocabulary, text, X, y, _config(params, seed, init_scale, radius),
                         seed, bias)
    check_range("hidden", hidden)
    vocabulary, X, y = char_sequence(text, vocabulary)
    if len(vocabulary) > MAX_VOCAB:
        raise UnrolledError(f"the text has {len(vocabulary)} distinct characters; "
                            f"at most {MAX_VOCAB} are accepted")
    V = len(vocabulary)
    if spec.takes_config:
        config = RNNConfig(input_size=V, hidden=hidden, output_size=V, seed=seed,
                           init_scale=init_scale, radius=radius)
        return TextModel(init_params(config, cell), vocabulary, text, X, y, config, seed)
    bias = spec.init_option("forget_bias", forget_bias)
    options = {"forget_bias": bias} if "forget_bias" in spec.init_options else {}
    params = Params(spec, **spec.init(V, hidden, V, seed, **options))
    return TextModel(params, vocabulary, text, X, y, None, seed, bias)


def _config(params: Params, seed: int, init_scale: float, radius: float | None):
    """The simple RNN's config of a model whose weights came from a checkpoint."""
    if not params.spec.takes_config:
        return None
    return RNNConfig(input_size=params.input_size, hidden=params.hidden_size,
                     output_size=params.output_size, seed=seed, init_scale=init_scale,
                     radius=radius)


def _shape(num_layers: int, bidirectional: bool, label: str | None, classes) -> Shape:
    """The network's shape from the options; a label and its classes come together."""
    if (label is None) != (classes is None):
        raise UnrolledError("--label and --classes go together: the label is one of the "
                            "classes (e.g. --label pos --classes pos,neg)")
    if not isinstance(num_layers, int) or isinstance(num_layers, bool):
        raise UnrolledError(f"num_layers must be an integer, got {num_layers!r}")
    return Shape(num_layers, bool(bidirectional), "every" if label is None else "last")


def _is_network_checkpoint(weights) -> bool:
    from rnn.files.checkpoint import checkpoint_shape

    return checkpoint_shape(weights) is not None


def _network_model(spec, shape: Shape | None, text, hidden, seed, init_scale, radius, weights,
                   vocabulary, forget_bias, label, classes, asked=(1, False)) -> TextModel:
    """A network of any shape on ``text``: next characters, or one label per sequence. With
    ``weights`` (a network's checkpoint), the shape and the classes are the file's (``asked``:
    the layers and directions the caller gave, refused if they contradict it)."""
    from rnn.data import label_sequence, parse_classes

    if weights is not None:
        from rnn.files.checkpoint import load_network_checkpoint

        params, vocabulary, meta = load_network_checkpoint(weights, spec.name)
        shape = params.shape
        if asked != (1, False) and asked != (shape.layers, shape.bidirectional):
            raise UnrolledError(f"{weights} holds a {shape.words() or '1-layer'} network; "
                                "leave --num-layers and --bidirectional out (the shape is "
                                "taken from the file)")
        if shape.task == "last":
            saved = tuple(meta.get("classes") or ())
            if classes is not None and tuple(parse_classes(classes)) != saved:
                raise UnrolledError(f"{weights} was trained on the classes "
                                    f"{','.join(saved)}; --classes says {classes}")
            classes = parse_classes(saved)
            if label is None:
                raise UnrolledError(f"{weights} reads one label per sequence: give the text's "
                                    f"--label (one of {', '.join(classes)})")
        elif label is not None or classes is not None:
            raise UnrolledError(f"{weights} predicts the next character: --label and "
                                "--classes do not apply")
        bias = float(meta.get("forget_bias", 0.0) or 0.0)
    else:
        check_range("hidden", hidden)
        bias = spec.init_option("forget_bias", forget_bias)
        if shape.task == "last":
            classes = parse_classes(classes)
    if shape.task == "last":
        vocabulary, X, y = label_sequence(text, label, classes, vocabulary)
    else:
        vocabulary, X, y = char_sequence(text, vocabulary)
    if len(vocabulary) > MAX_VOCAB:
        raise UnrolledError(f"the text has {len(vocabulary)} distinct characters; "
                            f"at most {MAX_VOCAB} are accepted")
    if weights is None:
        K = len(classes) if shape.task == "last" else len(vocabulary)
        options = {"forget_bias": bias} if "forget_bias" in spec.init_options else {}
        if spec.takes_config:  # the simple RNN: its init scale and spectral radius
            scale = init_scale if init_scale is not None else default_init_scale(hidden)
            options = {"init_scale": scale, "radius": radius}
        params = init_network(spec, shape, len(vocabulary), hidden, K, seed, **options)
    return TextModel(params, vocabulary, text, X, y, None, seed, bias,
                     classes=tuple(classes) if classes else None)
