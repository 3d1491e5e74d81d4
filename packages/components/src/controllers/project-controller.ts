import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Project, ProjectChange, Stats } from '@labelkit/core';

/**
 * Binds a core `Project` to a Lit element: subscribes while the element is connected, and asks it
 * to re-render (at most once per animation frame) whenever the project's journal moves. Reads go
 * straight to the project (the one source of truth); writes go through the project's commands.
 * `stats` is cached per change so a render never folds the state twice.
 */
export class ProjectController implements ReactiveController {
  #project: Project | undefined;
  #unsubscribe: (() => void) | undefined;
  #stats: Stats | undefined;
  #frame = 0;
  #connected = false;
  #stale = false;
  #resize: ResizeObserver | undefined;
  /** Bumped on every change the controller saw; handy as a cache key in `willUpdate`. */
  version = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly onChange?: (change: ProjectChange) => void,
  ) {
    host.addController(this);
  }

  get project(): Project | undefined {
    return this.#project;
  }

  /** Points the controller at another project (or none); re-subscribes when connected. */
  set project(p: Project | undefined) {
    if (p === this.#project) return;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#project = p;
    this.#stats = undefined;
    this.version++;
    if (this.#connected) this.#subscribe();
  }

  /** The project's stats, computed once per change. */
  get stats(): Stats | undefined {
    if (!this.#project) return undefined;
    this.#stats ??= this.#project.stats();
    return this.#stats;
  }

  hostConnected(): void {
    this.#connected = true;
    this.#subscribe();
    // A hidden host (display: none, e.g. an inactive tab) skips re-renders; it catches up when shown.
    if (this.host instanceof HTMLElement && typeof ResizeObserver !== 'undefined') {
      this.#resize = new ResizeObserver(() => {
        if (this.#stale && !this.#hidden()) {
          this.#stale = false;
          // In the next frame: a catch-up render that changes the host's size inside this callback
          // would make the browser report a ResizeObserver loop.
          requestAnimationFrame(() => this.host.requestUpdate());
        }
      });
      this.#resize.observe(this.host);
    }
  }

  hostDisconnected(): void {
    this.#connected = false;
    this.#resize?.disconnect();
    this.#resize = undefined;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    if (this.#frame) cancelAnimationFrame(this.#frame);
    this.#frame = 0;
  }

  #subscribe(): void {
    if (!this.#project || this.#unsubscribe) return;
    this.#unsubscribe = this.#project.subscribe((change) => {
      this.#stats = undefined;
      this.version++;
      this.onChange?.(change);
      if (this.#hidden()) {
        this.#stale = true;
        return;
      }
      if (!this.#frame) {
        this.#frame = requestAnimationFrame(() => {
          this.#frame = 0;
          this.host.requestUpdate();
        });
      }
    });
  }

  #hidden(): boolean {
    const h = this.host;
    return h instanceof HTMLElement && !!this.#resize && h.getClientRects().length === 0;
  }
}
