// A test harness for <label-queue>: it finds tiles, tags and buttons inside the shadow root and
// waits for the element's commit points. Keys and clicks go through the input driver the test
// passes in (real Playwright input in @web/test-runner), so the harness depends on no test runner.
import type { LabelEventDetailMap, LabelEventName } from '../events.js';
import type { LabelQueue } from './label-queue.component.js';

export interface QueueInput {
  press(key: string): Promise<void>;
}

export class LabelQueueHarness {
  constructor(
    readonly el: LabelQueue,
    private readonly input: QueueInput,
  ) {}

  get root(): ShadowRoot {
    return this.el.shadowRoot!;
  }

  /** Resolves with the next event of that name. */
  next<K extends LabelEventName>(name: K): Promise<LabelEventDetailMap[K]> {
    return new Promise((resolve) => this.el.addEventListener(name, (e) => resolve((e as CustomEvent).detail), { once: true }));
  }

  /** Waits until a task is shown (or the empty state). */
  async ready(): Promise<void> {
    for (let i = 0; i < 400; i++) {
      await this.el.updateComplete;
      if ((this.el.currentTask && this.tiles().length + (this.canvas() ? 1 : 0) > 0) || this.root.querySelector('.empty')) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('<label-queue> showed no task');
  }

  tiles(): HTMLElement[] {
    return [...this.root.querySelectorAll<HTMLElement>('[part~="tile"]')];
  }

  /** Tag names on each tile, in order. */
  tags(): string[][] {
    return this.tiles().map((t) => [...t.querySelectorAll('.tag')].map((x) => x.textContent!.trim()));
  }

  canvas() {
    return this.root.querySelector('label-canvas');
  }

  button(cls: string): HTMLButtonElement {
    return this.root.querySelector<HTMLButtonElement>(`button.${cls}`)!;
  }

  part(name: string): HTMLElement | null {
    return this.root.querySelector<HTMLElement>(`[part~="${name}"]`);
  }

  /** Focuses the work area (first tile or the canvas), as a labeler's first Tab would. */
  async focus(): Promise<void> {
    const t = this.tiles()[0] ?? this.canvas();
    t?.focus();
    await this.el.updateComplete;
  }

  async press(...keys: string[]): Promise<void> {
    for (const k of keys) await this.input.press(k);
    await this.el.updateComplete;
  }
}
