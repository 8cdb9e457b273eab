// The model, read from the page's data: the recorded arrays of every step, the windows of a
// truncated run (their parameters, initial states and error norms), and what the cell declares
// (its gates, its states, the sums its values are written as). Pure: no DOM.

import { decode } from "./arrays.js";

/** One window of the run: its steps, parameters, states before its first step, error norms. */
function windowOf(w, states) {
  const params = {}, initial = {}, norms = {};
  for (const [k, v] of Object.entries(w.params)) params[k] = decode(v);
  for (const path of states) {
    // h's blocks are `h0` and `norms`; another state's `<state>0` and `<state>_norms`
    initial[path] = decode(w[`${path}0`]);
    norms[path] = decode(path === "h" ? w.norms : w[`${path}_norms`]);
  }
  return { start: w.start, stop: w.stop, params, initial, norms };
}

/**
 * The bands of the page's data: one per layer direction of a network (each read with the
 * head's arrays beside its own), or the page's data itself for a one-layer trace.
 */
export function bandsOf(data) {
  if (!data.bands) return [new Model(data)];
  const bands = data.bands.map((b) => new Model({ ...data, ...b, arrays: { ...data.arrays, ...b.arrays } }));
  // one log scale for every band's arrows, so widths compare across layers
  const lo = Math.min(...bands.map((b) => b.normLo)), hi = Math.max(...bands.map((b) => b.normHi));
  for (const b of bands) { b.normLo = Math.max(lo, hi * 1e-12); b.normHi = hi; }
  return bands;
}

export class Model {
  constructor(data) {
    this.cellTitle = data.cell_title;
    this.shape = data.shape || null; // "2-layer bidirectional": a network's, said in words
    this.label = data.label || null; // the band's name: "layer 2 of 2, backward (...)"
    this.parts = data.parts || null; // what reaches the band's h from outside its recurrence
    this.inputs = data.inputs || null; // what a band above the first reads, in words
    this.hasHead = data.head !== false; // the head (o, yhat, the loss terms) reads this band
    this.back = data.reads === "backward"; // its recurrence runs from the end of the sequence
    this.featuresName = data.features_name || "h";
    this.T = data.T;
    this.H = data.H;
    this.D = data.D;
    this.K = data.K;
    this.gates = data.gates;
    this.G = data.gates.length;
    this.states = data.states || ["h"];
    this.others = this.states.filter((s) => s !== "h"); // drawn beside h, errors along them too
    this.equations = data.equations || {};
    this.vocabulary = data.vocabulary;
    this.classes = data.classes || data.vocabulary; // the head's classes' names
    this.chars = data.chars;
    this.targets = data.targets;
    this.title = data.title;
    this.a = {};
    for (const [k, v] of Object.entries(data.arrays)) this.a[k] = decode(v);
    // the steps where the head has a row (its o, yhat, loss, target): every step by default
    this.sources = data.loss_steps || Array.from({ length: this.T }, (_, k) => k + 1);
    this.rowOf = new Int32Array(this.T + 2).fill(-1);
    this.sources.forEach((t, k) => { this.rowOf[t] = k; });
    this.windows = data.windows.map((w) => windowOf(w, this.states));
    this.windowIndex = new Int32Array(this.T + 1);
    this.windows.forEach((w, k) => {
      for (let t = w.start; t <= w.stop; t++) this.windowIndex[t] = k;
      w.firstRow = this.sources.findIndex((s) => s >= w.start); // the window's first head row
    });
    let lo = Infinity, hi = 0;
    for (const w of this.windows) {
      for (const arr of Object.values(w.norms)) {
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
  className(k) { return this.classes ? this.classes[k] : null; }
  /** The head's row at step t, or null where it has none (one label: before the last step). */
  row(t) { const r = this.rowOf[t]; return r >= 0 ? r : null; }
  /** The target at step t, or null where the head has no row. */
  target(t) { const r = this.row(t); return r === null ? null : this.targets[r]; }
  /** The step before t in this band's reading order (after it, for a backward band). */
  prev(t) { return this.back ? t + 1 : t - 1; }
  /** The step after t in this band's reading order, or null past its window's end. */
  next(t) {
    const w = this.win(t), n = this.back ? t - 1 : t + 1;
    return n >= w.start && n <= w.stop ? n : null;
  }
  /** Entry u of recorded `array` at step t (of gate block `block` for a (T, G, H) array). */
  read(array, t, u, block = null) {
    const a = this.a[array], row = a.length / this.T;
    return a[(t - 1) * row + (block === null ? 0 : block * a.shape[2]) + u];
  }
  /** State `name` at the step before t in the band's reading order (t + 1 for a band that
   * reads backward): a window's first step reads the state it started from. */
  before(name, t, u) {
    const w = this.win(t);
    return t === (this.back ? w.stop : w.start) ? w.initial[name][u] : this.read(name, this.prev(t), u);
  }
  x(t, j) { return this.a.x[(t - 1) * this.D + j]; }
  h(t, i) { return this.a.h[(t - 1) * this.H + i]; }
  hPrev(t, i) { return this.before("h", t, i); }
  gate(t, g, i) { return this.a.gates[((t - 1) * this.G + g) * this.H + i]; }
  o(t, k) { return this.a.o[this.row(t) * this.K + k]; }
  yhat(t, k) { return this.a.yhat[this.row(t) * this.K + k]; }
  loss(t) { return this.a.loss[this.row(t)]; }
  /** Entry j of what the head reads at step t (h for a one-layer trace), and its width. */
  feature(t, j) {
    return this.a.features ? this.a.features[this.row(t) * this.featureWidth + j] : this.h(t, j);
  }
  get featureWidth() { return this.a.features ? this.a.features.shape[1] : this.H; }
  /** The recorded ||dL(s)/d<path>(t)|| (path "h", or another state); null across a cut, or
   * where the norms (a one-layer trace's lower triangle) leave it out. */
  norm(s, t, path = "h") {
    const w = this.win(s);
    const arr = w.norms[path];
    if (!arr || t < w.start || t > w.stop || this.row(s) === null) return null;
    if (arr.shape.length === 2) { // (S, T) whole: a network's terms reach later steps too
      return arr[(this.row(s) - w.firstRow) * arr.shape[1] + t - w.start];
    }
    if (t > s) return null;
    const i = s - w.start, j = t - w.start;
    return arr[(i * (i + 1)) / 2 + j];
  }
  /** Where a norm sits between the smallest and largest recorded, on a log scale: 0..1. */
  logNorm(n) {
    if (!(n > 0)) return 0;
    const lo = Math.log10(this.normLo);
    const u = (Math.log10(n) - lo) / (Math.log10(this.normHi) - lo || 1);
    return Math.max(0, Math.min(1, Number.isFinite(u) ? u : 1));
  }
  /** The value a unit of `kind` holds at step t. */
  value(kind, t, u) { return this.reader(kind)(t, u); }
  /** `(t, u) => value`: the values of a layer, the layer looked up once (a redraw reads
   * hundreds of units). */
  reader(kind) {
    switch (kind) {
      case "x": return (t, u) => this.x(t, u);
      case "h": return (t, u) => this.h(t, u);
      case "o": return (t, u) => this.o(t, u);
      case "yhat": return (t, u) => this.yhat(t, u);
      default: {
        if (!kind.startsWith("gate-")) return (t, u) => this.read(kind, t, u); // a state
        const g = this.gates.indexOf(kind.slice(5));
        return (t, u) => this.gate(t, g, u);
      }
    }
  }
}
