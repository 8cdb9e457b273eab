// unrolled explore: the page of one recorded Trace (simple RNN, LSTM or GRU).
//
// One ES module, used as it is by the self-contained HTML file (inlined) and by the notebook
// widget (anywidget's `render`). Every number shown is read from the recorded arrays the page
// carries; the page formats them and never recomputes them. The only arithmetic here places
// things (pixels, colours, log-scale widths) and orders equation terms for display.
//
// Text from the trace (its characters, vocabulary, title) reaches the page through
// `textContent` only, never as HTML.

const SVGNS = "http://www.w3.org/2000/svg";
const ROWS = 32; // units of a hidden-sized layer drawn per step (a page of units)
const OUT_ROWS = 10; // classes of o and yhat (and inputs of x) drawn per step when there are more
const CELL = 11; // a unit's square, in SVG units
const PITCH = 13; // distance between units of a strip
const STRIP_GAP = 5;
const TOP = 86; // strips start below the loss terms and the error arcs of h
const TERMS = 6; // products written out in a tooltip's sum; the rest are counted
// The loss terms' colours (repeating beyond 8): an error arrow has its term's colour.
const PALETTE = ["#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6",
  "#bfef45"];

// Arrays ------------------------------------------------------------------------------------
function bytesOf(b64) {
  if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(b64);
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** `{shape, f64}` (little-endian float64, base64) as a Float64Array with its shape. */
export function decode(packed) {
  const bytes = bytesOf(packed.f64);
  const data = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
  data.shape = packed.shape;
  return data;
}

// Formatting ----------------------------------------------------------------------------------
/** A recorded value to 6 significant digits (at least the 4 the contract asks for). */
export function fmt(v, digits = 6) {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
  return v.toPrecision(digits);
}

function showChar(c) {
  if (c === undefined || c === null) return "?";
  if (c === "\n") return "\u23ce";
  if (c === " ") return "\u2423";
  if (c === "\t") return "\u21e5";
  return c;
}

// Colours: the blue-white-red map of the project's heatmaps (blue -1, white 0, red +1).
const DIVERGING_RGB = Array.from({ length: 256 }, (_, k) => {
  const v = k / 127.5 - 1;
  const w = Math.round(255 * (1 - Math.abs(v)));
  return v < 0 ? [w, w, 255] : [255, w, w];
});
// A unit of the chain takes its colour from one of 256 classes (rules made here from the same
// map), not from a style of its own: units of one colour then share their matched style, so a
// scrub restyling hundreds of units costs less and leaves less garbage (headless Chromium: a
// fifth less restyling, a third of the full collections). A unit's class string is whole (the
// selection's class with it), so that one write a unit changes how it looks.
const FILL_RULES = DIVERGING_RGB
  .map(([r, g, b], k) => `.ux-fill-${k} { fill: rgb(${r},${g},${b}); }`).join("\n");
const UNIT_CLASS = [false, true].map((sel) =>
  DIVERGING_RGB.map((_, k) => `ux-unit${sel ? " ux-unit-sel" : ""} ux-fill-${k}`));
function level(v) {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 127 : v > 0 ? 255 : 0;
  return Math.round((Math.max(-1, Math.min(1, v)) + 1) * 127.5);
}
// A sequential map for the log-scale error norms (dark blue, teal, yellow).
const SEQUENTIAL = Array.from({ length: 256 }, (_, k) => {
  const u = k / 255;
  const stops = [[13, 8, 135], [84, 2, 163], [139, 10, 165], [185, 50, 137], [219, 92, 104],
    [244, 136, 73], [254, 188, 43], [240, 249, 33]];
  const x = u * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  return stops[i].map((c, j) => Math.round(c + f * (stops[i + 1][j] - c)));
});

/**
 * Show `img` (the canvas's size) in `canvas`, for good. Through an ImageBitmap where the
 * browser can: a 2D canvas may be handed to the compositor again on every frame though it
 * never changes (headless Chromium does: both maps cost 1 to 2 ms of each frame while
 * scrubbing), a bitmap once.
 */
function showPixels(canvas, img) {
  const shown = typeof OffscreenCanvas === "function" ? canvas.getContext("bitmaprenderer") : null;
  if (!shown) {
    canvas.getContext("2d").putImageData(img, 0, 0);
    return;
  }
  const off = new OffscreenCanvas(img.width, img.height);
  off.getContext("2d").putImageData(img, 0, 0);
  shown.transferFromImageBitmap(off.transferToImageBitmap());
}

function el(tag, attrs = {}, parent = null, ns = null) {
  const node = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (parent) parent.appendChild(node);
  return node;
}
const svg = (tag, attrs, parent) => el(tag, attrs, parent, SVGNS);
function text(node, s) {
  node.textContent = s;
  return node;
}
// Writes that would change nothing are skipped: even those restyle or lay out again (redraws
// that keep the step, or the text of a label that stays). The last written values are kept on
// the node, so nothing is read back from the DOM.
function put(node, name, value) {
  const was = node.ux || (node.ux = {});
  if (was[name] !== value) { node.setAttribute(name, value); was[name] = value; }
}
function retext(node, s) {
  const was = node.ux || (node.ux = {});
  if (was.text === s) return;
  // the text node kept, its characters replaced: no new node to style and lay out
  if (node.firstChild && node.firstChild === node.lastChild && node.firstChild.nodeType === 3) {
    node.firstChild.data = s;
  } else node.textContent = s;
  was.text = s;
}

// The model, read from the page's data ----------------------------------------------------------
class Model {
  constructor(data) {
    this.cell = data.cell;
    this.cellTitle = data.cell_title;
    this.relu = data.relu;
    this.T = data.T;
    this.H = data.H;
    this.D = data.D;
    this.K = data.K;
    this.gates = data.gates;
    this.G = data.gates.length;
    this.vocabulary = data.vocabulary;
    this.chars = data.chars;
    this.targets = data.targets;
    this.title = data.title;
    this.a = {};
    for (const [k, v] of Object.entries(data.arrays)) this.a[k] = decode(v);
    this.windows = data.windows.map((w) => {
      const params = {};
      for (const [k, v] of Object.entries(w.params)) params[k] = decode(v);
      return {
        start: w.start, stop: w.stop, params, h0: decode(w.h0),
        cell0: w.cell0 ? decode(w.cell0) : null, norms: decode(w.norms),
        cellNorms: w.cell_norms ? decode(w.cell_norms) : null,
      };
    });
    this.windowIndex = new Int32Array(this.T + 1);
    this.windows.forEach((w, k) => { for (let t = w.start; t <= w.stop; t++) this.windowIndex[t] = k; });
    let lo = Infinity, hi = 0;
    for (const w of this.windows) {
      for (const arr of [w.norms, w.cellNorms]) {
        if (!arr) continue;
        for (let i = 0; i < arr.length; i++) {
          const n = arr[i];
          if (n > 0 && Number.isFinite(n)) { if (n < lo) lo = n; if (n > hi) hi = n; }
        }
      }
    }
    this.normHi = hi > 0 ? hi : 1;
    this.normLo = Math.max(lo === Infinity ? this.normHi : lo, this.normHi * 1e-12);
  }
  win(t) { return this.windows[this.windowIndex[t]]; }
  char(t) { return this.chars ? this.chars[t - 1] : null; }
  className(k) { return this.vocabulary ? this.vocabulary[k] : null; }
  x(t, j) { return this.a.x[(t - 1) * this.D + j]; }
  h(t, i) { return this.a.h[(t - 1) * this.H + i]; }
  hPrev(t, i) { const w = this.win(t); return t === w.start ? w.h0[i] : this.h(t - 1, i); }
  cellAt(t, i) { return this.a.cell[(t - 1) * this.H + i]; }
  cellPrev(t, i) { const w = this.win(t); return t === w.start ? w.cell0[i] : this.cellAt(t - 1, i); }
  gate(t, g, i) { return this.a.gates[((t - 1) * this.G + g) * this.H + i]; }
  pre(t, g, i) { return this.a.pre[((t - 1) * this.G + g) * this.H + i]; }
  o(t, k) { return this.a.o[(t - 1) * this.K + k]; }
  yhat(t, k) { return this.a.yhat[(t - 1) * this.K + k]; }
  loss(t) { return this.a.loss[t - 1]; }
  /** The recorded ||dL(s)/dh(t)|| (path "h") or ||dL(s)/dcell(t)|| ("cell"); null across a cut. */
  norm(s, t, path = "h") {
    const w = this.win(s);
    if (t < w.start || t > s) return null;
    const arr = path === "cell" ? w.cellNorms : w.norms;
    if (!arr) return null;
    const i = s - w.start, j = t - w.start;
    return arr[(i * (i + 1)) / 2 + j];
  }
  /** The value a unit of `kind` holds at step t. */
  value(kind, t, u) { return this.reader(kind)(t, u); }
  /** `(t, u) => value`: the values of a layer, the layer looked up once (a redraw reads
   * hundreds of units). */
  reader(kind) {
    switch (kind) {
      case "x": return (t, u) => this.x(t, u);
      case "h": return (t, u) => this.h(t, u);
      case "cell": return (t, u) => this.cellAt(t, u);
      case "o": return (t, u) => this.o(t, u);
      case "yhat": return (t, u) => this.yhat(t, u);
      default: {
        const g = this.gates.indexOf(kind.slice(5));
        return (t, u) => this.gate(t, g, u);
      }
    }
  }
}

// Equations with the numbers put in ----------------------------------------------------------
function unitName(kind, t, u) {
  const names = { x: "x", h: "h", cell: "cell", o: "o", yhat: "yhat" };
  return `${names[kind] || kind.slice(5)}(${t})[${u}]`;
}

/** Up to TERMS products `M[row, j] v[j]` of a sum, largest first, and how many were left out. */
function terms(M, row, cols, vec, label, vecLabel, shownRow = row) {
  const items = [];
  for (let j = 0; j < cols; j++) {
    const w = M[row * cols + j], v = vec(j);
    if (v !== 0) items.push([Math.abs(w * v), j, w, v]);
  }
  items.sort((p, q) => q[0] - p[0] || p[1] - q[1]);
  const lines = items.slice(0, TERMS).map(([, j, w, v]) =>
    `  + ${label}[${shownRow}, ${j}] \u00b7 ${vecLabel}[${j}] = ${fmt(w, 4)} \u00d7 ${fmt(v, 4)}`);
  const zeros = cols - items.length;
  if (items.length > TERMS) lines.push(`  + ${items.length - TERMS} more terms`);
  if (zeros > 0) lines.push(`  (${zeros} terms with ${vecLabel}[j] = 0)`);
  return lines;
}

function equation(m, kind, t, u) {
  const w = m.win(t), p = w.params, H = m.H, D = m.D;
  const hp = (j) => m.hPrev(t, j), xv = (j) => m.x(t, j);
  const lines = [];
  const inputNote = () => (m.chars ? [`x(${t}) is the character '${showChar(m.char(t))}'`] : []);
  if (kind === "x") {
    if (m.vocabulary) lines.push(`input position ${u}: '${showChar(m.vocabulary[u])}'`);
    lines.push(...inputNote());
  } else if (kind === "h" && m.a.a) {
    const a = m.a.a[(t - 1) * H + u];
    const f = m.relu ? "max(0, ·)" : "tanh";
    lines.push(`a(${t}) = b + W h(${t - 1}) + U x(${t}),  h(${t}) = ${f}(a(${t}))`);
    lines.push(`  b[${u}] = ${fmt(p.b[u], 4)}`);
    lines.push(...terms(p.W, u, H, hp, "W", `h(${t - 1})`));
    lines.push(...terms(p.U, u, D, xv, "U", `x(${t})`));
    lines.push(`a(${t})[${u}] = ${fmt(a)}  (recorded)`);
    lines.push(`h(${t})[${u}] = ${m.relu ? "max(0, " : "tanh("}${fmt(a, 4)}) = ${fmt(m.h(t, u))}`);
  } else if (kind === "h" && m.cell === "lstm") {
    const og = m.gate(t, 3, u), c = m.cellAt(t, u);
    lines.push(`h(${t}) = o(${t}) \u2299 tanh(cell(${t}))`);
    lines.push(`  o(${t})[${u}] = ${fmt(og, 4)},  cell(${t})[${u}] = ${fmt(c, 4)}`);
    lines.push(`h(${t})[${u}] = ${fmt(og, 4)} \u00d7 tanh(${fmt(c, 4)}) = ${fmt(m.h(t, u))}`);
  } else if (kind === "h" && m.cell === "gru") {
    const z = m.gate(t, 1, u), n = m.gate(t, 2, u), prev = m.hPrev(t, u);
    lines.push(`h(${t}) = (1 \u2212 z(${t})) \u2299 n(${t}) + z(${t}) \u2299 h(${t - 1})`);
    lines.push(`  z = ${fmt(z, 4)},  n = ${fmt(n, 4)},  h(${t - 1})[${u}] = ${fmt(prev, 4)}`);
    lines.push(`h(${t})[${u}] = (1 \u2212 ${fmt(z, 4)}) \u00d7 ${fmt(n, 4)} + ${fmt(z, 4)} \u00d7 ${fmt(prev, 4)} = ${fmt(m.h(t, u))}`);
  } else if (kind === "cell") {
    const f = m.gate(t, 1, u), i = m.gate(t, 0, u), g = m.gate(t, 2, u), prev = m.cellPrev(t, u);
    lines.push(`cell(${t}) = f(${t}) \u2299 cell(${t - 1}) + i(${t}) \u2299 g(${t})`);
    lines.push(`cell(${t})[${u}] = ${fmt(f, 4)} \u00d7 ${fmt(prev, 4)} + ${fmt(i, 4)} \u00d7 ${fmt(g, 4)} = ${fmt(m.cellAt(t, u))}`);
  } else if (kind.startsWith("gate-")) {
    const name = kind.slice(5), g = m.gates.indexOf(name), row = g * H + u;
    const act = name === "g" || name === "n" ? "tanh" : "\u03c3";
    if (m.cell === "gru" && name === "n") {
      const r = m.gate(t, 0, u), hn = m.a.hn[(t - 1) * H + u];
      lines.push(`n(${t}) = tanh(W_in x(${t}) + b_in + r(${t}) \u2299 (W_hn h(${t - 1}) + b_hn))`);
      lines.push(`  b_in[${u}] = ${fmt(p.b_ih[row], 4)}`);
      lines.push(...terms(p.W_ih, row, D, xv, "W_in", `x(${t})`, u));
      lines.push(`  r(${t})[${u}] = ${fmt(r, 4)},  W_hn h(${t - 1}) + b_hn = ${fmt(hn, 4)}  (recorded)`);
    } else {
      lines.push(`pre_${name}(${t}) = W_i${name} x(${t}) + b_i${name} + W_h${name} h(${t - 1}) + b_h${name}`);
      lines.push(`  b_i${name}[${u}] + b_h${name}[${u}] = ${fmt(p.b_ih[row], 4)} + ${fmt(p.b_hh[row], 4)}`);
      lines.push(...terms(p.W_ih, row, D, xv, `W_i${name}`, `x(${t})`, u));
      lines.push(...terms(p.W_hh, row, H, hp, `W_h${name}`, `h(${t - 1})`, u));
    }
    lines.push(`pre_${name}(${t})[${u}] = ${fmt(m.pre(t, g, u))}  (recorded)`);
    lines.push(`${name}(${t})[${u}] = ${act}(${fmt(m.pre(t, g, u), 4)}) = ${fmt(m.gate(t, g, u))}`);
  } else if (kind === "o") {
    lines.push(`o(${t}) = c + V h(${t})`);
    lines.push(`  c[${u}] = ${fmt(p.c[u], 4)}`);
    lines.push(...terms(p.V, u, H, (j) => m.h(t, j), "V", `h(${t})`));
    if (m.vocabulary) lines.push(`class ${u}: '${showChar(m.vocabulary[u])}'`);
  } else if (kind === "yhat") {
    lines.push(`yhat(${t}) = softmax(o(${t})),  o(${t})[${u}] = ${fmt(m.o(t, u), 4)}`);
    if (m.vocabulary) lines.push(`class ${u}: '${showChar(m.vocabulary[u])}'`);
    if (u === m.targets[t - 1]) {
      lines.push(`the target y(${t}): L(${t}) = \u2212log ${fmt(m.yhat(t, u), 4)} = ${fmt(m.loss(t))}`);
    }
  }
  return lines;
}

// The page ------------------------------------------------------------------------------------
/**
 * Draw the page of `data` into `root`. Options: `hash` (keep the view in the URL hash, for
 * the HTML file; off in a notebook), `theme` ("dark" or "light").
 * Returns a function that removes the page's listeners.
 */
export function mount(root, data, options = {}) {
  const started = performance.now();
  const m = new Model(data);
  const useHash = options.hash !== false;
  const cleanups = [];
  root.classList.add("unrolled-explore");
  root.dataset.theme = options.theme || data.theme || "dark";
  root.replaceChildren();
  const state = { t: 1, source: null, unit: 0 };
  const hiddenRows = Math.min(m.H, ROWS);
  const layers = ["x", ...m.gates.map((g) => `gate-${g}`), ...(m.cell === "lstm" ? ["cell"] : []),
    "h", "o", "yhat"];
  const rowsOf = (kind) => (kind === "x" ? Math.min(m.D, ROWS)
    : kind === "o" || kind === "yhat" ? Math.min(m.K, OUT_ROWS) : hiddenRows);
  const visible = Math.min(m.T, m.G === 0 ? 9 : 7);

  // Header and controls
  const header = el("header", { class: "ux-header" }, root);
  text(el("h1", {}, header), m.title);
  const totalLoss = Array.from(m.a.loss).reduce((s, v) => s + v, 0);
  text(el("p", { class: "ux-meta" }, header),
    `${m.cellTitle}: ${m.T} steps, ${m.H} hidden units, ` +
    `${m.D} inputs, ${m.K} classes${m.windows.length > 1 ? `, ${m.windows.length} windows (truncated BPTT)` : ""}; ` +
    `loss L = ${fmt(totalLoss)} (sum of the recorded L(t))`);
  const themeButton = el("button", { type: "button", class: "ux-theme", "aria-label": "switch theme" }, header);
  const controls = el("div", { class: "ux-controls" }, root);
  const prev = text(el("button", { type: "button", "aria-label": "previous step" }, controls), "\u25c0");
  const scrub = el("input", { type: "range", min: "1", max: String(m.T), step: "1", value: "1",
    "aria-label": "time step" }, controls);
  const next = text(el("button", { type: "button", "aria-label": "next step" }, controls), "\u25b6");
  const stepLabel = el("output", { class: "ux-step", "aria-live": "polite" }, controls);
  let unitsLabel = null, unitsPrev = null, unitsNext = null;
  if (m.H > ROWS) {
    unitsPrev = text(el("button", { type: "button", "aria-label": "previous units" }, controls), "\u25b2");
    unitsLabel = el("span", { class: "ux-units" }, controls);
    unitsNext = text(el("button", { type: "button", "aria-label": "next units" }, controls), "\u25bc");
  }
  const sourceLabel = el("span", { class: "ux-source" }, controls);

  // The unfolded chain: a fixed pool of slots, one per visible step, refilled on every move.
  const strips = layers.length;
  const stepW = strips * (PITCH + STRIP_GAP) + 26;
  const maxRows = Math.max(...layers.map(rowsOf));
  const stripsBottom = TOP + maxRows * PITCH;
  const height = stripsBottom + (m.cell === "lstm" ? 92 : 66);
  const chain = svg("svg", { class: "ux-chain", viewBox: `0 0 ${visible * stepW + 8} ${height}`,
    role: "group", "aria-label": "the unfolded chain around the selected step" }, root);
  const layerX = (li) => 14 + li * (PITCH + STRIP_GAP);
  const arcs = svg("g", { class: "ux-arcs" }, null);
  const forward = svg("g", { class: "ux-forward" }, null);
  const slots = [];
  for (let k = 0; k < visible; k++) {
    const g = svg("g", { class: "ux-slot", transform: `translate(${4 + k * stepW},0)` }, chain);
    const bg = svg("rect", { class: "ux-slot-bg", x: 2, y: 2, width: stepW - 4, height: height - 4, rx: 6 }, g);
    const cut = svg("line", { class: "ux-cut", x1: 0, x2: 0, y1: 4, y2: height - 4 }, g);
    const cutLabel = text(svg("text", { class: "ux-cut-label", x: 3, y: height - 8 }, g), "cut");
    const lossG = svg("g", { "data-kind": "loss", tabindex: "0", role: "button", class: "ux-loss" }, g);
    const lossX = stepW / 2;
    svg("circle", { cx: lossX, cy: 22, r: 15 }, lossG);
    const lossName = svg("text", { x: lossX, y: 19, "text-anchor": "middle", class: "ux-loss-name" }, lossG);
    const lossValue = svg("text", { x: lossX, y: 31, "text-anchor": "middle", class: "ux-loss-value" }, lossG);
    const units = {};
    layers.forEach((kind, li) => {
      const x = layerX(li);
      text(svg("text", { class: "ux-layer-label", x: x + CELL / 2, y: TOP - 5, "text-anchor": "middle" }, g),
        kind.startsWith("gate-") ? kind.slice(5) : kind === "cell" ? "c" : kind === "yhat" ? "\u0177" : kind);
      units[kind] = [];
      for (let r = 0; r < rowsOf(kind); r++) {
        units[kind].push(svg("rect", { class: "ux-unit", "data-kind": kind, x, y: TOP + r * PITCH,
          width: CELL, height: CELL, tabindex: "-1" }, g));
      }
    });
    const stepText = svg("text", { class: "ux-step-label", x: stepW / 2, y: stripsBottom + 16, "text-anchor": "middle" }, g);
    const charText = svg("text", { class: "ux-char", x: stepW / 2, y: stripsBottom + 32, "text-anchor": "middle" }, g);
    slots.push({ g, bg, cut, cutLabel, lossG, lossName, lossValue, units, stepText, charText, t: 0 });
  }
  chain.appendChild(forward);
  chain.appendChild(arcs);
  const hLayer = layers.indexOf("h"), cLayer = layers.indexOf("cell"), oLayer = layers.indexOf("o");
  const slotX = (k, li) => 4 + k * stepW + layerX(li) + CELL / 2;
  // Forward state arrows h(t-1) -> h(t) (and cell), below the strips; and the error arcs.
  // A state arrow joins two neighbouring slots, whatever their steps: drawn once.
  const yState = stripsBottom + 44;
  const stateArrow = (k, li, y, cls) => svg("path", k === 0 ? { class: cls, style: "display: none" }
    : { class: cls, d: `M${slotX(k - 1, li)},${y} L${slotX(k, li) - 4},${y}` }, forward);
  const errH = [], errC = [];
  for (let k = 0; k < visible; k++) {
    stateArrow(k, hLayer, yState, "ux-state");
    if (cLayer >= 0) stateArrow(k, cLayer, yState + 10, "ux-state ux-state-cell");
    errH.push(svg("path", { class: "ux-error", "data-kind": "error", "data-path": "h" }, arcs));
    if (cLayer >= 0) errC.push(svg("path", { class: "ux-error", "data-kind": "error", "data-path": "cell" }, arcs));
  }
  const readers = Object.fromEntries(layers.map((kind) => [kind, m.reader(kind)]));

  // the units' colour classes, inside the root: a notebook's output (a shadow root too) has them
  text(el("style", {}, root), FILL_RULES);
  const tooltip = el("div", { role: "tooltip", class: "ux-tooltip", id: "ux-tooltip", hidden: "" }, root);

  // Heatmaps: drawn once, pixels of the recorded values; markers show the selection.
  const maps = el("div", { class: "ux-maps" }, root);
  const heatFig = el("figure", { class: "ux-map" }, maps);
  text(el("figcaption", {}, heatFig), `h(t): ${m.H} units \u00d7 ${m.T} steps (blue \u22121, white 0, red +1); click to select`);
  const heatBox = el("div", { class: "ux-map-box ux-heat-box" }, heatFig);
  const heat = el("canvas", { class: "ux-heat", width: String(m.T), height: String(m.H),
    "aria-label": "activations heatmap" }, heatBox);
  const heatT = el("div", { class: "ux-mark ux-mark-col" }, heatBox);
  const heatU = el("div", { class: "ux-mark ux-mark-row" }, heatBox);
  const errFig = el("figure", { class: "ux-map" }, maps);
  text(el("figcaption", {}, errFig), `\u2016dL(s)/dh(t)\u2016, rows s, columns t, log scale ` +
    `${fmt(m.normLo, 2)} to ${fmt(m.normHi, 2)}; click to select a loss term`);
  const errBox = el("div", { class: "ux-map-box ux-err-box" }, errFig);
  const errMap = el("canvas", { class: "ux-errmap", width: String(m.T), height: String(m.T),
    "aria-label": "error map" }, errBox);
  const errT = el("div", { class: "ux-mark ux-mark-col" }, errBox);
  const errS = el("div", { class: "ux-mark ux-mark-row" }, errBox);
  const cutMarks = [];
  for (const w of m.windows.slice(1)) cutMarks.push(w.start);
  for (const box of [heatBox, errBox]) {
    for (const c of cutMarks) {
      el("div", { class: "ux-mark ux-mark-cut", style: `left:${((c - 1) / m.T) * 100}%` }, box);
    }
  }
  const legend = el("p", { class: "ux-legend" }, root);
  text(legend, "Hover or focus a unit for its recorded value and equation. Click a loss term L(s) " +
    "(or press Enter) to send its error back: one arrow per step, its width the recorded norm on " +
    "a log scale. Arrow keys move the scrubber, and between units of the chain.");

  const logNorm = (n) => {
    if (!(n > 0)) return 0;
    const u = (Math.log10(n) - Math.log10(m.normLo)) / (Math.log10(m.normHi) - Math.log10(m.normLo) || 1);
    return Math.max(0, Math.min(1, Number.isFinite(u) ? u : 1));
  };

  function drawHeatmaps() {
    const img = new ImageData(m.T, m.H);
    for (let t = 1; t <= m.T; t++) {
      for (let i = 0; i < m.H; i++) {
        const [r, g, b] = DIVERGING_RGB[level(m.h(t, i))];
        const p = (i * m.T + (t - 1)) * 4;
        img.data[p] = r; img.data[p + 1] = g; img.data[p + 2] = b; img.data[p + 3] = 255;
      }
    }
    showPixels(heat, img);
    const eimg = new ImageData(m.T, m.T);
    for (const w of m.windows) {
      for (let s = w.start; s <= w.stop; s++) {
        for (let t = w.start; t <= s; t++) {
          const n = m.norm(s, t);
          const [r, g, b] = Number.isFinite(n) ? SEQUENTIAL[Math.round(logNorm(n) * 255)] : [128, 128, 128];
          const p = ((s - 1) * m.T + (t - 1)) * 4;
          eimg.data[p] = r; eimg.data[p + 1] = g; eimg.data[p + 2] = b; eimg.data[p + 3] = 255;
        }
      }
    }
    showPixels(errMap, eimg);
  }

  // Drawing the selection -------------------------------------------------------------------
  const firstVisible = () => Math.max(1, Math.min(state.t - Math.floor(visible / 2), m.T - visible + 1));
  const unitPage = () => (m.H > ROWS ? Math.min(Math.floor(state.unit / ROWS) * ROWS, m.H - ROWS) : 0);
  function picked(values, n, rows, must) {
    // the `rows` largest of `values` (always `must`), shown in index order
    if (n <= rows) return Array.from({ length: n }, (_, k) => k);
    const idx = Array.from({ length: n }, (_, k) => k);
    idx.sort((p, q) => values(q) - values(p) || p - q);
    const chosen = idx.slice(0, rows);
    if (must !== null && !chosen.includes(must)) chosen[rows - 1] = must;
    return chosen.sort((p, q) => p - q);
  }

  function arcPath(x1, x2, y, up) {
    const lift = Math.min(34, 12 + Math.abs(x1 - x2) / 6) * (up ? -1 : 1);
    return `M${x1},${y} C${x1},${y + lift} ${x2},${y + lift} ${x2},${y}`;
  }

  function draw() {
    const t0 = firstVisible();
    const page = unitPage();
    const s = state.source;
    for (let k = 0; k < visible; k++) {
      const slot = slots[k], t = t0 + k, tText = String(t);
      slot.t = t;
      put(slot.g, "data-t", tText);
      slot.bg.classList.toggle("ux-selected", t === state.t);
      const w = m.win(t);
      const isCut = t === w.start && t > 1;
      slot.cut.style.display = isCut ? "" : "none";
      slot.cutLabel.style.display = isCut ? "" : "none";
      put(slot.lossG, "data-s", tText);
      put(slot.lossG, "data-t", tText);
      put(slot.lossG, "aria-pressed", s === t ? "true" : "false");
      put(slot.lossG, "aria-label", `loss term L(${t}) = ${fmt(m.loss(t))}`);
      slot.lossG.style.setProperty("--term", PALETTE[(t - 1) % PALETTE.length]);
      retext(slot.lossName, `L(${t})`);
      retext(slot.lossValue, fmt(m.loss(t), 3));
      retext(slot.stepText, `t = ${t}`);
      const target = m.targets[t - 1];
      retext(slot.charText, m.chars
        ? `'${showChar(m.char(t))}' \u2192 '${showChar(m.className(target))}'` : `y = ${target}`);
      let outIds = null; // o and yhat show the same classes
      for (const kind of layers) {
        const rects = slot.units[kind], read = readers[kind];
        const isOut = kind === "o" || kind === "yhat", isHidden = !isOut && kind !== "x";
        let ids = null; // hidden-sized layers: the page of units, page + r
        if (kind === "x") ids = picked((j) => Math.abs(m.x(t, j)), m.D, rects.length, null);
        else if (isOut) {
          ids = outIds || (outIds = picked((c) => m.yhat(t, c), m.K, rects.length, target));
        }
        for (let r = 0; r < rects.length; r++) {
          // only what changed is written: a scrub then costs one attribute and a class a unit
          const rect = rects[r], u = ids ? ids[r] : page + r, was = rect.ux || (rect.ux = {});
          if (was.t !== t) { rect.setAttribute("data-t", tText); was.t = t; }
          if (was.u !== u) { rect.setAttribute("data-unit", u); was.u = u; }
          const sel = (isHidden && u === state.unit) || (isOut && u === target);
          const cls = UNIT_CLASS[sel ? 1 : 0][level(read(t, u))];
          if (was.cls !== cls) { rect.setAttribute("class", cls); was.cls = cls; }
        }
      }
      const hx = slotX(k, hLayer);
      // error arrows of the selected loss term into h(t) (and cell(t))
      const nh = s === null ? null : m.norm(s, t, "h");
      const colour = s === null ? "" : PALETTE[(s - 1) % PALETTE.length];
      setArc(errH[k], nh, s, t, colour, t === s
        ? arcPath(slotX(k, oLayer), hx, TOP - 16, true)
        : arcPath(4 + (k + 1) * stepW + layerX(hLayer) + CELL / 2, hx, TOP - 16, true));
      if (cLayer >= 0) {
        const nc = s === null ? null : m.norm(s, t, "cell");
        const cx = slotX(k, cLayer), cy = stripsBottom + 66;
        setArc(errC[k], nc, s, t, colour, t === s ? arcPath(hx, cx, cy, false)
          : arcPath(4 + (k + 1) * stepW + layerX(cLayer) + CELL / 2, cx, cy, false));
      }
    }
    scrub.value = String(state.t);
    const target = m.targets[state.t - 1];
    retext(stepLabel, `t = ${state.t} / ${m.T}` + (m.chars
      ? `: '${showChar(m.char(state.t))}' \u2192 '${showChar(m.className(target))}'` : ""));
    if (unitsLabel) retext(unitsLabel, `units ${page}\u2013${page + ROWS - 1} of ${m.H}`);
    retext(sourceLabel, s === null ? "no loss term selected"
      : `errors of L(${s}) = ${fmt(m.loss(s))}`);
    const pct = (v, n) => `${(v / n) * 100}%`;
    heatT.style.left = pct(state.t - 1, m.T); heatT.style.width = pct(1, m.T);
    heatU.style.top = pct(state.unit, m.H); heatU.style.height = pct(1, m.H);
    errT.style.left = pct(state.t - 1, m.T); errT.style.width = pct(1, m.T);
    errS.style.display = s === null ? "none" : "";
    if (s !== null) { errS.style.top = pct(s - 1, m.T); errS.style.height = pct(1, m.T); }
    writeHash();
  }

  function setArc(path, norm, s, t, colour, d) {
    if (norm === null || norm === undefined) {
      path.style.display = "none";
      path.removeAttribute("data-source");
      path.removeAttribute("data-t");
      path.removeAttribute("data-norm");
      return;
    }
    path.style.display = "";
    put(path, "d", d);
    path.setAttribute("data-source", s);
    path.setAttribute("data-t", t);
    path.setAttribute("data-norm", String(norm));
    path.style.stroke = colour;
    path.style.strokeWidth = String(0.6 + 5.4 * logNorm(norm));
  }

  // The view in the URL hash ------------------------------------------------------------------
  let hashTimer = null;
  function hashText() {
    return `#t=${state.t}${state.source === null ? "" : `&source=${state.source}`}&unit=${state.unit}`;
  }
  function writeHash() {
    if (!useHash || hashTimer !== null) return;
    // debounced: a fast scrub must not flood the history API
    hashTimer = setTimeout(() => {
      hashTimer = null;
      if (location.hash !== hashText()) history.replaceState(null, "", hashText());
    }, 120);
  }
  function readHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    const int = (k) => (/^\d+$/.test(params.get(k) || "") ? Number(params.get(k)) : null);
    const t = int("t"), s = int("source"), u = int("unit");
    if (t !== null && t >= 1 && t <= m.T) state.t = t;
    state.source = s !== null && s >= 1 && s <= m.T ? s : null;
    if (u !== null && u < m.H) state.unit = u;
  }

  // Interaction -------------------------------------------------------------------------------
  const setT = (t) => { state.t = Math.max(1, Math.min(m.T, t)); draw(); };
  const toggleSource = (s) => { state.source = state.source === s ? null : s; draw(); };
  scrub.addEventListener("input", () => setT(Number(scrub.value)));
  prev.addEventListener("click", () => setT(state.t - 1));
  next.addEventListener("click", () => setT(state.t + 1));
  if (unitsPrev) {
    unitsPrev.addEventListener("click", () => { state.unit = Math.max(0, unitPage() - ROWS); draw(); });
    unitsNext.addEventListener("click", () => { state.unit = Math.min(m.H - 1, unitPage() + ROWS); draw(); });
  }
  const setTheme = (theme) => {
    root.dataset.theme = theme;
    themeButton.textContent = theme === "dark" ? "light theme" : "dark theme";
  };
  setTheme(root.dataset.theme);
  themeButton.addEventListener("click", () => setTheme(root.dataset.theme === "dark" ? "light" : "dark"));

  function showTooltip(rect) {
    const kind = rect.getAttribute("data-kind");
    const t = Number(rect.getAttribute("data-t")), u = Number(rect.getAttribute("data-unit"));
    tooltip.replaceChildren();
    const head = el("div", { class: "ux-tt-head" }, tooltip);
    text(el("span", { class: "ux-tt-name" }, head), unitName(kind, t, u));
    head.appendChild(document.createTextNode(" = "));
    text(el("span", { class: "value" }, head), fmt(m.value(kind, t, u)));
    for (const line of equation(m, kind, t, u)) text(el("div", { class: "ux-tt-line" }, tooltip), line);
    tooltip.hidden = false;
    place(rect);
  }
  function showLossTooltip(g) {
    const t = Number(g.getAttribute("data-s")), y = m.targets[t - 1];
    tooltip.replaceChildren();
    const head = el("div", { class: "ux-tt-head" }, tooltip);
    text(el("span", { class: "ux-tt-name" }, head), `L(${t})`);
    head.appendChild(document.createTextNode(" = "));
    text(el("span", { class: "value" }, head), fmt(m.loss(t)));
    text(el("div", { class: "ux-tt-line" }, tooltip),
      `L(${t}) = \u2212log yhat(${t})[y(${t})],  y(${t}) = ${y}${m.vocabulary ? ` '${showChar(m.className(y))}'` : ""}`);
    text(el("div", { class: "ux-tt-line" }, tooltip),
      `yhat(${t})[${y}] = ${fmt(m.yhat(t, y))}; click or press Enter to send its error back`);
    tooltip.hidden = false;
    place(g);
  }
  function place(target) {
    const r = target.getBoundingClientRect(), box = root.getBoundingClientRect();
    const left = Math.min(r.right - box.left + 8, Math.max(0, root.clientWidth - tooltip.offsetWidth - 4));
    tooltip.style.left = `${left}px`;
    tooltip.style.top = `${r.bottom - box.top + 6}px`;
  }
  const hide = () => { tooltip.hidden = true; };

  chain.addEventListener("pointerover", (e) => {
    const unit = e.target.closest("[data-kind]");
    if (!unit) return;
    if (unit.classList.contains("ux-unit")) showTooltip(unit);
    else if (unit.getAttribute("data-kind") === "loss") showLossTooltip(unit);
  });
  chain.addEventListener("pointerleave", hide);
  chain.addEventListener("focusin", (e) => {
    const unit = e.target.closest("[data-kind]");
    if (unit && unit.classList.contains("ux-unit")) showTooltip(unit);
    else if (unit && unit.getAttribute("data-kind") === "loss") showLossTooltip(unit);
  });
  chain.addEventListener("focusout", hide);
  chain.addEventListener("click", (e) => {
    const target = e.target.closest("[data-kind]");
    if (!target) return;
    const kind = target.getAttribute("data-kind");
    if (kind === "loss") toggleSource(Number(target.getAttribute("data-s")));
    else if (target.classList.contains("ux-unit")) {
      if (!["x", "o", "yhat"].includes(kind)) state.unit = Number(target.getAttribute("data-unit"));
      setT(Number(target.getAttribute("data-t")));
    }
  });
  // Keys in the chain: Enter or Space on a loss term; arrows move between units (a grid).
  let focusAt = { slot: 0, layer: hLayer, row: 0 };
  function focusUnit(slot, layer, row) {
    const k = Math.max(0, Math.min(visible - 1, slot));
    const li = Math.max(0, Math.min(layers.length - 1, layer));
    const rects = slots[k].units[layers[li]];
    const r = Math.max(0, Math.min(rects.length - 1, row));
    for (const s of slots) for (const kind of layers) for (const rect of s.units[kind]) rect.setAttribute("tabindex", "-1");
    rects[r].setAttribute("tabindex", "0");
    focusAt = { slot: k, layer: li, row: r };
    rects[r].focus();
  }
  slots[0].units.h[0].setAttribute("tabindex", "0");
  chain.addEventListener("keydown", (e) => {
    const target = e.target.closest("[data-kind]");
    if (!target) return;
    if (target.getAttribute("data-kind") === "loss") {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        toggleSource(Number(target.getAttribute("data-s")));
      }
      return;
    }
    const moves = { ArrowUp: [0, 0, -1], ArrowDown: [0, 0, 1], ArrowLeft: [0, -1, 0], ArrowRight: [0, 1, 0] };
    if (!(e.key in moves)) return;
    e.preventDefault();
    let { slot, layer, row } = focusAt;
    const [, dl, dr] = moves[e.key];
    layer += dl; row += dr;
    if (layer < 0) { slot -= 1; layer = layers.length - 1; }
    if (layer >= layers.length) { slot += 1; layer = 0; }
    focusUnit(slot, layer, row);
  });
  // Arrow keys anywhere else on the page move the scrubber (the file only, not a notebook).
  if (useHash) {
    const onKey = (e) => {
      if (e.target !== document.body && e.target !== document.documentElement) return;
      if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
        e.preventDefault();
        setT(state.t + (e.key === "ArrowLeft" ? -1 : 1));
      }
    };
    const onHash = () => { if (location.hash !== hashText()) { readHash(); draw(); } };
    document.addEventListener("keydown", onKey);
    window.addEventListener("hashchange", onHash);
    cleanups.push(() => document.removeEventListener("keydown", onKey),
      () => window.removeEventListener("hashchange", onHash));
  }
  const pick = (canvas, e) => {
    const r = canvas.getBoundingClientRect();
    return [(e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height];
  };
  heat.addEventListener("click", (e) => {
    const [fx, fy] = pick(heat, e);
    state.unit = Math.max(0, Math.min(m.H - 1, Math.floor(fy * m.H)));
    setT(Math.floor(fx * m.T) + 1);
  });
  errMap.addEventListener("click", (e) => {
    const [fx, fy] = pick(errMap, e);
    const s = Math.max(1, Math.min(m.T, Math.floor(fy * m.T) + 1));
    const t = Math.max(1, Math.min(s, Math.floor(fx * m.T) + 1));
    state.source = s;
    setT(t);
  });

  if (useHash) readHash();
  drawHeatmaps();
  draw();
  root.dataset.ready = "true";
  root.dataset.readyMs = String(performance.now() - started); // drawing the page
  root.dataset.shownAt = String(performance.now()); // since the page started loading
  return () => {
    for (const c of cleanups) c();
    if (hashTimer !== null) clearTimeout(hashTimer);
  };
}

// The notebook widget (anywidget): the same page inside the output cell.
function render({ model, el: root }) {
  const draw = () => mount(root, JSON.parse(model.get("data")), { hash: false, theme: model.get("theme") });
  let cleanup = draw();
  const redraw = () => { cleanup(); cleanup = draw(); };
  model.on("change:data", redraw);
  model.on("change:theme", redraw);
  return () => cleanup();
}

export default { render };
