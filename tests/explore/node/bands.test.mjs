import test from "node:test";
import assert from "node:assert/strict";
import { bandsOf } from "../../../explore/model.js";
import { equation } from "../../../explore/equations.js";
import { layersOf } from "../../../explore/chain.js";
import { pageData, pack } from "./fake.mjs";

const close = (a, b) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));
const sum = (xs) => xs.reduce((s, v) => s + v, 0);
const termsOf = (lines) => lines.filter((l) => l.term !== undefined).map((l) => l.term);

// A simple RNN of 2 units reading 3 steps from the end: a(t) = b + W h(t+1) + U x(t), its
// state before its first step (t = 3) h0.
const T = 3, U = [0.1, 0.2, 0.3, 0.4], W = [0.5, -0.6, 0.7, 0.8], b = [0.01, -0.02];
const X = [[1, 0], [0, 1], [1, 1]], H0 = [0.5, -0.25];
const A = [], Hs = [];
for (let t = T - 1; t >= 0; t--) {
  const prev = t === T - 1 ? H0 : Hs[t + 1];
  A[t] = [0, 1].map((i) => b[i] + W[2 * i] * prev[0] + W[2 * i + 1] * prev[1]
    + U[2 * i] * X[t][0] + U[2 * i + 1] * X[t][1]);
  Hs[t] = A[t].map(Math.tanh);
}
const vector = (name) => ({ array: name, block: null, lag: 0, shown: name });
const sums = { h: { total: vector("a"), fn: "tanh", terms: [
  { factors: [{ param: "b", block: null, shown: "b" }] },
  { matrix: { param: "W", block: null, shown: "W" }, vector: { ...vector("h"), lag: 1 } },
  { matrix: { param: "U", block: null, shown: "U" }, vector: vector("x") }] } };

/** A network's page data: a head band reading forward, a band reading backward (the one above),
 * one label after the last step, whole (S, T) norms. */
function network() {
  const band = (reads, head, norms) => {
    const d = pageData({ T, H: 2, initial: [{ h: H0 }], equations: sums,
      arrays: { x: [X.flat(), [T, 2]], a: [A.flat(), [T, 2]], h: [Hs.flat(), [T, 2]] },
      params: { U: [U, [2, 2]], W: [W, [2, 2]], b: [b, [2]],
        ...(head ? { V: [[1, 2, 3, 4, 5, 6, 7, 8], [2, 4]], c: [[0.5, -0.5], [2]] } : {}) } });
    d.windows[0].norms = pack(norms, [1, T]);
    return { label: `${reads} band`, reads, head, parts: ["from the output", "from its next step"],
      inputs: null, D: 2, equations: sums, windows: d.windows, arrays: d.arrays };
  };
  return { cell_title: "test cell", title: "t", T, H: 2, D: 2, K: 2, gates: [], states: ["h"],
    vocabulary: ["a", "b"], classes: ["yes", "no"], chars: ["a", "b", "a"], targets: [1],
    loss_steps: [T], features_name: "h_n",
    arrays: { o: pack([0.25, -0.75], [1, 2]), yhat: pack([0.6, 0.4], [1, 2]),
      loss: pack([0.9], [1]), features: pack([1, -1, 0.5, 2], [1, 4]) },
    bands: [band("forward", true, [0.5, 1, 2]), band("backward", false, [8, 0, 1e-3])] };
}

test("a band reading backward reads the state of the step after, its initial state at the end", () => {
  const [, back] = bandsOf(network());
  assert.equal(back.back, true);
  assert.equal(back.prev(2), 3);
  assert.equal(back.next(2), 1);
  assert.equal(back.next(1), null); // its last step
  assert.equal(back.before("h", 3, 1), H0[1]);
  assert.equal(back.before("h", 1, 0), Hs[1][0]);
  for (let t = 1; t <= T; t++) {
    for (const u of [0, 1]) {
      const lines = equation(back, "h", t, u);
      assert.ok(close(sum(termsOf(lines)), A[t - 1][u]), `t=${t} u=${u}`);
    }
  }
  assert.equal(equation(back, "h", 2, 0)[0].text, "a(2) = b + W h(3) + U x(2),  h(2) = tanh(a(2))");
});

test("the head has rows only where the data puts them, and reads what the data says it reads", () => {
  const [head, back] = bandsOf(network());
  assert.deepEqual(head.sources, [3]);
  assert.equal(head.row(1), null);
  assert.equal(head.row(3), 0);
  assert.equal(head.target(3), 1);
  assert.equal(head.target(2), null);
  assert.equal(head.className(1), "no"); // the classes, not the input characters
  assert.equal(head.o(3, 1), -0.75);
  assert.equal(head.loss(3), 0.9);
  assert.equal(head.featureWidth, 4);
  assert.equal(head.feature(3, 3), 2);
  assert.deepEqual(layersOf(head), ["x", "h", "o", "yhat"]);
  assert.deepEqual(layersOf(back), ["x", "h"]); // the head's strips sit in its band only
  const text = equation(head, "o", 3, 1).map((l) => l.text);
  assert.equal(text[0], "o(3) = c + V h_n(3)");
  assert.ok(text.includes("  + V[1, 3] \u00b7 h_n(3)[3] = 8.000 \u00d7 2.000"));
  assert.ok(equation(head, "yhat", 3, 1).some((l) => l.text.startsWith("the target y(3)")));
});

test("whole norms are read by loss term and step, on one log scale for every band", () => {
  const [head, back] = bandsOf(network());
  assert.equal(head.norm(3, 1), 0.5);
  assert.equal(head.norm(3, 3), 2);
  assert.equal(back.norm(3, 1), 8);
  assert.equal(back.norm(3, 2), 0); // recorded as zero: an arrow that is not drawn
  assert.equal(head.norm(2, 1), null); // no loss term at step 2
  assert.equal(head.normHi, 8);
  assert.equal(back.normLo, 1e-3);
  assert.equal(head.logNorm(8), 1);
  assert.equal(back.logNorm(1e-3), 0);
});
