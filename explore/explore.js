// unrolled explore: the page of one recorded Trace, for whatever cell recorded it.
//
// ES modules, joined into one by explore/page.py: the self-contained HTML file inlines that
// module, and the notebook widget serves it (anywidget's `render`). Every number shown is read
// from the recorded arrays the page carries; the page formats them and never recomputes them.
// The only arithmetic here places things (pixels, colours, log-scale widths) and orders and
// multiplies out equation terms for display. What the cell is (its gates, its states, the sums
// its values are written as) comes with the data: nothing here names a cell.
//
// Text from the trace (its characters, vocabulary, title) reaches the page through
// `textContent` only, never as HTML.

import { el, text } from "./dom.js";
import { FILL_RULES } from "./format.js";
import { bandsOf } from "./model.js";
import { ROWS, buildChain, drawChain, layersOf, unitPage } from "./chain.js";
import { buildMaps, paintMaps, markMaps, fractionAt } from "./maps.js";
import { buildHeader, buildControls, drawControls, unitTooltip, lossTooltip, bandCaption } from "./controls.js";

const LEGEND = "Hover or focus a unit for its recorded value and equation. Click a loss term " +
  "L(s) (or press Enter) to send its error back: one arrow per step, its width the recorded " +
  "norm on a log scale. Arrow keys move the scrubber, and between units of the chain.";

/** The view in the URL hash, `#t=12&source=30&unit=4`: written (debounced) and read back. */
function hashKeeper(m, state) {
  let timer = null;
  const hashText = () =>
    `#t=${state.t}${state.source === null ? "" : `&source=${state.source}`}&unit=${state.unit}`;
  return {
    hashText,
    write() {
      // a static copy in a notebook is an about:srcdoc frame, whose URL may not be rewritten
      if (timer !== null || location.protocol === "about:") return;
      // debounced: a fast scrub must not flood the history API
      timer = setTimeout(() => {
        timer = null;
        if (location.hash !== hashText()) history.replaceState(null, "", hashText());
      }, 120);
    },
    read() {
      const params = new URLSearchParams(location.hash.slice(1));
      const int = (k) => (/^\d+$/.test(params.get(k) || "") ? Number(params.get(k)) : null);
      const t = int("t"), s = int("source"), u = int("unit");
      if (t !== null && t >= 1 && t <= m.T) state.t = t;
      state.source = s !== null && m.row(s) !== null ? s : null;
      if (u !== null && u < m.H) state.unit = u;
    },
    stop() { if (timer !== null) clearTimeout(timer); },
  };
}

/** Hover, focus, clicks and keys in a chain (a band's): tooltips, the selection, moving
 * between units. */
function listenToChain(page, chain) {
  const { state, tooltip, root } = page, m = chain.m;
  const place = (target) => {
    const r = target.getBoundingClientRect(), box = root.getBoundingClientRect();
    const left = Math.min(r.right - box.left + 8, Math.max(0, root.clientWidth - tooltip.offsetWidth - 4));
    tooltip.style.left = `${left}px`;
    tooltip.style.top = `${r.bottom - box.top + 6}px`;
  };
  const show = (e) => {
    const unit = e.target.closest("[data-kind]");
    if (!unit) return;
    if (unit.classList.contains("ux-unit")) unitTooltip(tooltip, m, unit);
    else if (unit.getAttribute("data-kind") === "loss") lossTooltip(tooltip, m, unit);
    else return;
    place(unit);
  };
  const hide = () => { tooltip.hidden = true; };
  const svgRoot = chain.svg;
  svgRoot.addEventListener("pointerover", show);
  svgRoot.addEventListener("pointerleave", hide);
  svgRoot.addEventListener("focusin", show);
  svgRoot.addEventListener("focusout", hide);
  svgRoot.addEventListener("click", (e) => {
    const target = e.target.closest("[data-kind]");
    if (!target) return;
    const kind = target.getAttribute("data-kind");
    if (kind === "loss") page.toggleSource(Number(target.getAttribute("data-s")));
    else if (target.classList.contains("ux-unit")) {
      if (!["x", "o", "yhat"].includes(kind)) state.unit = Number(target.getAttribute("data-unit"));
      page.setT(Number(target.getAttribute("data-t")));
    }
  });
  // Keys in the chain: Enter or Space on a loss term; arrows move between units (a grid).
  const { slots, layers, visible } = chain;
  let focusAt = { slot: 0, layer: layers.indexOf("h"), row: 0 };
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
  const moves = { ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0] };
  svgRoot.addEventListener("keydown", (e) => {
    const target = e.target.closest("[data-kind]");
    if (!target) return;
    if (target.getAttribute("data-kind") === "loss") {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        page.toggleSource(Number(target.getAttribute("data-s")));
      }
      return;
    }
    if (!(e.key in moves)) return;
    e.preventDefault();
    let { slot, layer, row } = focusAt;
    const [dl, dr] = moves[e.key];
    const hidden = () => slots[slot] && slots[slot].units[layers[layer]][0].getAttribute("display") === "none";
    row += dr;
    do { // past the strips a step does not show (one label: the head before the last step)
      layer += dl;
      if (layer < 0) { slot -= 1; layer = layers.length - 1; }
      if (layer >= layers.length) { slot += 1; layer = 0; }
    } while (dl !== 0 && hidden());
    focusUnit(slot, layer, row);
  });
}

