// Paths in a snapshot (format 2) as a dictionary of folders and each item's file name: a project's
// paths repeat their folder item after item ("datastore/images/batch-12/" before every
// "img_0012345.jpg"), which was 60 % of a 500k snapshot's path bytes. `StringTable.fromCoded` keeps
// them in this form and joins a path only when it is read, so opening costs no rebuild.

const SLASH = 0x2f;

/** Folders (each with its trailing slash) and, per path, its folder's index and its file name. */
export interface CodedPaths {
  readonly dirBytes: Uint8Array;
  /** dirOffsets[d]..dirOffsets[d+1] is folder d. */
  readonly dirOffsets: Uint32Array;
  /** Per path: its folder. */
  readonly dir: Uint32Array;
  readonly names: Uint8Array;
  /** nameOffsets[i]..nameOffsets[i+1] is path i's file name. */
  readonly nameOffsets: Uint32Array;
}

/**
 * Splits UTF-8 paths (`offsets[i]..offsets[i+1]` of `bytes`) at their last slash, when that saves at
 * least a quarter of their bytes; else undefined (paths with no common folders, or more folders
 * than a quarter of the paths).
 */
export function splitPaths(bytes: Uint8Array, offsets: Uint32Array): CodedPaths | undefined {
  const n = offsets.length - 1;
  if (n < 64) return undefined;
  const maxDirs = Math.max(16, n >>> 2);
  const dir = new Uint32Array(n);
  const nameOffsets = new Uint32Array(n + 1);
  const names = new Uint8Array(bytes.length);
  const dirParts: Uint8Array[] = [];
  const known = new Map<string, number>();
  const decoder = new TextDecoder();
  let w = 0;
  let dirTotal = 0;
  let prevStart = 0;
  let prevLen = -1;
  let prevDir = 0;
  let changes = 0;
  for (let i = 0; i < n; i++) {
    const s = offsets[i]!;
    const e = offsets[i + 1]!;
    let cut = e;
    while (cut > s && bytes[cut - 1] !== SLASH) cut--;
    const len = cut - s;
    // Most paths share the folder of the one before: compare bytes before looking it up.
    let same = len === prevLen;
    for (let k = 0; same && k < len; k++) same = bytes[s + k] === bytes[prevStart + k];
    let d = prevDir;
    if (!same) {
      const key = decoder.decode(bytes.subarray(s, cut));
      const found = known.get(key);
      if (found === undefined) {
        if (known.size >= maxDirs) return undefined;
        d = known.size;
        known.set(key, d);
        dirParts.push(bytes.subarray(s, cut));
        dirTotal += len;
      } else d = found;
    }
    if (i === 0 || d !== prevDir) changes++;
    dir[i] = d;
    prevStart = s;
    prevLen = len;
    prevDir = d;
    for (let k = cut; k < e; k++) names[w++] = bytes[k]!;
    nameOffsets[i + 1] = w;
  }
  // Worth it only when a quarter of the bytes goes, the folder index column included: 8 bytes a
  // run once run-length coded (paths in folder order), else 4 a path.
  if (dirTotal + w + Math.min(8 * changes, 4 * n) > 0.75 * bytes.length) return undefined;
  const dirBytes = new Uint8Array(dirTotal);
  const dirOffsets = new Uint32Array(dirParts.length + 1);
  let o = 0;
  dirParts.forEach((p, k) => {
    dirBytes.set(p, o);
    o += p.length;
    dirOffsets[k + 1] = o;
  });
  return { dirBytes, dirOffsets, dir, names: names.slice(0, w), nameOffsets };
}

/** The paths joined again into one UTF-8 arena and its offsets (what `StringTable` keeps once a path is added or looked up). */
export function joinPaths(c: CodedPaths): { bytes: Uint8Array; offsets: Uint32Array } {
  const n = c.dir.length;
  let total = c.names.length;
  for (let i = 0; i < n; i++) total += c.dirOffsets[c.dir[i]! + 1]! - c.dirOffsets[c.dir[i]!]!;
  const bytes = new Uint8Array(total);
  const offsets = new Uint32Array(n + 1);
  let w = 0;
  for (let i = 0; i < n; i++) {
    const d = c.dir[i]!;
    for (let k = c.dirOffsets[d]!, end = c.dirOffsets[d + 1]!; k < end; k++) bytes[w++] = c.dirBytes[k]!;
    for (let k = c.nameOffsets[i]!, end = c.nameOffsets[i + 1]!; k < end; k++) bytes[w++] = c.names[k]!;
    offsets[i + 1] = w;
  }
  return { bytes, offsets };
}
