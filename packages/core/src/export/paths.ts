// Names and paths of an export: file names from project names, output paths from item paths.
// Not part of the public API.

/** A name reduced to characters safe in file names and store keys. */
export function safeName(name: string): string {
  const s = name
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '_')
    .replace(/^[._]+|_+$/g, '');
  return s.slice(0, 100) || 'project';
}

/**
 * An item path as a relative output path without its extension: URL scheme and query dropped,
 * backslashes made '/', empty, '.' and '..' segments removed, characters that Windows forbids replaced.
 */
export function outputStem(path: string): string {
  let p = path;
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.exec(p);
  if (url) p = p.slice(url[0].length).replace(/[?#].*$/, '');
  p = p.replace(/\\/g, '/');
  const segments = p
    .split('/')
    .filter((s) => s !== '' && s !== '.' && s !== '..')
    .map((s) => s.replace(/[<>:"|?*\u0000-\u001f]/g, '_'));
  const last = segments[segments.length - 1];
  if (last === undefined) return '_';
  const dot = last.lastIndexOf('.');
  if (dot > 0) segments[segments.length - 1] = last.slice(0, dot);
  return segments.join('/');
}

/** The file extension of a path without the dot, lower-case ('' when none); URLs' queries ignored. */
export function formatOf(path: string): string {
  const clean = path.replace(/[?#].*$/, '');
  const base = clean.slice(Math.max(clean.lastIndexOf('/'), clean.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

export function isHttpUrl(path: string): boolean {
  return /^https?:\/\//i.test(path);
}