/** Clicks on the maps: a step and a unit, or a loss term. */
function listenToMaps(page) {
  const { maps, mapsBand: m, state } = page;
  maps.heat.canvas.addEventListener("click", (e) => {
    const [fx, fy] = fractionAt(maps.heat.canvas, e);
    state.unit = Math.max(0, Math.min(m.H - 1, Math.floor(fy * m.H)));
    page.setT(Math.floor(fx * m.T) + 1);
  });
  maps.err.canvas.addEventListener("click", (e) => {
    const [fx, fy] = fractionAt(maps.err.canvas, e);
    const n = m.sources.length, s = m.sources[Math.max(0, Math.min(n - 1, Math.floor(fy * n)))];
    const t = Math.max(1, Math.min(m.T, Math.floor(fx * m.T) + 1));
    state.source = s;
    page.setT(t > s && m.norm(s, t) === null ? s : t); // a step the term's error reached
  });
}

/** The maps of `bands[k]` in `holder`, in place of those shown, and a choice of band when
 * there are several. */
function mapsOf(page, bands, holder) {
  if (bands.length > 1) {
    const pick = el("label", { class: "ux-band-pick" }, holder);
    pick.appendChild(document.createTextNode("maps of "));
    const select = el("select", {}, pick);
    bands.forEach((b, k) => text(el("option", { value: String(k) }, select), b.label));
    select.addEventListener("change", () => show(Number(select.value)));
  }
  const show = (k) => {
    if (page.maps) page.maps.root.remove();
    page.mapsBand = bands[k];
    page.maps = buildMaps(holder, bands[k]);
    paintMaps(page.maps, bands[k]);
    listenToMaps(page);
    markMaps(page.maps, bands[k], page.state);
  };
  show(0);
}

/** The controls and (in the HTML file only) the page's keys and its hash. */
function listenToControls(page, useHash, hash, cleanups) {
  const { m, state, controls: c } = page;
  c.scrub.addEventListener("input", () => page.setT(Number(c.scrub.value)));
  c.prev.addEventListener("click", () => page.setT(state.t - 1));
  c.next.addEventListener("click", () => page.setT(state.t + 1));
  if (c.unitsPrev) {
    c.unitsPrev.addEventListener("click", () => { state.unit = Math.max(0, unitPage(m, state) - ROWS); page.draw(); });
    c.unitsNext.addEventListener("click", () => { state.unit = Math.min(m.H - 1, unitPage(m, state) + ROWS); page.draw(); });
  }
  if (!useHash) return;
  // Arrow keys anywhere else on the page move the scrubber (the file only, not a notebook).
  const onKey = (e) => {
    if (e.target !== document.body && e.target !== document.documentElement) return;
    if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
      e.preventDefault();
      page.setT(state.t + (e.key === "ArrowLeft" ? -1 : 1));
    }
  };
  const onHash = () => { if (location.hash !== hash.hashText()) { hash.read(); page.draw(); } };
  document.addEventListener("keydown", onKey);
  window.addEventListener("hashchange", onHash);
  cleanups.push(() => document.removeEventListener("keydown", onKey),
    () => window.removeEventListener("hashchange", onHash));
}

/**
 * Draw the page of `data` into `root`. Options: `hash` (keep the view in the URL hash, for
 * the HTML file; off in a notebook), `theme` ("dark" or "light").
 * Returns a function that removes the page's listeners.
 */
export function mount(root, data, options = {}) {
  const started = performance.now();
  const bands = bandsOf(data), m = bands[0]; // the first band is the one the head reads
  const useHash = options.hash !== false;
  const cleanups = [];
  root.classList.add("unrolled-explore");
  root.dataset.theme = options.theme || data.theme || "dark";
  root.replaceChildren();
  const state = { t: 1, source: null, unit: 0 };
  const themeButton = buildHeader(root, m);
  const controls = buildControls(root, m);
  const strips = Math.max(...bands.map((band) => layersOf(band).length));
  const chains = bands.map((band) => {
    if (band.label) bandCaption(root, band);
    return buildChain(root, band, strips);
  });
  // the units' colour classes, inside the root: a notebook's output (a shadow root too) has them
  text(el("style", {}, root), FILL_RULES);
  const tooltip = el("div", { role: "tooltip", class: "ux-tooltip", id: "ux-tooltip", hidden: "" }, root);
  const mapsHolder = el("div", { class: "ux-maps-holder" }, root);
  text(el("p", { class: "ux-legend" }, root), LEGEND);

  const hash = hashKeeper(m, state);
  const page = { m, root, state, chains, controls, tooltip, maps: null, mapsBand: m };
  page.draw = () => {
    for (const chain of chains) drawChain(chain, state);
    drawControls(controls, m, state);
    markMaps(page.maps, page.mapsBand, state);
    if (useHash) hash.write();
  };
  page.setT = (t) => { state.t = Math.max(1, Math.min(m.T, t)); page.draw(); };
  page.toggleSource = (s) => { state.source = state.source === s ? null : s; page.draw(); };
  const setTheme = (theme) => {
    root.dataset.theme = theme;
    themeButton.textContent = theme === "dark" ? "light theme" : "dark theme";
  };
  setTheme(root.dataset.theme);
  themeButton.addEventListener("click", () => setTheme(root.dataset.theme === "dark" ? "light" : "dark"));
  for (const chain of chains) listenToChain(page, chain);
  listenToControls(page, useHash, hash, cleanups);

  if (useHash) hash.read();
  mapsOf(page, bands, mapsHolder);
  page.draw();
  root.dataset.ready = "true";
  root.dataset.readyMs = String(performance.now() - started); // drawing the page
  root.dataset.shownAt = String(performance.now()); // since the page started loading
  return () => {
    for (const c of cleanups) c();
    hash.stop();
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
