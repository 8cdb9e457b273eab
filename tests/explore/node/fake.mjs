// Page data made by hand, for the pure functions' tests: arrays packed as the page packs them.

export function pack(values, shape) {
  const f64 = Buffer.from(new Float64Array(values).buffer).toString("base64");
  return { shape, f64 };
}

/** Page data of T steps: `arrays` {name: [values, shape]}, the same `params` in every window
 * (`windows` [[start, stop], ...], one by default), `initial[k]` window k's states before it. */
export function pageData({ T, H, D = 2, K = 2, gates = [], states = ["h"], arrays, params,
  initial = [], equations = {}, windows = null }) {
  const packed = {};
  for (const [k, [values, shape]] of Object.entries(arrays)) packed[k] = pack(values, shape);
  const window = ([start, stop], k) => {
    const n = stop - start + 1, w = { start, stop, params: {}, norms: pack(new Array((n * (n + 1)) / 2).fill(1), [(n * (n + 1)) / 2]) };
    for (const [k, [values, shape]] of Object.entries(params)) w.params[k] = pack(values, shape);
    for (const s of states) {
      w[`${s}0`] = pack((initial[k] || {})[s] || new Array(H).fill(0), [H]);
      if (s !== "h") w[`${s}_norms`] = w.norms;
    }
    return w;
  };
  return {
    cell_title: "test cell", title: "t", T, H, D, K, gates, states, equations,
    vocabulary: null, chars: null, targets: new Array(T).fill(0),
    windows: (windows || [[1, T]]).map(window),
    arrays: packed,
  };
}
