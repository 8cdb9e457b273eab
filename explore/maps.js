// The two maps beside the chain: the activations heatmap (h, units x steps) and the error map
// (||dL(s)/dh(t)||, log scale). Painted once from the recorded values; markers show the
// selection.

import { el, text, showPixels } from "./dom.js";
import { fmt, level, DIVERGING_RGB, SEQUENTIAL } from "./format.js";

/** A map's figure: its caption, its canvas (`width` x `height` pixels) and selection marks. */
function figure(parent, caption, [cls, boxCls], width, height, label) {
  const fig = el("figure", { class: "ux-map" }, parent);
  text(el("figcaption", {}, fig), caption);
  const box = el("div", { class: `ux-map-box ${boxCls}` }, fig);
  const canvas = el("canvas", { class: cls, width: String(width), height: String(height),
    "aria-label": label }, box);
  const col = el("div", { class: "ux-mark ux-mark-col" }, box);
  const row = el("div", { class: "ux-mark ux-mark-row" }, box);
  return { box, canvas, col, row };
}

/** Both maps in `root`, the cuts of a truncated run marked on them. */
export function buildMaps(root, m) {
  const maps = el("div", { class: "ux-maps" }, root);
  const of = m.label ? ` of ${m.label}` : ""; // a network's maps draw one band, named
  const heat = figure(maps, `h(t)${of}: ${m.H} units \u00d7 ${m.T} steps (blue \u22121, white 0, ` +
    "red +1); click to select", ["ux-heat", "ux-heat-box"], m.T, m.H, "activations heatmap");
  const err = figure(maps, `\u2016dL(s)/dh(t)\u2016${of}, rows s, columns t, log scale ` +
    `${fmt(m.normLo, 2)} to ${fmt(m.normHi, 2)}; click to select a loss term`,
  ["ux-errmap", "ux-err-box"], m.T, m.sources.length, "error map");
  // a row per loss term: one label per sequence is a strip, not a square
  if (m.sources.length !== m.T) err.canvas.style.aspectRatio = `${m.T} / ${m.sources.length}`;
  for (const { box } of [heat, err]) {
    for (const w of m.windows.slice(1)) {
      el("div", { class: "ux-mark ux-mark-cut", style: `left:${((w.start - 1) / m.T) * 100}%` }, box);
    }
  }
  return { root: maps, heat, err };
}

/** Paint both maps' pixels from the recorded h and error norms. */
export function paintMaps(maps, m) {
  const img = new ImageData(m.T, m.H);
  for (let t = 1; t <= m.T; t++) {
    for (let i = 0; i < m.H; i++) {
      const [r, g, b] = DIVERGING_RGB[level(m.h(t, i))];
      const p = (i * m.T + (t - 1)) * 4;
      img.data[p] = r; img.data[p + 1] = g; img.data[p + 2] = b; img.data[p + 3] = 255;
    }
  }
  showPixels(maps.heat.canvas, img);
  // a row per loss term; where a term's error cannot reach (across a cut, a later step of a
  // one-way chain) is left empty
  const eimg = new ImageData(m.T, m.sources.length);
  m.sources.forEach((s, row) => {
    for (let t = 1; t <= m.T; t++) {
      const n = m.norm(s, t);
      if (n === null || n === 0) continue;
      const [r, g, b] = Number.isFinite(n) ? SEQUENTIAL[Math.round(m.logNorm(n) * 255)] : [128, 128, 128];
      const p = (row * m.T + (t - 1)) * 4;
      eimg.data[p] = r; eimg.data[p + 1] = g; eimg.data[p + 2] = b; eimg.data[p + 3] = 255;
    }
  });
  showPixels(maps.err.canvas, eimg);
}

/** Move the maps' marks to the selected step, unit and loss term. */
export function markMaps(maps, m, state) {
  const pct = (v, n) => `${(v / n) * 100}%`;
  const { heat, err } = maps, s = state.source;
  heat.col.style.left = pct(state.t - 1, m.T); heat.col.style.width = pct(1, m.T);
  heat.row.style.top = pct(state.unit, m.H); heat.row.style.height = pct(1, m.H);
  err.col.style.left = pct(state.t - 1, m.T); err.col.style.width = pct(1, m.T);
  err.row.style.display = s === null ? "none" : "";
  if (s !== null) {
    const n = m.sources.length;
    err.row.style.top = pct(m.row(s), n); err.row.style.height = pct(1, n);
  }
}

/** Where a click fell in a canvas, as fractions of its width and height. */
export function fractionAt(canvas, e) {
  const r = canvas.getBoundingClientRect();
  return [(e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height];
}
