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
