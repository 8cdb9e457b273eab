import test from "node:test";
import assert from "node:assert/strict";
import { decode } from "../../../explore/arrays.js";
import { fmt, showChar, level, DIVERGING_RGB, UNIT_CLASS } from "../../../explore/format.js";
import { pack } from "./fake.mjs";

test("decode gives the packed float64 values bit for bit, with their shape", () => {
  const values = [0.1, -2.5e-300, Number.MAX_VALUE, -0, NaN, Infinity, -Infinity, 1 / 3];
  const a = decode(pack(values, [2, 4]));
  assert.deepEqual(a.shape, [2, 4]);
  assert.equal(a.length, 8);
  values.forEach((v, i) => assert.ok(Object.is(a[i], v), `${i}: ${a[i]} is not ${v}`));
});

test("fmt writes 6 significant digits, or as many as asked, and names the non-finite", () => {
  assert.equal(fmt(1 / 3), "0.333333");
  assert.equal(fmt(-123456789), "-1.23457e+8");
  assert.equal(fmt(0.000123456789, 4), "0.0001235");
  assert.equal(fmt(NaN), "NaN");
  assert.equal(fmt(Infinity), "Infinity");
  assert.equal(fmt(-Infinity), "-Infinity");
});

test("showChar makes newline, space and tab visible and leaves other characters", () => {
  assert.deepEqual(["\n", " ", "\t", "a", "<", null, undefined].map(showChar),
    ["\u23ce", "\u2423", "\u21e5", "a", "<", "?", "?"]);
});

test("level maps -1..1 to the 256 colours, clipping beyond and putting NaN at white", () => {
  assert.deepEqual([-5, -1, 0, 1, 7, -Infinity, Infinity, NaN].map(level),
    [0, 0, 128, 255, 255, 0, 255, 127]);
  assert.deepEqual(DIVERGING_RGB[0], [0, 0, 255]); // blue
  assert.deepEqual(DIVERGING_RGB[255], [255, 0, 0]); // red
  assert.deepEqual(DIVERGING_RGB[128], [255, 254, 254]); // nearly white
  assert.equal(UNIT_CLASS[1][3], "ux-unit ux-unit-sel ux-fill-3");
});
