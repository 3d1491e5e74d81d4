// The early paint (`@labelkit/components/first-look`): the task a tab held, drawn into a not yet
// upgraded <label-queue> before the page's bundle (Lit, the core, the elements) has loaded or run.
//
// A host page runs it first — a small module script in the page's head — and loads its bundle after:
// the held task's images are then on screen while that bundle is still being fetched, parsed and run.
// It depends on nothing but `@labelkit/core/task-hint` (sessionStorage / localStorage reads): no Lit,
// no element code. What it draws is plain light DOM (`[data-first-look]`, slot `first-look`), inert,
// and the element adopts it when it upgrades: it shows that slot as its preview (no flash, no second
// draw) until the real task replaces it, then removes it (label-queue/hint.ts).
import { readTaskHint, type TaskHint } from '@labelkit/core/task-hint';

export type { TaskHint };

export interface FirstLookOptions {
  /** The store's tab scope: `taskHintScope(store)` (an `IndexedDBStore('db')`'s is `idb:db`). Default ''. */
  readonly scope?: string;
  /** The clock (tests). */
  readonly now?: number;
}

let styled: CSSStyleSheet | undefined;
// Laid out as <label-queue>'s own header, palette, grid and actions (label-queue.styles.ts, the same
// class names), so the real task lands where the preview was; the element's --label-* tokens apply.
const CSS = `label-queue:not(:defined){display:block;font:14px var(--label-font-family,system-ui,sans-serif);color:var(--label-text,#111827)}
[data-first-look]{--_b:var(--label-border,#d6dae1);--_m:var(--label-text-muted,#5b6472);--_s:var(--label-surface,#fff);--_k:var(--label-surface-sunken,#eef1f5);--_a:var(--label-queue-accent,var(--label-accent,#2563eb))}
[data-first-look] header{display:flex;align-items:center;gap:10px;padding:8px 4px;flex-wrap:wrap}
[data-first-look] .name{font-size:15px}
[data-first-look] .lane{text-transform:capitalize;font-size:12px;padding:2px 8px;border-radius:999px;background:var(--_k);border:1px solid var(--_b)}
[data-first-look] :is(.counts,.hint){color:var(--_m);font-size:12px}
[data-first-look] .grid-pick{display:inline-flex;gap:2px}
[data-first-look] .grid-pick button{padding:2px 8px}
[data-first-look] .grid-pick [aria-pressed=true]{background:var(--_a);border-color:var(--_a);color:#fff;text-decoration:underline 2px;text-underline-offset:3px}
[data-first-look] .instructions{margin:4px 0 8px;border:1px solid var(--_b);border-radius:6px;padding:6px 10px}
[data-first-look] summary{font-weight:600}
[data-first-look] .palette{display:flex;gap:6px;flex-wrap:wrap;margin:6px 0 10px}
[data-first-look] button{font:inherit;border:1px solid var(--_b);background:var(--_s);color:inherit;border-radius:6px;padding:5px 10px}
[data-first-look] .label{border-left:6px solid var(--c,#9ca3af)}
[data-first-look] kbd{font:11px ui-monospace,monospace;border:1px solid var(--_b);border-bottom-width:2px;border-radius:4px;padding:0 4px;margin:0 4px;color:var(--_m);background:var(--_s)}
[data-first-look] .grid{--_e:max(140px,min(var(--label-queue-tile-size,480px),calc((100dvh - var(--label-queue-chrome-height,290px))/var(--_r,1))));display:grid;gap:8px;justify-content:start;grid-template-columns:repeat(var(--_c),minmax(0,var(--_e)))}
[data-first-look] .grid.cols-1{grid-template-columns:minmax(0,max(140px,min(calc(var(--label-queue-tile-size,480px)*1.5),calc(100dvh - var(--label-queue-chrome-height,290px)))))}
[data-first-look] .tile{position:relative;aspect-ratio:1;background:var(--_k);border:2px solid var(--_b);border-radius:8px;overflow:hidden}
[data-first-look] .tile img{width:100%;height:100%;object-fit:contain;image-rendering:pixelated;display:block}
[data-first-look] .check{position:absolute;top:6px;left:6px;width:18px;height:18px;box-sizing:border-box;border:2px solid var(--_m);border-radius:4px;background:var(--_s)}
[data-first-look] .actions{display:flex;align-items:center;gap:8px;padding:10px 0 4px;flex-wrap:wrap;position:sticky;bottom:0;background:var(--_s);z-index:1}
[data-first-look] .review{display:inline-flex;align-items:center;gap:4px;color:var(--_m)}
[data-first-look] .primary{background:var(--_a);border-color:var(--_a);color:#fff}
[data-first-look] .primary kbd{color:#fff;background:transparent;border-color:rgba(255,255,255,.6)}
[data-first-look] :disabled{opacity:.5}
[data-first-look] .spacer{flex:1}`;

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, text = ''): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text) e.textContent = text;
  return e;
};

