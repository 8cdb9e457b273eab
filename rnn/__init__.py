"""unrolled's numerical engine: recurrent cells, forward and BPTT, recorded in a Trace.

Pure numpy: nothing here imports manim or click.
"""

from rnn.cells import Params, get_cell
from rnn.config import RNNConfig
from rnn.data import Vocabulary, char_sequence
from rnn.engine import run
from rnn.errors import UnrolledError
from rnn.learning.optim import Optimizer
from rnn.learning.truncated import run_truncated
from rnn.model import DEFAULT_TEXT, TextModel, text_model
from rnn.params import init_cell_params, init_params
from rnn.trace import Trace, Update

__all__ = [
    "DEFAULT_TEXT", "Optimizer", "Params", "RNNConfig", "TextModel", "Trace", "UnrolledError",
    "Update", "Vocabulary", "char_sequence", "get_cell", "init_cell_params", "init_params", "run",
    "run_truncated", "text_model",
]
