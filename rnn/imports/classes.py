"""Where an imported model's head reads, and the names of its classes.

A Keras file says where its head reads (the last recurrent layer's ``return_sequences``), and
so does an ONNX graph (its head reads ``Y`` or ``Y_h``); a torch ``state_dict`` cannot say: its
``nn.Linear`` of (K, directions x H) fits every step's output and ``h_n`` alike. The rule: a
model reads one label per sequence when its class names are given, ``classes`` (``--classes``)
or ``NAME.classes.json`` beside ``NAME.safetensors`` (a JSON list of strings, index order);
otherwise it predicts the next character at every step. A file that says where it reads must
agree with the class names: a head on the last step needs them, and a head on every step
predicts characters, which are not classes.
"""

from __future__ import annotations

from pathlib import Path

from rnn.data import parse_classes
from rnn.errors import UnrolledError
from rnn.files.safe_io import parse_json, read_text

MAX_CLASSES_FILE = 64 * 1024


def classes_beside(path: Path) -> Path | None:
    """``NAME.classes.json`` beside the model ``NAME.EXT``, or None."""
    candidate = path.with_name(path.stem + ".classes.json")
    return candidate if candidate.exists() else None


def read_classes(path: Path) -> tuple[str, ...]:
    """A classes file: a JSON list of distinct, non-empty names."""
    data = parse_json(read_text(path, MAX_CLASSES_FILE, "classes file"), f"classes file {path}")
    if not isinstance(data, list) or not all(isinstance(n, str) for n in data):
        raise UnrolledError(f"classes file {path}: expected a JSON list of class names")
    try:
        return parse_classes(data)
    except UnrolledError as err:
        raise UnrolledError(f"classes file {path}: {err}") from None


def model_classes(path: Path, given) -> tuple[str, ...] | None:
    """The class names: ``given`` ("pos,neg" or a sequence), else the file beside the model."""
    if given:
        return parse_classes(given)
    beside = classes_beside(path)
    return None if beside is None else read_classes(beside)


def model_task(reads: str | None, classes, source: str, where: str) -> str:
    """"every" or "last", from where the file's head reads (None: the file cannot say) and
    whether class names were given; one line when they disagree."""
    if reads is None:
        return "last" if classes else "every"
    if reads == "last" and not classes:
        raise UnrolledError(f"{source}: {where} reads only the last step (one label per "
                            "sequence): name its classes with --classes or a "
                            "NAME.classes.json beside it (a JSON list, index order)")
    if reads == "every" and classes:
        raise UnrolledError(f"{source}: {where} predicts at every step (the next character); "
                            "class names are for a head that reads the last step only")
    return reads
