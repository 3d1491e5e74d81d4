// Label names: normalization, the length cap and duplicates, through the functions and through the
// two commands that take names (project creation and addLabelClass).
import { describe, expect, it } from 'vitest';
import { LabelkitError } from './errors.js';
import { labelNameKey, LABEL_PALETTE, makeLabelClasses, MAX_LABEL_NAME_LENGTH, nextLabelClass, normalizeLabelName } from './labels.js';
import { MemoryStore, ProjectRegistry } from './index.js';

const owner = { actor: { id: 'olivia', role: 'owner' as const } };
const PRECOMPOSED = 'caf\u00e9';
const COMBINING = 'cafe\u0301';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return LabelkitError.is(err) ? err.code : `not a LabelkitError: ${err}`;
  }
  return undefined;
}

async function rejection(p: Promise<unknown>): Promise<LabelkitError> {
  try {
    await p;
  } catch (err) {
    if (LabelkitError.is(err)) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('normalizeLabelName', () => {
  it('stores names in NFC, trimmed, with whitespace runs collapsed', () => {
    expect(COMBINING).not.toBe(PRECOMPOSED);
    expect(normalizeLabelName(COMBINING)).toBe(PRECOMPOSED);
    expect(normalizeLabelName('  speed \t\n limit\u00a0 sign  ')).toBe('speed limit sign');
  });

  it('refuses empty, whitespace-only, non-string and control-character names', () => {
    for (const bad of ['', '   ', '\t\n\u00a0', undefined, 42, null]) expect(codeOf(() => normalizeLabelName(bad))).toBe('E_INVALID_ARGUMENT');
    expect(codeOf(() => normalizeLabelName('stop\u0000sign'))).toBe('E_INVALID_ARGUMENT');
  });

  it('caps names at 100 characters and says so', () => {
    expect(MAX_LABEL_NAME_LENGTH).toBe(100);
    expect(normalizeLabelName('x'.repeat(100))).toHaveLength(100);
    // Characters, not UTF-16 units: 100 emoji (200 units) are fine, 101 are not.
    expect([...normalizeLabelName('🐟'.repeat(100))]).toHaveLength(100);
    expect(codeOf(() => normalizeLabelName('🐟'.repeat(101)))).toBe('E_INVALID_ARGUMENT');
    // Counted after normalization: 100 letters with combining accents are 100 characters in NFC.
    expect([...normalizeLabelName('e\u0301'.repeat(100))]).toHaveLength(100);
    let err: unknown;
    try {
      normalizeLabelName('a'.repeat(100 * 1024));
    } catch (e) {
      err = e;
    }
    expect(LabelkitError.is(err, 'E_INVALID_ARGUMENT')).toBe(true);
    expect((err as Error).message).toMatch(/at most 100 characters/);
    expect((err as Error).message).toMatch(/102400 characters/);
    // The error does not carry the 100 KB name around.
    expect(JSON.stringify((err as LabelkitError).details).length).toBeLessThan(300);
  });
});

describe('labelNameKey: when two names are one label', () => {
  it('ignores case, the encoding of accents and character width', () => {
    const key = labelNameKey(PRECOMPOSED);
    for (const same of [COMBINING, 'CAFÉ', 'Cafe\u0301', '\uff43\uff41\uff46\u00e9', ' café ']) expect(labelNameKey(same)).toBe(key);
    expect(labelNameKey('cafe')).not.toBe(key);
    expect(labelNameKey('Straße')).toBe(labelNameKey('STRASSE'));
    expect(labelNameKey('ΟΔΟΣ')).toBe(labelNameKey('οδοσ'));
    expect(labelNameKey('ﬁsh')).toBe(labelNameKey('fish'));
  });
});

describe('makeLabelClasses', () => {
  it('gives normalized names, distinct ids, palette colours and keys 1–9, 0', () => {
    const labels = makeLabelClasses([COMBINING, '  big   dog ', { name: 'cat', color: '#123456' }, ...Array.from({ length: 8 }, (_, i) => `l${i}`)]);
    expect(labels.map((l) => l.name).slice(0, 3)).toEqual([PRECOMPOSED, 'big dog', 'cat']);
    expect(labels[0].color).toBe(LABEL_PALETTE[0]);
    expect(labels[2].color).toBe('#123456');
    expect(labels.map((l) => l.key)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', undefined]);
    expect(new Set(labels.map((l) => l.id)).size).toBe(labels.length);
  });

  it('refuses two names that are the same label, naming both', () => {
    let err: unknown;
    try {
      makeLabelClasses([PRECOMPOSED, 'dog', COMBINING]);
    } catch (e) {
      err = e;
    }
    expect(LabelkitError.is(err, 'E_INVALID_ARGUMENT')).toBe(true);
    expect((err as Error).message).toMatch(/given twice/);
    expect(codeOf(() => makeLabelClasses(['Dog', 'DOG']))).toBe('E_INVALID_ARGUMENT');
    expect(codeOf(() => makeLabelClasses(['big dog', 'big  dog']))).toBe('E_INVALID_ARGUMENT');
    expect(codeOf(() => makeLabelClasses(['ﬁsh', 'fish']))).toBe('E_INVALID_ARGUMENT');
    expect(codeOf(() => makeLabelClasses(['fish', 'fishes']))).toBeUndefined();
  });

  it('nextLabelClass checks only the new name, so an old project with a long label can still add one', () => {
    const legacy = [{ id: 'long', name: 'x'.repeat(500), color: '#000000', key: '1' }];
    const cls = nextLabelClass(legacy, { name: '  new\tone ' });
    expect(cls).toMatchObject({ name: 'new one', key: '2', color: LABEL_PALETTE[1] });
    expect(codeOf(() => nextLabelClass(legacy, 'X'.repeat(500)))).toBe('E_INVALID_ARGUMENT');
  });
});

describe('through the commands', () => {
  it('project creation refuses a 100 KB name and look-alike duplicates, and stores nothing', async () => {
    const store = new MemoryStore();
    const registry = new ProjectRegistry(store);
    const huge = await rejection(registry.create({ name: 'P', kind: 'image-classification-multilabel', labels: ['ok', 'n'.repeat(100_000)] }, owner));
    expect(huge.code).toBe('E_INVALID_ARGUMENT');
    expect(huge.message).toMatch(/at most 100 characters/);
    const twins = await rejection(registry.create({ name: 'P', kind: 'image-classification-multilabel', labels: [PRECOMPOSED, COMBINING] }, owner));
    expect(twins.code).toBe('E_INVALID_ARGUMENT');
    expect(await registry.list()).toEqual([]);
    // The name P is still free: the refused attempts did not reserve it.
    const project = await registry.create({ name: 'P', kind: 'image-classification-multilabel', labels: [COMBINING, ' hot   dog '] }, owner);
    expect(project.labels.map((l) => l.name)).toEqual([PRECOMPOSED, 'hot dog']);
  });

  it('addLabelClass normalizes, refuses look-alikes and over-long names, and leaves the labels as they were', async () => {
    const registry = new ProjectRegistry(new MemoryStore());
    const project = await registry.create({ name: 'Q', kind: 'image-object-detection', labels: [PRECOMPOSED] }, owner);
    for (const bad of [COMBINING, 'CAFÉ', 'y'.repeat(101), '   ']) {
      const err = await rejection(project.addLabelClass({ name: bad }, 'continue'));
      expect(err.code, bad.slice(0, 10)).toBe('E_INVALID_ARGUMENT');
    }
    expect(project.labels.map((l) => l.name)).toEqual([PRECOMPOSED]);
    const added = await project.addLabelClass({ name: ' e\u0301clair\n' }, 'continue');
    expect(added.name).toBe('\u00e9clair');
    expect(project.labels.map((l) => l.name)).toEqual([PRECOMPOSED, '\u00e9clair']);
    // And the journal agrees after a reopen.
    const again = await registry.open('Q', owner);
    expect(again.labels.map((l) => l.name)).toEqual([PRECOMPOSED, '\u00e9clair']);
  });
});