/** Item indices of a task, as the paint records them (`data-task`): how the element knows it is this hint's. */
export function firstLookKey(task: TaskHint['task']): string {
  return task.items.map((it) => it.index).join(',');
}

/**
 * Draws the task this tab held of `projectId` (else the project's first look: `readTaskHint`) into
 * `queue`, a `<label-queue>` already in the page, and gives the element that hint (`queue.hint`, which
 * it takes when it upgrades). Returns the hint, or undefined when there is none to show (no hint, or a
 * region project): then nothing is drawn. Fires `label-task-preview` `{ task }` on `queue`; the element
 * does not fire it again for the paint it adopts. Everything drawn is `inert`: no command until the
 * project is open and the element shows its real task.
 */
export function paintFirstLook(queue: HTMLElement, projectId: string, options: FirstLookOptions = {}): TaskHint | undefined {
  const hint = readTaskHint(projectId, options.scope ?? '', options.now);
  if (!hint || (hint.kind !== 'image-classification-multiclass' && hint.kind !== 'image-classification-multilabel')) return undefined;
  // A constructed sheet, not a <style> element: allowed under a strict CSP (style-src 'self').
  if (!styled) {
    styled = new CSSStyleSheet();
    styled.replaceSync(CSS);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, styled];
  }
  const root = el('div', '');
  root.slot = 'first-look';
  root.dataset.firstLook = '';
  root.dataset.task = firstLookKey(hint.task);
  root.inert = true;
  root.setAttribute('aria-busy', 'true');

  const key = (k: string) => el('kbd', '', k);
  const button = (cls: string, ...content: (Node | string)[]) => {
    const b = el('button', cls);
    b.disabled = true;
    b.append(...content);
    return b;
  };
  const header = el('header', '');
  const picker = el('span', 'grid-pick');
  for (const n of [1, 4, 6, 9]) {
    const b = picker.appendChild(button('size', String(n)));
    b.setAttribute('aria-pressed', String(n === hint.taskSize));
  }
  header.append(
    el('strong', 'name', hint.name),
    el('span', `lane lane-${hint.task.lane}`, hint.task.lane),
    el('span', 'counts', `${hint.done} labeled · ${hint.left} to go`),
    el('span', 'spacer'),
    picker,
  );
  const parts: Node[] = [header];
  if (hint.instructions) {
    const details = el('details', 'instructions');
    details.append(el('summary', '', 'Instructions'));
    parts.push(details);
  }
  const palette = el('div', 'palette');
  hint.labels.forEach((l, i) => {
    const k = l.key ?? (i < 10 ? String((i + 1) % 10) : undefined);
    const b = palette.appendChild(button('label', ...(k ? [key(k), ' '] : []), el('span', 'label-name', l.name)));
    if (l.color) b.style.setProperty('--c', l.color);
  });
  const columns = hint.taskSize <= 1 ? 1 : hint.taskSize <= 4 ? 2 : 3;
  const grid = el('div', `grid cols-${columns}`);
  grid.style.setProperty('--_c', String(columns));
  grid.style.setProperty('--_r', String(Math.ceil(Math.max(hint.taskSize, hint.task.items.length) / columns)));
  for (const it of hint.task.items) {
    const tile = el('div', 'tile');
    tile.dataset.item = String(it.index);
    const url = hint.urls[it.path];
    if (url) {
      const img = el('img', '');
      img.alt = it.path;
      img.src = url;
      img.draggable = false;
      tile.append(img);
    }
    tile.append(el('span', 'check'));
    grid.append(tile);
  }
  const actions = el('div', 'actions');
  const review = el('label', 'review');
  const box = el('input', '');
  box.type = 'checkbox';
  box.disabled = true;
  review.append(box, ' Needs review ', key('V'));
  actions.append(
    el('span', 'hint', 'Space selects · A all · 1–9, 0 tag'),
    el('span', 'spacer'),
    review,
    button('skip', 'Skip ', key('S')),
    button('submit primary', 'Submit ', key('Enter')),
  );
  root.append(...parts, palette, grid, actions);

  queue.querySelector(':scope > [data-first-look]')?.remove();
  queue.append(root);
  (queue as HTMLElement & { hint?: TaskHint }).hint = hint;
  queue.dispatchEvent(new CustomEvent('label-task-preview', { detail: { task: hint.task }, bubbles: true, composed: true }));
  return hint;
}

/**
 * Resolves once the paint's images are decoded (or `timeoutMs` went by) and a frame has shown them:
 * when a host may start the work that would hold that frame back (loading its bundle, opening the project).
 */
export async function firstLookPainted(queue: HTMLElement, timeoutMs = 100): Promise<void> {
  const images = [...queue.querySelectorAll<HTMLImageElement>(':scope > [data-first-look] img')].map((i) => i.decode().catch(() => undefined));
  await Promise.race([Promise.all(images), new Promise((r) => setTimeout(r, timeoutMs))]);
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
}
