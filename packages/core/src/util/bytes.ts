/** Joins byte chunks into one array (`total` is their summed length when the caller knows it). */
export function concatBytes(parts: readonly Uint8Array[], total = parts.reduce((n, p) => n + p.byteLength, 0)): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
