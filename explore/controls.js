// The page's header and controls (the scrubber, the unit pages, the selected loss term), and
// the tooltip of a unit or a loss term.

import { el, text, retext } from "./dom.js";
import { fmt, showChar } from "./format.js";
import { ROWS, unitPage } from "./chain.js";
import { equation, unitName } from "./equations.js";

/** The title, what the trace is, and the theme switch. */
export function buildHeader(root, m) {
  const header = el("header", { class: "ux-header" }, root);
  text(el("h1", {}, header), m.title);
  const totalLoss = Array.from(m.a.loss).reduce((s, v) => s + v, 0);
  text(el("p", { class: "ux-meta" }, header),
    `${m.cellTitle}${m.shape ? ` (${m.shape})` : ""}: ${m.T} steps, ${m.H} hidden units, ` +
    `${m.D} inputs, ${m.K} classes${m.windows.length > 1 ? `, ${m.windows.length} windows (truncated BPTT)` : ""}; ` +
    `loss L = ${fmt(totalLoss)} (sum of the recorded L(t))`);
  // its name is its visible text ("light theme"), so a speech user can say what they see
  return el("button", { type: "button", class: "ux-theme", title: "switch the page's theme" }, header);
}

/** The scrubber and its buttons, the unit pages of a wide layer, the selected term's label. */
export function buildControls(root, m) {
  const controls = el("div", { class: "ux-controls" }, root);
  const button = (label, glyph) => text(el("button", { type: "button", "aria-label": label }, controls), glyph);
  const c = { prev: button("previous step", "\u25c0") };
  c.scrub = el("input", { type: "range", min: "1", max: String(m.T), step: "1", value: "1",
    "aria-label": "time step" }, controls);
  c.next = button("next step", "\u25b6");
  c.stepLabel = el("output", { class: "ux-step", "aria-live": "polite" }, controls);
  if (m.H > ROWS) {
    c.unitsPrev = button("previous units", "\u25b2");
    c.unitsLabel = el("span", { class: "ux-units" }, controls);
    c.unitsNext = button("next units", "\u25bc");
  }
  c.sourceLabel = el("span", { class: "ux-source" }, controls);
  return c;
}

/** The controls' values and labels for the selection `state`. */
export function drawControls(c, m, state) {
  const s = state.source, target = m.target(state.t);
  c.scrub.value = String(state.t);
  const to = target === null ? "" : ` \u2192 '${showChar(m.className(target))}'`;
  retext(c.stepLabel, `t = ${state.t} / ${m.T}` + (m.chars ? `: '${showChar(m.char(state.t))}'${to}` : ""));
  if (c.unitsLabel) {
    const page = unitPage(m, state);
    retext(c.unitsLabel, `units ${page}\u2013${page + ROWS - 1} of ${m.H}`);
  }
  retext(c.sourceLabel, s === null ? "no loss term selected" : `errors of L(${s}) = ${fmt(m.loss(s))}`);
}

/** A band's caption: its name, and what reaches its h from outside its recurrence. */
export function bandCaption(root, m) {
  return text(el("p", { class: "ux-band" }, root),
    `${m.label}. Its error dL/dh(t) comes ${m.parts.join(" and ")}.`);
}

/** The tooltip's head, `name = value`, its lines after it. */
function fill(tooltip, name, value, lines) {
  tooltip.replaceChildren();
  const head = el("div", { class: "ux-tt-head" }, tooltip);
  text(el("span", { class: "ux-tt-name" }, head), name);
  head.appendChild(document.createTextNode(" = "));
  text(el("span", { class: "value" }, head), value);
  for (const line of lines) {
    // a term's line carries its value: the terms add up to the recorded total
    const attrs = line.term === undefined ? { class: "ux-tt-line" }
      : { class: "ux-tt-line ux-tt-term", "data-term": String(line.term) };
    text(el("div", attrs, tooltip), line.text);
  }
  tooltip.hidden = false;
}

/** Unit `rect`'s recorded value and its equation with the numbers put in. */
export function unitTooltip(tooltip, m, rect) {
  const kind = rect.getAttribute("data-kind");
  const t = Number(rect.getAttribute("data-t")), u = Number(rect.getAttribute("data-unit"));
  fill(tooltip, unitName(kind, t, u), fmt(m.value(kind, t, u)), equation(m, kind, t, u));
}

/** Loss term `g`'s recorded value, its target, and what a click does. */
export function lossTooltip(tooltip, m, g) {
  const t = Number(g.getAttribute("data-s")), y = m.target(t);
  fill(tooltip, `L(${t})`, fmt(m.loss(t)), [
    { text: `L(${t}) = \u2212log yhat(${t})[y(${t})],  y(${t}) = ${y}${m.classes ? ` '${showChar(m.className(y))}'` : ""}` },
    { text: `yhat(${t})[${y}] = ${fmt(m.yhat(t, y))}; click or press Enter to send its error back` },
  ]);
}
