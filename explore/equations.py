"""What each drawn value of a cell is a sum of, as the page's data: read from the cell's
declared ``sums`` (``rnn.cells.base.Sum``), every name checked against what the page carries.

The page then writes a unit's equation from this alone, whatever the cell: its terms with the
recorded numbers put in, the recorded total they add up to, and the value. A name that is not a
gate, a state, a recorded part or a parameter is refused here, in one clear line, rather than
drawn as a wrong equation.
"""

from __future__ import annotations

import re

from rnn.errors import UnrolledError

FUNCTIONS = ("", "tanh", "sigmoid", "relu")  # what a sum's total may be passed through
OPS = {"1-": re.compile(r"^1-(.+)$"), "tanh": re.compile(r"^tanh\((.+)\)$")}


def kind_of(spec, name: str) -> str:
    """The page's ``data-kind`` of a gate or state ``name``."""
    return f"gate-{name}" if name in spec.gates else name


def block_name(param: str, gate: str) -> str:
    """How gate ``gate``'s block of a stacked parameter is written: torch's W_ih -> W_if."""
    return f"{param[:-1]}{gate}" if re.fullmatch(r"\w+_\w*h", param) else f"{param}_{gate}"


class _Reader:
    """Names in one cell's sums, resolved to what the page reads (``gate`` is the drawn gate,
    or None for a state)."""

    def __init__(self, spec, shapes: dict, arrays: set[str], H: int, gate: str | None):
        self.spec, self.shapes, self.arrays, self.H, self.gate = spec, shapes, arrays, H, gate
        self.G = len(spec.gates)

    def fail(self, what: str):
        raise UnrolledError(f"the {spec_title(self.spec)}'s sums: {what}")

    def block(self, rows: int, name: str) -> int | None:
        """The block of the drawn gate for a stacked array of ``rows`` rows, None for one of H."""
        if rows == self.H:
            return None
        if self.gate is not None and rows == self.G * self.H:
            return self.spec.gates.index(self.gate)
        return self.fail(f"{name} has {rows} rows, neither H nor a block per gate")

    def value(self, token: str) -> dict:
        """A factor: a recorded value at (t, u) or (t-1, u), or a parameter's entry u."""
        for op, pattern in OPS.items():
            found = pattern.match(token)
            if found:
                return {**self.value(found.group(1)), "op": op}
        name, lag = (token[:-2], 1) if token.endswith("@p") else (token, 0)
        if lag and name not in self.spec.states:
            self.fail(f"{token}: only a state is read at t-1")
        if name in self.spec.gates:
            return {"array": "gates", "block": self.spec.gates.index(name), "lag": 0,
                    "shown": name}
        if name in self.arrays:
            block = None if name in self.spec.states or name == "x" else self.part_block(name)
            return {"array": name, "block": block, "lag": lag,
                    "shown": name if block is None else f"{name}_{self.gate}"}
        if name in self.shapes and len(self.shapes[name]) == 1:
            block = self.block(self.shapes[name][0], name)
            return {"param": name, "block": block,
                    "shown": name if block is None else block_name(name, self.gate)}
        found = re.fullmatch(r"(\w+)\[(\d+)\]", name)  # P[2]: block 2 of H entries, any order
        if found and len(self.shapes.get(found.group(1), ())) == 1:
            param, block = found.group(1), int(found.group(2))
            if (block + 1) * self.H > self.shapes[param][0]:
                self.fail(f"{token}: {param} has no block {block}")
            return {"param": param, "block": block,
                    "shown": block_name(param, self.gate) if self.gate else name}
        return self.fail(f"{token!r} is no gate, state, recorded part or vector parameter")

    def part_block(self, name: str) -> int | None:
        part = next((p for p in self.spec.parts if p.name == name), None)
        if part is None or not part.blocks:
            return None
        if self.gate is None:
            self.fail(f"{name} holds a block per gate; a state's sum cannot read it")
        return self.spec.gates.index(self.gate)

    def term(self, text: str) -> dict:
        """A term: a matrix times a vector (``W_hh h@p``), or factors joined by ``*``."""
        words = text.split()
        if len(words) == 2 and words[0] in self.shapes:
            name, shape = words[0], self.shapes[words[0]]
            vector = self.value(words[1])
            if len(shape) != 2 or "array" not in vector or vector["block"] is not None:
                self.fail(f"{text!r}: a matrix times a recorded vector")
            block = self.block(shape[0], name)
            return {"matrix": {"param": name, "block": block,
                               "shown": name if block is None else block_name(name, self.gate)},
                    "vector": vector}
        return {"factors": [self.value(f.strip()) for f in text.split("*")]}


def spec_title(spec) -> str:
    return spec.title or spec.name


def equations(spec, shapes: dict[str, tuple[int, ...]], arrays: set[str], H: int) -> dict:
    """``{kind: {"total", "fn", "terms"}}`` for every gate and state the cell writes as a sum.

    ``shapes`` are the parameters' shapes, ``arrays`` the per-step arrays the page carries.
    """
    out = {}
    for name, written in spec.sums.items():
        if name not in spec.gates and name not in spec.states:
            raise UnrolledError(f"the {spec_title(spec)}'s sums: {name!r} is no gate or state")
        read = _Reader(spec, shapes, arrays, H, name if name in spec.gates else None)
        if written.fn not in FUNCTIONS:
            read.fail(f"{name}: fn must be one of {FUNCTIONS}, got {written.fn!r}")
        total = read.value(written.total)
        if "array" not in total or total["lag"] or "op" in total:
            read.fail(f"{name}: the total {written.total!r} must be recorded at step t")
        out[kind_of(spec, name)] = {"total": total, "fn": written.fn,
                                    "terms": [read.term(t) for t in written.terms]}
    return out
