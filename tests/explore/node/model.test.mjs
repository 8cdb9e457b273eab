import test from "node:test";
import assert from "node:assert/strict";
import { Model } from "../../../explore/model.js";
import { picked, firstVisible, unitPage, layersOf, layerLabel, arcPath, termDashes } from "../../../explore/chain.js";
import { PALETTE } from "../../../explore/format.js";
import { pageData, pack } from "./fake.mjs";

const steps = (T, H) => ({
  x: [new Array(T * 2).fill(0), [T, 2]], h: [Array.from({ length: T * H }, (_, k) => k), [T, H]],
  o: [new Array(T * 2).fill(0), [T, 2]], yhat: [new Array(T * 2).fill(0.5), [T, 2]],
  loss: [new Array(T).fill(1), [T]],
});

test("read finds a step's unit, and a gate's block of a (T, G, H) array", () => {
  const T = 3, H = 2, G = 3;
  const arrays = { ...steps(T, H), gates: [Array.from({ length: T * G * H }, (_, k) => k), [T, G, H]] };
  const m = new Model(pageData({ T, H, gates: ["a", "b", "c"], arrays, params: {} }));
  assert.equal(m.read("h", 2, 1), 3);
  assert.equal(m.read("gates", 3, 1, 2), (2 * G + 2) * H + 1);
  assert.equal(m.value("gate-b", 2, 0), (1 * G + 1) * H);
  assert.deepEqual(layersOf(m), ["x", "gate-a", "gate-b", "gate-c", "h", "o", "yhat"]);
});

test("norms are read from each window's lower triangle, and none crosses a cut", () => {
  const T = 5, H = 1;
  const data = pageData({ T, H, arrays: steps(T, H), params: {}, windows: [[1, 3], [4, 5]] });
  data.windows[0].norms = pack([1, 2, 3, 4, 5, 6], [6]); // rows s = 1..3, t <= s
  const m = new Model(data);
  assert.equal(m.norm(1, 1), 1);
  assert.equal(m.norm(3, 2), 5);
  assert.equal(m.norm(2, 3), null); // t after s
  assert.equal(m.norm(4, 3), null); // across the cut at 4
  assert.equal(m.normLo, 1);
  assert.equal(m.normHi, 6);
  assert.equal(m.logNorm(6), 1);
  assert.equal(m.logNorm(1), 0);
  assert.equal(m.logNorm(0), 0);
});

test("the chain's choices: the largest entries, the steps and the page of units shown", () => {
  const v = [0.1, 0.9, 0.3, 0.8, 0.2];
  assert.deepEqual(picked((j) => v[j], 5, 2, null), [1, 3]);
  assert.deepEqual(picked((j) => v[j], 5, 2, 0), [0, 1]); // the target always among them
  assert.deepEqual(picked((j) => v[j], 2, 4, null), [0, 1]);
  const m = { T: 20, H: 70 };
  assert.equal(firstVisible(m, { t: 1 }, 7), 1);
  assert.equal(firstVisible(m, { t: 10 }, 7), 7);
  assert.equal(firstVisible(m, { t: 20 }, 7), 14);
  assert.equal(unitPage(m, { unit: 33 }), 32);
  assert.equal(unitPage(m, { unit: 69 }), 38); // the last page ends at the last unit
  assert.equal(unitPage({ H: 3 }, { unit: 2 }), 0);
  assert.deepEqual(["gate-f", "cell", "yhat", "h", "m"].map(layerLabel), ["f", "c", "\u0177", "h", "m"]);
  assert.equal(arcPath(10, 40, 50, true), "M10,50 C10,33 40,33 40,50");
});

test("two loss terms of one colour never share their dashes, up to 64 terms", () => {
  const looks = new Set();
  for (let s = 1; s <= 64; s++) looks.add(`${PALETTE[(s - 1) % PALETTE.length]} ${termDashes(s)}`);
  assert.equal(looks.size, 64);
  assert.equal(termDashes(1), "");
  assert.equal(termDashes(PALETTE.length + 1), "5 10");
  assert.equal(termDashes(2 * PALETTE.length + 1), "5 3 5 10"); // a group of 2 dashes
});
