"""Stored results compared by value: the structure exactly, the floats to a tolerance.

A file written on one processor cannot be promised byte for byte on another: numpy's OpenBLAS
picks its kernels by processor, and another kernel sums in another order, so floats may differ in
their last bits. What a stored reference promises instead:

- keys (and their order), strings, integers, ``null``, booleans, dtypes and shapes: exactly;
- floats: ``|actual - expected| <= RTOL * scale``, where ``scale`` is the largest magnitude in the
  same array (one JSON list of numbers, nested or not; one ``.npz`` entry), or the number's own
  magnitude for a lone float.

Measured across the kernel families of one machine (Haswell, SkylakeX, Sandybridge, Prescott),
the reference commands differ by at most 6.1e-14 of their array's scale; single elements that
come out of a cancellation differ by up to 3.3e-12 of their own size, which is why the scale is
the array's. A change to the maths that moves a value by 1e-9 of its array's scale is 1000 times
past the tolerance.
"""

import json
from pathlib import Path

import numpy as np

RTOL = 1e-12


class Differs(AssertionError):
    """Two stored results that do not hold the same values."""


def _is_number(v) -> bool:
    return v is None or isinstance(v, (int, float)) and not isinstance(v, bool)


def _numeric_shape(value) -> tuple | None:
    """The shape of a regular, non-empty nest of JSON lists of numbers (or null); else None."""
    if not isinstance(value, list) or not value:
        return None
    if all(_is_number(v) for v in value):
        return (len(value),)
    inner = {_numeric_shape(v) for v in value}
    if len(inner) != 1 or None in inner:
        return None
    return (len(value), *inner.pop())


def _same_numbers(actual, expected, where: str) -> None:
    """Nested lists of numbers: the same shape, ints, floats and nulls in the same places, and
    the floats within RTOL of the array's scale (null read as NaN)."""
    if _numeric_shape(actual) != _numeric_shape(expected):
        raise Differs(f"{where}: shape {_numeric_shape(actual)} != {_numeric_shape(expected)}")
    got, want = np.array(actual, dtype=object).ravel(), np.array(expected, dtype=object).ravel()
    kind = np.vectorize(lambda v: "n" if v is None else type(v).__name__, otypes=[object])
    if not np.array_equal(kind(got), kind(want)):
        raise Differs(f"{where}: integers, floats and nulls in other places")
    ints = kind(want) == "int"
    if not np.array_equal(got[ints], want[ints]):
        raise Differs(f"{where}: integers differ")
    as_float = np.vectorize(lambda v: np.nan if v is None else float(v), otypes=[np.float64])
    assert_same_floats(as_float(got), as_float(want), where)


def assert_same_floats(got: np.ndarray, want: np.ndarray, where: str) -> None:
    """Arrays of floats of one shape: NaN and infinities in the same places, the rest within
    RTOL of the largest finite magnitude of ``want``."""
    if got.shape != want.shape:
        raise Differs(f"{where}: shape {got.shape} != {want.shape}")
    if not np.array_equal(np.isnan(got), np.isnan(want)):
        raise Differs(f"{where}: NaN in other places")
    if not np.array_equal(np.isinf(got), np.isinf(want)) or not np.array_equal(
            got[np.isinf(got)], want[np.isinf(want)]):
        raise Differs(f"{where}: infinities differ")
    finite = np.isfinite(want)
    off = np.where(finite, np.abs(np.where(finite, got, 0.0) - np.where(finite, want, 0.0)), -1.0)
    scale = float(np.max(np.abs(want[finite]), initial=0.0))
    gap = float(np.max(off, initial=0.0))
    if gap > RTOL * scale:
        flat = int(np.argmax(off))
        at = [int(i) for i in np.unravel_index(flat, got.shape)] if got.size > 1 else ""
        raise Differs(f"{where}{at}: {float(got.flat[flat])!r} != {float(want.flat[flat])!r} "
                      f"(off by {gap:.3g}, {gap / scale if scale else float('inf'):.3g} of the "
                      f"array's scale {scale:.3g}; the tolerance is {RTOL:g} of it)")


def assert_same_document(actual, expected, where: str = "") -> None:
    """Two parsed JSON documents hold the same structure and the same values."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or list(actual) != list(expected):
            got = list(actual) if isinstance(actual, dict) else actual
            raise Differs(f"{where or 'top'}: keys {got!r} != {list(expected)}")
        for key in expected:
            assert_same_document(actual[key], expected[key], f"{where}.{key}")
    elif _numeric_shape(expected) is not None:
        _same_numbers(actual, expected, where)
    elif isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            raise Differs(f"{where}: a list of {len(expected)} expected")
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_same_document(a, e, f"{where}[{i}]")
    elif isinstance(expected, float):
        if type(actual) is not float:
            raise Differs(f"{where}: {actual!r} is not a float")
        assert_same_floats(np.array([actual]), np.array([expected]), where)
    elif type(actual) is not type(expected) or actual != expected:
        raise Differs(f"{where}: {actual!r} != {expected!r}")


# Members that hold a JSON document (a Trace's header as UTF-8 bytes, a checkpoint's meta as a
# string): compared as documents, since they carry floats too (the loss, the smoothed loss).
JSON_MEMBERS = ("header", "meta")


def _json_member(array: np.ndarray):
    text = array.tobytes().decode() if array.dtype == np.uint8 else str(array[()])
    return json.loads(text)


def assert_same_npz(actual: Path, expected: Path) -> None:
    """Two ``.npz`` files hold the same entries (names, order, dtypes, shapes) and values."""
    with np.load(actual, allow_pickle=False) as got, np.load(expected, allow_pickle=False) as want:
        if got.files != want.files:
            raise Differs(f"entries {got.files} != {want.files}")
        for name in want.files:
            a, e = got[name], want[name]
            if a.dtype != e.dtype or a.shape != e.shape:
                raise Differs(f"{name}: {a.dtype}{a.shape} != {e.dtype}{e.shape}")
            if name in JSON_MEMBERS:
                assert_same_document(_json_member(a), _json_member(e), f"{name}:")
            elif e.dtype.kind in "fc":
                assert_same_floats(a.astype(np.float64), e.astype(np.float64), name)
            elif not np.array_equal(a, e):
                raise Differs(f"{name}: values differ")


def assert_same_file(actual: Path, expected: Path) -> None:
    """A ``.json`` or ``.npz`` result against its stored reference, by value."""
    if expected.suffix == ".npz":
        assert_same_npz(actual, expected)
    else:
        assert_same_document(json.loads(actual.read_text()), json.loads(expected.read_text()))
