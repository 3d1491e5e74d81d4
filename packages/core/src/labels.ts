// Label classes: what a label name may be, when two names are the same label, and the ids, colours and
// keys a new class gets. Used by project creation (registry.ts) and Project.addLabelClass.
import { LabelkitError } from './errors.js';
import type { LabelClass } from './types.js';

/** Longest label name, in characters (Unicode code points, after normalization). */
export const MAX_LABEL_NAME_LENGTH = 100;

/** A palette whose neighbours stay distinguishable (Tableau 10 + extras). */
export const LABEL_PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac', '#1f77b4', '#d62728'];

export type LabelSpec = string | { name: string; color?: string; id?: string };

/**
 * The form a label name is stored in: Unicode NFC (so `café` typed with a combining accent and
 * precomposed is one string), trimmed, every run of whitespace (tabs, newlines, no-break spaces …)
 * one space. Throws `E_INVALID_ARGUMENT` for a name that is empty after that, longer than
 * MAX_LABEL_NAME_LENGTH characters, or holds control characters.
 */
export function normalizeLabelName(name: unknown, position?: number): string {
  const which = position === undefined ? 'A label' : `Label ${position}`;
  if (typeof name !== 'string') throw new LabelkitError('E_INVALID_ARGUMENT', `${which} has no name (a label name is a string).`);
  const clean = name.normalize('NFC').replace(/\s+/gu, ' ').trim();
  if (!clean) throw new LabelkitError('E_INVALID_ARGUMENT', `${which} has no name.`);
  const length = [...clean].length;
  if (length > MAX_LABEL_NAME_LENGTH) {
    throw new LabelkitError(
      'E_INVALID_ARGUMENT',
      `${which} name is ${length} characters long; a label name is at most ${MAX_LABEL_NAME_LENGTH} characters. Shorten it (put details in the instructions).`,
      { length, maxLength: MAX_LABEL_NAME_LENGTH, name: `${[...clean].slice(0, 40).join('')}…` },
    );
  }
  if (/[\p{Cc}]/u.test(clean)) throw new LabelkitError('E_INVALID_ARGUMENT', `${which} name "${clean}" holds control characters.`, { name: clean });
  return clean;
}

/**
 * The key two label names are compared by: NFKC, then case-folded (lower case, ß → ss, final ς → σ),
 * then NFKC again. `Café`, `CAFÉ`, `cafe\u0301` and `ｃａｆé` have one key; `cafe` has another.
 */
export function labelNameKey(name: string): string {
  return name.normalize('NFKC').replace(/\s+/gu, ' ').trim().toLowerCase().replace(/ß/g, 'ss').replace(/ς/g, 'σ').normalize('NFKC');
}

function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^\p{L}\p{N}]+/gu, '-')
      .replace(/^-+|-+$/g, '') || 'label'
  );
}

function duplicate(name: string, other: string): LabelkitError {
  return new LabelkitError(
    'E_INVALID_ARGUMENT',
    name === other
      ? `The label "${name}" is given twice.`
      : `The label "${name}" is the same label as "${other}" (label names are compared ignoring case, accents' encoding and character width).`,
    { name, existing: other },
  );
}

function makeClass(spec: LabelSpec, k: number, names: Map<string, string>, ids: Set<string>): LabelClass {
  const s = typeof spec === 'string' ? { name: spec } : (spec ?? ({} as { name: string }));
  const name = normalizeLabelName(s.name, k + 1);
  const key = labelNameKey(name);
  const other = names.get(key);
  if (other !== undefined) throw duplicate(name, other);
  names.set(key, name);
  let id = s.id ?? slug(name);
  for (let n = 2; ids.has(id); n++) id = `${slug(name)}-${n}`;
  ids.add(id);
  const color = s.color ?? LABEL_PALETTE[k % LABEL_PALETTE.length];
  if (typeof color !== 'string' || !/^#[0-9a-fA-F]{6}$/.test(color)) throw new LabelkitError('E_INVALID_ARGUMENT', `Label "${name}": color must look like #rrggbb.`, { color });
  // Keys 1–9, then 0 for the tenth label (the number row, left to right).
  return { id, name, color, ...(k < 10 ? { key: String((k + 1) % 10) } : {}) };
}

/**
 * Turns names (and optional colors/ids) into label classes; the first ten get keys 1–9, then 0. Names are
 * normalized (`normalizeLabelName`) and must differ by `labelNameKey`; otherwise `E_INVALID_ARGUMENT`.
 */
export function makeLabelClasses(input: readonly LabelSpec[]): LabelClass[] {
  const names = new Map<string, string>();
  const ids = new Set<string>();
  return input.map((spec, k) => makeClass(spec, k, names, ids));
}

/**
 * The class a label added to `existing` gets: its name checked as in `makeLabelClasses` and against
 * every existing name. Existing classes are taken as they are (a project made before these rules keeps
 * its labels and can still add new ones).
 */
export function nextLabelClass(existing: readonly LabelClass[], label: LabelSpec): LabelClass {
  const names = new Map(existing.map((l) => [labelNameKey(l.name), l.name]));
  const ids = new Set(existing.map((l) => l.id));
  return makeClass(label, existing.length, names, ids);
}
