// A unit's equation with the recorded numbers put in, written from what the cell declares
// (the page's `equations`: each gate and state as terms adding up to a recorded total). Pure:
// no DOM. A line is `{text}`; a term's line also carries `term`, the term's value, so that the
// terms can be checked to add up to the recorded total.

import { fmt, showChar } from "./format.js";

const TERMS = 6; // products written out in a matrix term; the rest are counted
const FUNCTIONS = {
  tanh: (s) => `tanh(${s})`,
  sigmoid: (s) => `\u03c3(${s})`,
  relu: (s) => `max(0, ${s})`,
};
const OPS = { // a factor's value from the recorded one, and how it is written
  "1-": [(v) => 1 - v, (s) => `(1 \u2212 ${s})`],
  tanh: [(v) => Math.tanh(v), (s) => `tanh(${s})`],
};

/** How a unit is named: `h(3)[0]`, `f(3)[0]` for gate f. */
export function unitName(kind, t, u) {
  return `${kind.startsWith("gate-") ? kind.slice(5) : kind}(${t})[${u}]`;
}

/** Up to TERMS products `M[row, j] v[j]` of a sum, largest first, then the rest counted. */
export function products(M, row, cols, vec, label, vecLabel, shownRow = row) {
  const items = [];
  for (let j = 0; j < cols; j++) {
    const w = M[row * cols + j], v = vec(j);
    if (v !== 0) items.push([Math.abs(w * v), j, w, v]);
  }
  items.sort((p, q) => q[0] - p[0] || p[1] - q[1]);
  const lines = items.slice(0, TERMS).map(([, j, w, v]) => ({
    text: `  + ${label}[${shownRow}, ${j}] \u00b7 ${vecLabel}[${j}] = ${fmt(w, 4)} \u00d7 ${fmt(v, 4)}`,
    term: w * v,
  }));
  const zeros = cols - items.length;
  if (items.length > TERMS) {
    const rest = items.slice(TERMS).reduce((s, [, , w, v]) => s + w * v, 0);
    lines.push({ text: `  + ${items.length - TERMS} more terms`, term: rest });
  }
  if (zeros > 0) lines.push({ text: `  (${zeros} terms with ${vecLabel}[j] = 0)` });
  return lines;
}

/** A factor's name at step t (`f(3)`, `cell(2)`, `b_if`), before its unit index; a state of
 * the step before is at t + 1 for a band that reads backward. */
function named(m, f, t) {
  return "param" in f ? f.shown : `${f.shown}(${f.lag ? m.prev(t) : t})`;
}

/** A recorded factor's value at (t, u): a parameter's entry or a recorded array's. */
function factorValue(m, f, t, u) {
  if ("param" in f) return m.win(t).params[f.param][(f.block === null ? 0 : f.block * m.H) + u];
  return f.lag ? m.before(f.array, t, u) : m.read(f.array, t, u, f.block);
}

/** A term of factors: `  + f(3)[0] · cell(2)[0] = 0.7311 × 0.1234`, and its value. */
function factorLine(m, factors, t, u) {
  const names = [], numbers = [];
  let value = 1;
  for (const f of factors) {
    const v = factorValue(m, f, t, u);
    const [apply, write] = f.op ? OPS[f.op] : [(x) => x, (s) => s];
    names.push(write(`${named(m, f, t)}[${u}]`));
    numbers.push(write(fmt(v, 4)));
    value *= apply(v);
  }
  return { text: `  + ${names.join(" \u00b7 ")} = ${numbers.join(" \u00d7 ")}`, term: value };
}

/** A term as the equation's first line writes it: `W_hf h(2)`, `f(3) ⊙ cell(2)`. */
function termName(m, term, t) {
  if (term.matrix) return `${term.matrix.shown} ${named(m, term.vector, t)}`;
  return term.factors.map((f) => (f.op ? OPS[f.op][1](named(m, f, t)) : named(m, f, t))).join(" \u2299 ");
}

/** The lines of a gate's or state's declared sum at (t, u). */
export function sumLines(m, kind, eq, t, u) {
  const total = eq.total, name = kind.startsWith("gate-") ? kind.slice(5) : kind;
  const head = `${total.shown}(${t}) = ${eq.terms.map((term) => termName(m, term, t)).join(" + ")}`;
  const then = eq.fn ? `,  ${name}(${t}) = ${FUNCTIONS[eq.fn](`${total.shown}(${t})`)}` : "";
  const lines = [{ text: head + then }];
  for (const term of eq.terms) {
    if (!term.matrix) { lines.push(factorLine(m, term.factors, t, u)); continue; }
    const M = term.matrix, v = term.vector, p = m.win(t).params[M.param];
    const cols = p.shape[1], row = (M.block === null ? 0 : M.block * m.H) + u;
    const vec = (j) => (v.lag ? m.before(v.array, t, j) : m.read(v.array, t, j));
    lines.push(...products(p, row, cols, vec, M.shown, named(m, v, t), u));
  }
  const value = m.read(total.array, t, u, total.block);
  lines.push({ text: `${total.shown}(${t})[${u}] = ${fmt(value)}  (recorded)` });
  if (eq.fn) {
    const shown = `${FUNCTIONS[eq.fn](fmt(value, 4))} = ${fmt(m.value(kind, t, u))}`;
    lines.push({ text: `${name}(${t})[${u}] = ${shown}` });
  }
  return lines;
}

/** The lines of the output layer's units and the inputs (the same for every cell). */
function headLines(m, kind, t, u) {
  const lines = [];
  const cls = () => (m.classes ? [`class ${u}: '${showChar(m.classes[u])}'`] : []);
  if (kind === "x" && m.inputs) {
    lines.push(`x(${t}) is ${m.inputs}`);
  } else if (kind === "x") {
    if (m.vocabulary) lines.push(`input position ${u}: '${showChar(m.vocabulary[u])}'`);
    if (m.chars) lines.push(`x(${t}) is the character '${showChar(m.char(t))}'`);
  } else if (kind === "o") {
    const p = m.win(t).params, f = `${m.featuresName}(${t})`;
    lines.push(`o(${t}) = c + V ${f}`, `  c[${u}] = ${fmt(p.c[u], 4)}`);
    lines.push(...products(p.V, u, m.featureWidth, (j) => m.feature(t, j), "V", f).map((l) => l.text));
    lines.push(...cls());
  } else if (kind === "yhat") {
    lines.push(`yhat(${t}) = softmax(o(${t})),  o(${t})[${u}] = ${fmt(m.o(t, u), 4)}`, ...cls());
    if (u === m.target(t)) {
      lines.push(`the target y(${t}): L(${t}) = \u2212log ${fmt(m.yhat(t, u), 4)} = ${fmt(m.loss(t))}`);
    }
  }
  return lines.map((s) => ({ text: s }));
}

/** The lines of unit u of `kind` at step t: its equation with the numbers put in. */
export function equation(m, kind, t, u) {
  if (kind === "x" || kind === "o" || kind === "yhat") return headLines(m, kind, t, u);
  const eq = m.equations[kind];
  return eq ? sumLines(m, kind, eq, t, u) : [];
}
