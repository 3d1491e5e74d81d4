// The canvas's optional panels — the tool rail and the region list — load the first time they are
// shown, with their stylesheets: a page that never shows them (classification, a bare canvas) does
// not carry them, which keeps the components' own code within its size budget (docs/components.md).
import type { ReactiveElement } from 'lit';
import type { CanvasInternals } from './internals.js';
import type { RegionList } from './region-list.js';
import type { renderToolRail } from './tool-rail.js';

export class LazyParts {
  rail: typeof renderToolRail | undefined;
  list: RegionList | undefined;
  readonly #loading = new Set<'rail' | 'list'>();
  /** Set while a part loads: the host's updateComplete waits for it (tests, hosts measuring layout). */
  pending: Promise<void> | undefined;

  constructor(
    private readonly host: ReactiveElement,
    private readonly internals: () => CanvasInternals,
  ) {}

  /** Starts loading what is wanted and not loaded yet; the host renders again once it is there. */
  want(rail: boolean, list: boolean): void {
    if (rail && !this.rail && !this.#loading.has('rail')) {
      this.#loading.add('rail');
      this.#track(
        import('./tool-rail.js').then(({ renderToolRail, toolRailStyles }) => {
          this.#adopt(toolRailStyles.styleSheet);
          this.rail = renderToolRail;
        }),
      );
    }
    if (list && !this.list && !this.#loading.has('list')) {
      this.#loading.add('list');
      this.#track(
        import('./region-list.js').then(({ RegionList, regionListStyles }) => {
          this.#adopt(regionListStyles.styleSheet);
          const l = new RegionList();
          l.attach(this.internals());
          this.list = l;
        }),
      );
    }
  }

  #track(load: Promise<void>): void {
    const p: Promise<void> = Promise.all([this.pending, load]).then(() => {
      if (this.pending === p) this.pending = undefined;
      this.host.requestUpdate();
    });
    this.pending = p;
  }

  /** Constructable stylesheets: allowed under a strict style-src CSP. */
  #adopt(sheet: CSSStyleSheet | undefined): void {
    const root = this.host.renderRoot as ShadowRoot;
    if (sheet && !root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  }
}
