"""Where a model's numbers come from, for the command line and lecture files alike.

A ``ModelSpec`` is a text and sizes (a fresh initialisation), a checkpoint of ``unrolled
train``, a model file of another framework (``rnn.imports``), or a saved trace. The command
line fills it from its options (``commands.model``), a lecture file from its ``[model]`` table
(``scenes.output.lecture_file``); both build the model and its Trace here, the one way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rnn.cells import DEFAULT_CELL
from rnn.data import Vocabulary
from rnn.errors import UnrolledError
from rnn.imports.model import parse_layer_names
from rnn.imports.weights import imported_text_model, is_imported
from rnn.limits import Diverged
from rnn.model import DEFAULT_TEXT, TextModel, text_model
from rnn.trace import Trace


@dataclass(frozen=True)
class ModelSpec:
    """A model's text, cell, sizes and initialisation, or the file its numbers come from."""

    text: str = DEFAULT_TEXT
    hidden: int = 3
    seed: int = 0
    init_scale: float | None = None  # None: rnn.config.default_init_scale(hidden)
    radius: float | None = None  # rescale the simple RNN's W to this spectral radius
    vocab: str | None = None  # the characters in index order (default: the text's own)
    weights: Path | None = None  # a checkpoint (.npz) or a framework's file; sizes come from it
    parts: str | None = None  # a torch state_dict's parts, named when ambiguous
    trace: Path | None = None  # a saved trace (JSON), drawn as it is
    cell: str = DEFAULT_CELL  # any registered cell (a framework's file: the file's own)
    forget_bias: float | None = None  # the LSTM's initialisation (None: the cell's default)
    num_layers: int = 1  # stacked recurrent layers (rnn.network)
    bidirectional: bool = False  # a second direction, reading from the end
    label: str | None = None  # one label per sequence: the text's class...
    classes: str | tuple[str, ...] | None = None  # ...among these names
    given: frozenset[str] = frozenset()  # the keys the user set (not defaults)

    @property
    def shaped(self) -> bool:
        """Whether the model is not the one-layer, one-way, every-step character model."""
        return self.num_layers != 1 or self.bidirectional or self.label is not None

    @property
    def imported(self) -> bool:
        """True when ``weights`` is a framework's model file (.safetensors, .keras, a pickle)."""
        return is_imported(self.weights)

    def text_model(self) -> TextModel:
        """The model and its next-character data (a saved trace has none to rerun)."""
        if self.trace is not None:
            raise UnrolledError(f"model.trace {self.trace}: a saved trace has no model to rerun")
        vocabulary = Vocabulary(tuple(self.vocab)) if self.vocab else None
        if self.imported:  # its own cell, sizes and shape, drawn as it was trained
            model = imported_text_model(self.weights, self.text, vocabulary,
                                        parse_layer_names(self.parts), self.seed, self.label,
                                        self.classes)
            held = model.shape
            if self.num_layers not in (1, held.layers) or (self.bidirectional
                                                          and not held.bidirectional):
                raise UnrolledError(f"weights file {self.weights} holds a "
                                    f"{held.words() or '1-layer one-way'} network; leave "
                                    "--num-layers and --bidirectional out (the shape is taken "
                                    "from the file)")
            return model
        return text_model(self.text, self.hidden, self.seed, self.init_scale, self.radius,
                          self.weights, vocabulary, cell=self.cell,
                          forget_bias=self.forget_bias, num_layers=self.num_layers,
                          bidirectional=self.bidirectional, label=self.label,
                          classes=self.classes)

    def build_trace(self) -> Trace:
        """The Trace the scenes draw: one BPTT pass and update, or the saved trace; a trace
        with a non-finite value is refused (a picture needs finite numbers)."""
        from rnn.traces import files as trace_files

        if self.trace is not None:
            loaded = trace_files.load(self.trace, (self.cell,))
            trace = loaded[0] if isinstance(loaded, list) else loaded
            if not trace.losses.size:  # scenes draw the first window; this one has no loss
                raise UnrolledError(f"{self.trace}: its first window comes before the one "
                                    "label (read after the last window): no loss, no error "
                                    "to draw; trace it without --window")
        else:
            trace = self.text_model().trace()
            if self.weights is not None and self.cell != DEFAULT_CELL:
                trace.extra["weights"] = self.weights.name  # on screen: trained, not fresh
        where = trace.first_non_finite()
        if where and self.trace is not None:
            raise UnrolledError(f"{self.trace}: holds a non-finite value ({where}), an "
                                "overflowed run; there is nothing finite to draw")
        if where:
            raise Diverged(f"the model overflows ({where}): exploding activations or "
                           "gradients; nothing to draw (try a smaller --radius)")
        return trace
