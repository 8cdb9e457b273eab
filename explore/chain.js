// The unfolded chain: a fixed pool of slots, one per visible step, refilled on every move. A
// slot holds the step's loss term and a strip of units per layer (x, the gates, the states
// beyond h, h, o, yhat); below the strips, the forward arrows of every state and the error
// arcs of the selected loss term, one per state the cell carries. A network draws one chain
// per layer direction (a band): the head's strips and loss terms in the band it reads, the
// recurrent arrows of a band that reads backward pointing from the end. Colour is not the
// arcs' only cue: the first arc (down from the term's output) carries the term's name, and a
// term whose colour an earlier one has (PALETTE repeats) is dashed, one more dash a group
// each round.

import { svg, text, put, retext } from "./dom.js";
import { fmt, showChar, level, PALETTE, UNIT_CLASS } from "./format.js";

export const ROWS = 32; // units of a hidden-sized layer drawn per step (a page of units)
const OUT_ROWS = 10; // classes of o and yhat (and inputs of x) drawn per step when there are more
const CELL = 11; // a unit's square, in SVG units
const PITCH = 13; // distance between units of a strip
const STRIP_GAP = 5;
const TOP = 86; // strips start below the loss terms and the error arcs of h
const STATE_GAP = 26; // below the strips: room for each further state's error arcs

/** The strips of a step, in order: x, the gates, the states beyond h, h, o, yhat. */
export function layersOf(m) {
  return ["x", ...m.gates.map((g) => `gate-${g}`), ...m.others, "h", ...(m.hasHead ? ["o", "yhat"] : [])];
}

/** A strip's label: a gate's name, a state's first letter when its name is long. */
export function layerLabel(kind) {
  if (kind.startsWith("gate-")) return kind.slice(5);
  if (kind === "yhat") return "\u0177";
  return kind.length > 2 ? kind[0] : kind;
}

/** The first unit of the page of units that holds the selected one. */
export const unitPage = (m, state) =>
  (m.H > ROWS ? Math.min(Math.floor(state.unit / ROWS) * ROWS, m.H - ROWS) : 0);

/** The steps drawn: `visible` of them around the selected one, within 1..T. */
export const firstVisible = (m, state, visible) =>
  Math.max(1, Math.min(state.t - Math.floor(visible / 2), m.T - visible + 1));

/** The `rows` largest of `values` (always `must`), shown in index order. */
export function picked(values, n, rows, must) {
  if (n <= rows) return Array.from({ length: n }, (_, k) => k);
  const idx = Array.from({ length: n }, (_, k) => k);
  idx.sort((p, q) => values(q) - values(p) || p - q);
  const chosen = idx.slice(0, rows);
  if (must !== null && !chosen.includes(must)) chosen[rows - 1] = must;
  return chosen.sort((p, q) => p - q);
}

/** A recurrent arrow from x1 to x2 at height y, its head at x2 (either way). */
export function statePath(x1, x2, y) {
  const back = x2 > x1 ? -4 : 4;
  return `M${x1},${y} L${x2},${y} M${x2 + back},${y - 3} L${x2},${y} L${x2 + back},${y + 3}`;
}

/** An error that reaches h at x from outside the band's recurrence: down from above it. */
export const fromAbove = (x) => `M${x},6 C${x - 8},${TOP / 2} ${x - 8},${TOP / 2} ${x},${TOP - 4}`;

/** An error arc from x1 to x2 at height y, bowed up (into h) or down (into a state below). */
export function arcPath(x1, x2, y, up) {
  const lift = Math.min(34, 12 + Math.abs(x1 - x2) / 6) * (up ? -1 : 1);
  return `M${x1},${y} C${x1},${y + lift} ${x2},${y + lift} ${x2},${y}`;
}

