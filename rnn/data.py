"""Character data: a vocabulary, and next-character prediction pairs as one-hot inputs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnn.errors import UnrolledError


@dataclass(frozen=True)
class Vocabulary:
    """An ordered set of characters; a character's position is its one-hot index."""

    chars: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.chars:
            raise UnrolledError("the vocabulary is empty")
        if len(set(self.chars)) != len(self.chars):
            raise UnrolledError("the vocabulary repeats a character")
        if any(len(c) != 1 for c in self.chars):
            raise UnrolledError("every vocabulary entry must be a single character")

    @classmethod
    def from_text(cls, text: str) -> Vocabulary:
        """The text's sorted distinct characters."""
        return cls(tuple(sorted(set(text))))

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """Indices of the characters of ``text``; a character outside the vocabulary is an error."""
        lookup = {c: i for i, c in enumerate(self.chars)}
        try:
            return np.array([lookup[c] for c in text], dtype=np.int64)
        except KeyError as err:
            raise UnrolledError(
                f"character {err.args[0]!r} is not in the vocabulary {''.join(self.chars)!r}"
            ) from None

    def decode(self, indices) -> str:
        return "".join(self.chars[int(i)] for i in indices)


def one_hot(indices: np.ndarray, size: int) -> np.ndarray:
    """Rows of the identity: one_hot([2, 0], 3) is [[0,0,1],[1,0,0]]."""
    out = np.zeros((len(indices), size))  # (T, D)
    out[np.arange(len(indices)), indices] = 1.0
    return out


def char_sequence(text: str, vocabulary: Vocabulary | None = None):
    """Next-character prediction: ``hello`` gives inputs ``hell`` and targets ``ello``.

    Returns
    -------
    vocabulary, X (T, D) one-hot inputs, y (T,) target indices.
    """
    if len(text) < 2:
        raise UnrolledError("the text needs at least two characters (an input and its next one)")
    vocabulary = vocabulary or Vocabulary.from_text(text)
    idx = vocabulary.encode(text)
    return vocabulary, one_hot(idx[:-1], len(vocabulary)), idx[1:]


def embedding_gradient(ids: np.ndarray, input_errors: np.ndarray, rows: int) -> np.ndarray:
    """(rows, D) dL/d(embedding): each step's input error (T, D) added to the row it read."""
    grad = np.zeros((rows, input_errors.shape[1]))
    np.add.at(grad, np.asarray(ids, dtype=np.int64), input_errors)
    return grad


MAX_CLASSES = 64  # labels of a one-label-per-sequence model


def parse_classes(names) -> tuple[str, ...]:
    """Class names from ``"pos,neg"`` or a sequence: non-empty, distinct, at most MAX_CLASSES,
    none holding a comma, a tab or a line break (they separate names and file fields)."""
    items = names.split(",") if isinstance(names, str) else list(names)
    out = tuple(str(n).strip() if isinstance(n, str) else n for n in items)
    if not out or any(not isinstance(n, str) or not n for n in out):
        raise UnrolledError("--classes needs names separated by commas, none empty "
                            "(e.g. --classes pos,neg)")
    if len(out) < 2 or len(out) > MAX_CLASSES:
        raise UnrolledError(f"--classes names 2 to {MAX_CLASSES} classes, got {len(out)}")
    if len(set(out)) != len(out):
        twice = sorted({n for n in out if out.count(n) > 1})
        raise UnrolledError(f"--classes repeats {', '.join(map(repr, twice))}")
    if any(ch in n for n in out for ch in ",\t\n\r"):
        raise UnrolledError("a class name holds no comma, tab or line break")
    return out


def class_index(label: str, classes: tuple[str, ...]) -> int:
    """The index of ``label`` among ``classes``, or one clear UnrolledError."""
    if label not in classes:
        raise UnrolledError(f"the label {label!r} is not one of the classes "
                            f"({', '.join(classes)})")
    return classes.index(label)


def label_sequence(text: str, label: str, classes: tuple[str, ...],
                   vocabulary: Vocabulary | None = None):
    """One label per sequence: every character of ``text`` is an input, and the label is the
    one target (read after the last step).

    Returns
    -------
    vocabulary, X (T, D) one-hot inputs, y (1,) the label's index.
    """
    if len(text) < 1:
        raise UnrolledError("the text needs at least one character")
    y = np.array([class_index(label, classes)], dtype=np.int64)
    vocabulary = vocabulary or Vocabulary.from_text(text)
    return vocabulary, one_hot(vocabulary.encode(text), len(vocabulary)), y
