// The page's arrays: `{shape, f64}` blocks of little-endian float64 as base64, decoded once.

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
