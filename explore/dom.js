// Making and changing the page's elements. Text reaches the page through `textContent` only.

const SVGNS = "http://www.w3.org/2000/svg";

export function el(tag, attrs = {}, parent = null, ns = null) {
  const node = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (parent) parent.appendChild(node);
  return node;
}
export const svg = (tag, attrs, parent) => el(tag, attrs, parent, SVGNS);
export function text(node, s) {
  node.textContent = s;
  return node;
}
// Writes that would change nothing are skipped: even those restyle or lay out again (redraws
// that keep the step, or the text of a label that stays). The last written values are kept on
// the node, so nothing is read back from the DOM.
export function put(node, name, value) {
  const was = node.ux || (node.ux = {});
  if (was[name] !== value) { node.setAttribute(name, value); was[name] = value; }
}
export function retext(node, s) {
  const was = node.ux || (node.ux = {});
  if (was.text === s) return;
  // the text node kept, its characters replaced: no new node to style and lay out
  if (node.firstChild && node.firstChild === node.lastChild && node.firstChild.nodeType === 3) {
    node.firstChild.data = s;
  } else node.textContent = s;
  was.text = s;
}

/**
 * Show `img` (the canvas's size) in `canvas`, for good. Through an ImageBitmap where the
 * browser can: a 2D canvas may be handed to the compositor again on every frame though it
 * never changes (headless Chromium does: both maps cost 1 to 2 ms of each frame while
 * scrubbing), a bitmap once.
 */
export function showPixels(canvas, img) {
  const shown = typeof OffscreenCanvas === "function" ? canvas.getContext("bitmaprenderer") : null;
  if (!shown) {
    canvas.getContext("2d").putImageData(img, 0, 0);
    return;
  }
  const off = new OffscreenCanvas(img.width, img.height);
  off.getContext("2d").putImageData(img, 0, 0);
  shown.transferFromImageBitmap(off.transferToImageBitmap());
}
