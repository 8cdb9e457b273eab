// How recorded values are written and coloured. Pure: no DOM.

// The loss terms' colours (repeating beyond 8): an error arrow has its term's colour.
export const PALETTE = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4",
  "#f032e6", "#bfef45"];

/** A recorded value to 6 significant digits (at least the 4 the contract asks for). */
export function fmt(v, digits = 6) {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
  return v.toPrecision(digits);
}

/** A character of the text as the page shows it: newline, space and tab made visible. */
export function showChar(c) {
  if (c === undefined || c === null) return "?";
  if (c === "\n") return "\u23ce";
  if (c === " ") return "\u2423";
  if (c === "\t") return "\u21e5";
  return c;
}

// Colours: the blue-white-red map of the project's heatmaps (blue -1, white 0, red +1).
export const DIVERGING_RGB = Array.from({ length: 256 }, (_, k) => {
  const v = k / 127.5 - 1;
  const w = Math.round(255 * (1 - Math.abs(v)));
  return v < 0 ? [w, w, 255] : [255, w, w];
});
// A unit of the chain takes its colour from one of 256 classes (rules made here from the same
// map), not from a style of its own: units of one colour then share their matched style, so a
// scrub restyling hundreds of units costs less and leaves less garbage (headless Chromium: a
// fifth less restyling, a third of the full collections). A unit's class string is whole (the
// selection's class with it), so that one write a unit changes how it looks.
export const FILL_RULES = DIVERGING_RGB
  .map(([r, g, b], k) => `.ux-fill-${k} { fill: rgb(${r},${g},${b}); }`).join("\n");
export const UNIT_CLASS = [false, true].map((sel) =>
  DIVERGING_RGB.map((_, k) => `ux-unit${sel ? " ux-unit-sel" : ""} ux-fill-${k}`));

/** The colour level 0..255 of a value on the diverging map (-1 and below 0, +1 and above 255). */
export function level(v) {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 127 : v > 0 ? 255 : 0;
  return Math.round((Math.max(-1, Math.min(1, v)) + 1) * 127.5);
}

// A sequential map for the log-scale error norms (dark blue, teal, yellow).
export const SEQUENTIAL = Array.from({ length: 256 }, (_, k) => {
  const u = k / 255;
  const stops = [[13, 8, 135], [84, 2, 163], [139, 10, 165], [185, 50, 137], [219, 92, 104],
    [244, 136, 73], [254, 188, 43], [240, 249, 33]];
  const x = u * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  return stops[i].map((c, j) => Math.round(c + f * (stops[i + 1][j] - c)));
});
