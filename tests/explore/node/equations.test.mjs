import test from "node:test";
import assert from "node:assert/strict";
import { Model } from "../../../explore/model.js";
import { equation, products, unitName } from "../../../explore/equations.js";
import { pageData } from "./fake.mjs";

const close = (a, b) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));
const termsOf = (lines) => lines.filter((l) => l.term !== undefined).map((l) => l.term);
const sum = (xs) => xs.reduce((s, v) => s + v, 0);

// A simple RNN of 2 units over 2 steps, in two windows: the second starts from its own h0.
const U = [0.1, 0.2, 0.3, 0.4], W = [0.5, -0.6, 0.7, 0.8], b = [0.01, -0.02];
const X = [[1, 0], [0, 1]], H0 = [[0.5, -0.25], [-0.3, 0.9]];
const A = [0, 1].map((t) => [0, 1].map((i) => b[i] + W[2 * i] * H0[t][0] + W[2 * i + 1] * H0[t][1]
  + U[2 * i] * X[t][0] + U[2 * i + 1] * X[t][1]));
const hOf = A.map((row) => row.map(Math.tanh));
const vector = (name) => ({ array: name, block: null, lag: 0, shown: name });
const rnn = pageData({
  T: 2, H: 2, windows: [[1, 1], [2, 2]], initial: H0.map((h) => ({ h })),
  arrays: { x: [X.flat(), [2, 2]], a: [A.flat(), [2, 2]], h: [hOf.flat(), [2, 2]],
    o: [[0, 0, 0, 0], [2, 2]], yhat: [[0.5, 0.5, 0.5, 0.5], [2, 2]], loss: [[0.7, 0.7], [2]] },
  params: { U: [U, [2, 2]], W: [W, [2, 2]], b: [b, [2]], V: [[1, 0, 0, 1], [2, 2]], c: [[0, 0], [2]] },
  equations: { h: { total: vector("a"), fn: "tanh", terms: [
    { factors: [{ param: "b", block: null, shown: "b" }] },
    { matrix: { param: "W", block: null, shown: "W" }, vector: { ...vector("h"), lag: 1 } },
    { matrix: { param: "U", block: null, shown: "U" }, vector: vector("x") }] } },
});

test("a unit's terms add up to the recorded total, the state before a cut its window's own", () => {
  const m = new Model(rnn);
  const m2 = new Model({ ...rnn, windows: [rnn.windows[0], { ...rnn.windows[1], h0: rnn.windows[0].h0 }] });
  for (const t of [1, 2]) {
    for (const u of [0, 1]) {
      const lines = equation(m, "h", t, u);
      assert.ok(close(sum(termsOf(lines)), A[t - 1][u]), `t=${t} u=${u}`);
      if (t === 2) { // another h0 for window 2: other terms, so the window's own was read
        assert.ok(!close(sum(termsOf(equation(m2, "h", t, u))), A[t - 1][u]));
      }
    }
  }
  const text = equation(m, "h", 2, 1).map((l) => l.text);
  assert.equal(text[0], "a(2) = b + W h(1) + U x(2),  h(2) = tanh(a(2))");
  assert.equal(text[1], "  + b[1] = -0.02000");
  assert.ok(text.includes("  + W[1, 1] \u00b7 h(1)[1] = 0.8000 \u00d7 0.9000"));
  assert.ok(text.includes("  (1 terms with x(2)[j] = 0)"));
  assert.equal(text.at(-2), `a(2)[1] = ${A[1][1].toPrecision(6)}  (recorded)`);
  assert.equal(text.at(-1), `h(2)[1] = tanh(${A[1][1].toPrecision(4)}) = ${hOf[1][1].toPrecision(6)}`);
  assert.equal(unitName("h", 2, 1), "h(2)[1]");
  assert.equal(unitName("gate-f", 3, 0), "f(3)[0]");
});

test("products write the largest terms first and add the rest up in one line", () => {
  const cols = 9, M = Array.from({ length: 2 * cols }, (_, k) => (k % 2 ? -1 : 1) * (k + 1));
  const v = [1, 0, 2, 3, 0, 4, 5, 6, 7];
  const lines = products(M, 1, cols, (j) => v[j], "M", "v");
  const expected = v.map((x, j) => M[cols + j] * x);
  assert.ok(close(sum(termsOf(lines)), sum(expected)));
  assert.equal(lines.length, 6 + 2); // six products, "1 more terms", the zeros
  assert.equal(lines[6].text, "  + 1 more terms");
  assert.equal(lines[7].text, "  (2 terms with v[j] = 0)");
  const shown = lines.slice(0, 6).map((l) => Math.abs(l.term));
  assert.deepEqual(shown, [...shown].sort((p, q) => q - p));
});

// A gated cell of 2 gates (k, v) whose second state is m: m = k m(t-1) + (1 - k) v, h = tanh(m).
const gates = [[0.2, 0.9, -0.4, 0.3]]; // (T=1, G=2, H=2): k then v
const m0 = [0.6, -0.7];
const mOf = [0, 1].map((u) => gates[0][u] * m0[u] + (1 - gates[0][u]) * gates[0][2 + u]);
const gate = (k, shown) => ({ array: "gates", block: k, lag: 0, shown });
const gated = pageData({
  T: 1, H: 2, gates: ["k", "v"], states: ["h", "m"], initial: [{ m: m0 }],
  arrays: { x: [[1, 0], [1, 2]], gates: [gates.flat(), [1, 2, 2]], m: [mOf, [1, 2]],
    h: [mOf.map(Math.tanh), [1, 2]], o: [[0, 0], [1, 2]], yhat: [[0.5, 0.5], [1, 2]], loss: [[0.7], [1]] },
  params: { V: [[1, 0, 0, 1], [2, 2]], c: [[0, 0], [2]] },
  equations: {
    m: { total: vector("m"), fn: "", terms: [
      { factors: [gate(0, "k"), { ...vector("m"), lag: 1 }] },
      { factors: [{ ...gate(0, "k"), op: "1-" }, gate(1, "v")] }] },
    h: { total: vector("h"), fn: "", terms: [{ factors: [{ ...vector("m"), op: "tanh" }] }] },
  },
});

test("a declared sum of products, with 1 - x and tanh(x) factors, adds up to the state", () => {
  const m = new Model(gated);
  assert.deepEqual(m.others, ["m"]);
  for (const u of [0, 1]) {
    assert.ok(close(sum(termsOf(equation(m, "m", 1, u))), mOf[u]));
    assert.ok(close(sum(termsOf(equation(m, "h", 1, u))), Math.tanh(mOf[u])));
  }
  const text = equation(m, "m", 1, 1).map((l) => l.text);
  assert.equal(text[0], "m(1) = k(1) \u2299 m(0) + (1 \u2212 k(1)) \u2299 v(1)");
  assert.equal(text[1], "  + k(1)[1] \u00b7 m(0)[1] = 0.9000 \u00d7 -0.7000");
  assert.equal(text[2], "  + (1 \u2212 k(1)[1]) \u00b7 v(1)[1] = (1 \u2212 0.9000) \u00d7 0.3000");
  assert.equal(equation(m, "h", 1, 0)[1].text, `  + tanh(m(1)[0]) = tanh(${mOf[0].toPrecision(4)})`);
  assert.deepEqual(equation(m, "gate-k", 1, 0), []); // nothing declared: the value alone
});