function buildSlot(c, chain, k, layers, rowsOf) {
  const { stepW, height, stripsBottom, layerX } = c;
  const g = svg("g", { class: "ux-slot", transform: `translate(${4 + k * stepW},0)` }, chain);
  const bg = svg("rect", { class: "ux-slot-bg", x: 2, y: 2, width: stepW - 4, height: height - 4, rx: 6 }, g);
  const cut = svg("line", { class: "ux-cut", x1: 0, x2: 0, y1: 4, y2: height - 4 }, g);
  const cutLabel = text(svg("text", { class: "ux-cut-label", x: 3, y: height - 8 }, g), "cut");
  let lossG = null, lossName = null, lossValue = null;
  if (c.m.hasHead) { // the loss terms sit above the band the head reads
    lossG = svg("g", { "data-kind": "loss", tabindex: "0", role: "button", class: "ux-loss" }, g);
    const lossX = stepW / 2;
    svg("circle", { cx: lossX, cy: 22, r: 15 }, lossG);
    // two lines of one text, a space between them: read together they are the start of the
    // circle's name (aria-label), as a speech user would say them
    const lossText = svg("text", { "text-anchor": "middle" }, lossG);
    lossName = svg("tspan", { x: lossX, y: 19, class: "ux-loss-name" }, lossText);
    lossText.appendChild(document.createTextNode(" "));
    lossValue = svg("tspan", { x: lossX, y: 31, class: "ux-loss-value" }, lossText);
  }
  const units = {};
  layers.forEach((kind, li) => {
    const x = layerX(li);
    text(svg("text", { class: "ux-layer-label", x: x + CELL / 2, y: TOP - 5, "text-anchor": "middle" }, g),
      layerLabel(kind));
    units[kind] = [];
    for (let r = 0; r < rowsOf(kind); r++) {
      units[kind].push(svg("rect", { class: "ux-unit", "data-kind": kind, x, y: TOP + r * PITCH,
        width: CELL, height: CELL, tabindex: "-1" }, g));
    }
  });
  const stepText = svg("text", { class: "ux-step-label", x: stepW / 2, y: stripsBottom + 16, "text-anchor": "middle" }, g);
  const charText = svg("text", { class: "ux-char", x: stepW / 2, y: stripsBottom + 32, "text-anchor": "middle" }, g);
  return { g, bg, cut, cutLabel, lossG, lossName, lossValue, units, stepText, charText, t: 0 };
}

/** The chain's SVG in `root` and everything a redraw writes to; `strips`, the most strips of
 * any band of the page, so that every band's steps have one width and stand in one column. */
export function buildChain(root, m, strips = layersOf(m).length) {
  const layers = layersOf(m);
  const rowsOf = (kind) => (kind === "x" ? Math.min(m.D, ROWS)
    : kind === "o" || kind === "yhat" ? Math.min(m.K, OUT_ROWS) : Math.min(m.H, ROWS));
  const visible = Math.min(m.T, m.G === 0 ? 9 : 7);
  const stepW = Math.max(strips, layers.length) * (PITCH + STRIP_GAP) + 26;
  const stripsBottom = TOP + Math.max(...layers.map(rowsOf)) * PITCH;
  const height = stripsBottom + 66 + STATE_GAP * m.others.length;
  const name = "the unfolded chain around the selected step";
  const svgRoot = svg("svg", { class: "ux-chain", viewBox: `0 0 ${visible * stepW + 8} ${height}`,
    role: "group", "aria-label": m.label ? `${m.label}: ${name}` : name }, root);
  if (m.label) svgRoot.setAttribute("data-band", m.label);
  const layerX = (li) => 14 + li * (PITCH + STRIP_GAP);
  const c = { m, layers, visible, stepW, height, stripsBottom, layerX, svg: svgRoot, slots: [] };
  c.slotX = (k, li) => 4 + k * stepW + layerX(li) + CELL / 2;
  const arcs = svg("g", { class: "ux-arcs" }, null);
  const forward = svg("g", { class: "ux-forward" }, null);
  for (let k = 0; k < visible; k++) c.slots.push(buildSlot(c, svgRoot, k, layers, rowsOf));
  svgRoot.appendChild(forward);
  svgRoot.appendChild(arcs);
  // Forward state arrows h(t-1) -> h(t) (and the other states'), below the strips; and the
  // error arcs. A state arrow joins two neighbouring slots, whatever their steps: drawn once.
  const yState = stripsBottom + 44;
  // from the step before in the band's reading order: from the right when it reads backward
  const stateArrow = (k, li, y, cls) => svg("path", k === 0 ? { class: cls, style: "display: none" }
    : { class: cls, d: m.back ? statePath(c.slotX(k, li), c.slotX(k - 1, li) + 4, y)
      : statePath(c.slotX(k - 1, li), c.slotX(k, li) - 4, y) }, forward);
  c.errors = Object.fromEntries(m.states.map((p) => [p, []]));
  c.names = [];
  for (let k = 0; k < visible; k++) {
    c.names.push(svg("text", { class: "ux-error-name", "data-kind": "error-name",
      "text-anchor": "middle", style: "display: none" }, arcs));
    m.states.forEach((p, i) => {
      if (p === "h") stateArrow(k, layers.indexOf("h"), yState, "ux-state");
      else stateArrow(k, layers.indexOf(p), yState + 10 * i, "ux-state ux-state-other");
    });
    for (const p of m.states) {
      c.errors[p].push(svg("path", { class: "ux-error", "data-kind": "error", "data-path": p }, arcs));
    }
  }
  c.readers = Object.fromEntries(layers.map((kind) => [kind, m.reader(kind)]));
  return c;
}

function setArc(c, path, norm, s, t, colour, d) {
  // none where the term's error cannot reach (a cut, a later step, a direction it never reads)
  if (norm === null || norm === undefined || norm === 0) {
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
  path.style.strokeWidth = String(0.6 + 5.4 * c.m.logNorm(norm));
  path.style.strokeDasharray = termDashes(s);
  path.style.strokeLinecap = termDashes(s) ? "butt" : ""; // round caps would fill the gaps
}

/** The dashes of loss term s's arcs: none for the palette's first round, then dashes in
 * groups as many as the round ("5 10", "5 3 5 10", ...), so that two terms of one colour
 * never look alike. */
export function termDashes(s) {
  const round = Math.floor((s - 1) / PALETTE.length);
  return round === 0 ? "" : `${"5 3 ".repeat(round - 1)}5 10`;
}

/** A slot's units of every layer at step t: only what changed is written. */
function drawUnits(c, slot, state, t, page) {
  const m = c.m, tText = String(t), target = m.target(t), headless = m.row(t) === null;
  let outIds = null; // o and yhat show the same classes
  for (const kind of c.layers) {
    const rects = slot.units[kind], read = c.readers[kind];
    const isOut = kind === "o" || kind === "yhat", isHidden = !isOut && kind !== "x";
    if (isOut) { // the head has no output at this step (one label: before the last)
      for (const rect of rects) {
        put(rect, "display", headless ? "none" : "inline");
        if (headless && rect.ux.t !== null) { rect.removeAttribute("data-t"); rect.ux.t = null; }
      }
      if (headless) continue;
    }
    let ids = null; // hidden-sized layers: the page of units, page + r
    if (kind === "x") ids = picked((j) => Math.abs(m.x(t, j)), m.D, rects.length, null);
    else if (isOut) ids = outIds || (outIds = picked((k) => m.yhat(t, k), m.K, rects.length, target));
    for (let r = 0; r < rects.length; r++) {
      // a scrub then costs one attribute and a class a unit
      const rect = rects[r], u = ids ? ids[r] : page + r, was = rect.ux || (rect.ux = {});
      if (was.t !== t) { rect.setAttribute("data-t", tText); was.t = t; }
      if (was.u !== u) { rect.setAttribute("data-unit", u); was.u = u; }
      const sel = (isHidden && u === state.unit) || (isOut && u === target);
      const cls = UNIT_CLASS[sel ? 1 : 0][level(read(t, u))];
      if (was.cls !== cls) { rect.setAttribute("class", cls); was.cls = cls; }
    }
  }
}

/**
 * The error arcs of the selected loss term into slot k's states, one per path. An arc comes
 * from the next step of the band's reading order where the error reached that step; else from
 * outside the recurrence: h's from the output (or from above, in a band without one), another
 * state's from h.
 */
function drawArcs(c, k, s, t) {
  const { m, layers, stepW, layerX, slotX, stripsBottom } = c;
  const colour = s === null ? "" : PALETTE[(s - 1) % PALETTE.length];
  const hLayer = layers.indexOf("h"), hx = slotX(k, hLayer);
  const tn = m.next(t), kn = m.back ? k - 1 : k + 1; // the next step, and its slot
  const next = (li) => 4 + kn * stepW + layerX(li) + CELL / 2;
  // the term's name where its errors start: over the arc from its output, in the head's band
  const name = c.names[k], starts = s !== null && t === s && m.hasHead;
  name.style.display = starts ? "" : "none";
  if (starts) { // over the top of the first arc, from o down into h
    const ox = slotX(k, layers.indexOf("o"));
    put(name, "x", String((ox + hx) / 2));
    put(name, "y", String(TOP - 32 - Math.abs(ox - hx) / 8));
    retext(name, `L(${s})`);
  }
  m.states.forEach((p, i) => {
    const norm = s === null ? null : m.norm(s, t, p);
    const fromNext = s !== null && tn !== null && m.norm(s, tn, p) > 0;
    if (p === "h") {
      const outside = m.hasHead ? arcPath(slotX(k, layers.indexOf("o")), hx, TOP - 16, true) : fromAbove(hx);
      setArc(c, c.errors.h[k], norm, s, t, colour,
        fromNext ? arcPath(next(hLayer), hx, TOP - 16, true) : outside);
      return;
    }
    const li = layers.indexOf(p), x = slotX(k, li), y = stripsBottom + 66 + STATE_GAP * (i - 1);
    setArc(c, c.errors[p][k], norm, s, t, colour,
      fromNext ? arcPath(next(li), x, y, false) : arcPath(hx, x, y, false));
  });
}

/** A slot's loss term at step t (none where the head has no row). */
function drawLoss(slot, m, s, t) {
  const tText = String(t), none = m.row(t) === null;
  put(slot.lossG, "display", none ? "none" : "inline");
  if (none) return;
  put(slot.lossG, "data-s", tText);
  put(slot.lossG, "data-t", tText);
  put(slot.lossG, "aria-pressed", s === t ? "true" : "false");
  // the name starts with what the circle shows, then says it in full
  put(slot.lossG, "aria-label",
    `L(${t}) ${fmt(m.loss(t), 3)}: the loss term L(${t}) = ${fmt(m.loss(t))}`);
  slot.lossG.style.setProperty("--term", PALETTE[(t - 1) % PALETTE.length]);
  retext(slot.lossName, `L(${t})`);
  retext(slot.lossValue, fmt(m.loss(t), 3));
}

/** Refill every slot for the selection `state` ({t, source, unit}). */
export function drawChain(c, state) {
  const m = c.m, t0 = firstVisible(m, state, c.visible), page = unitPage(m, state);
  const s = state.source;
  for (let k = 0; k < c.visible; k++) {
    const slot = c.slots[k], t = t0 + k, tText = String(t);
    slot.t = t;
    put(slot.g, "data-t", tText);
    slot.bg.classList.toggle("ux-selected", t === state.t);
    const isCut = t === m.win(t).start && t > 1;
    slot.cut.style.display = isCut ? "" : "none";
    slot.cutLabel.style.display = isCut ? "" : "none";
    if (slot.lossG) drawLoss(slot, m, s, t);
    retext(slot.stepText, `t = ${t}`);
    const y = m.target(t), to = y === null ? "" : m.chars ? ` \u2192 '${showChar(m.className(y))}'` : `y = ${y}`;
    retext(slot.charText, m.chars ? `'${showChar(m.char(t))}'${to}` : to);
    drawUnits(c, slot, state, t, page);
    drawArcs(c, k, s, t);
  }
}
