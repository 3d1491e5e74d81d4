// The images of <label-queue>'s task: their URLs, fetched through the source with retries, the next
// task's images warmed ahead, and what happens to an item whose image fails — skipped when its bytes
// never arrive (E_FETCH_FAILED), unreadable when they arrive and do not decode.
import type { ReactiveControllerHost } from 'lit';
import { isFetchFailure, LabelkitError, retryFetch, type DataSource, type FetchRetryOptions, type ItemView, type Project, type Task, type TaskSize } from '@labelkit/core';
import { ImageUrls } from '../controllers/image-url.js';
import type { Commands } from '../controllers/commands.js';

/** What the images see of `<label-queue>`. */
export interface ImagesContext {
  readonly host: ReactiveControllerHost;
  readonly project: Project | undefined;
  readonly task: Task | undefined;
  readonly commands: Commands;
  readonly fetchRetry: Pick<FetchRetryOptions, 'retries' | 'baseMs'>;
  /** An item left the task: show what is left of it, or the next task. */
  itemLeft(): Promise<void>;
}

/** Failures that say what the bytes are: only these make an item unreadable. */
const UNREADABLE = ['E_CORRUPT_IMAGE', 'E_UNSUPPORTED_FORMAT', 'E_IMAGE_TOO_LARGE'];

export class TaskImages {
  readonly #urls = new ImageUrls(undefined);
  #shown = new Map<string, string>();
  /** Aborts image fetches and their retries when the task on screen changes or the element goes. */
  #fetches = new AbortController();
  /** The next task's images, warmed by `preloadNext`: held so they are not collected before they are shown. */
  private preloaded = new Map<string, HTMLImageElement>();
  /** Images of the task on screen that were preloaded and decoded: shown as they are. */
  #decoded = new Map<string, HTMLImageElement>();

  constructor(private readonly c: ImagesContext) {}

  set source(s: DataSource | undefined) {
    this.#urls.source = s;
  }

  /** The URL of an item of the task on screen ('' while it loads). */
  url(path: string): string {
    return this.#shown.get(path) ?? '';
  }

  /** The preloaded, decoded `<img>` of an item of the task on screen, if there is one. */
  decoded(path: string): HTMLImageElement | undefined {
    return this.#decoded.get(path);
  }

  /** Shows the images of `task`: at once where the source has URLs, else fetched (with retries). */
  show(task: Task): void {
    this.#urls.clear(task.items.map((i) => i.path));
    this.#shown = new Map(task.items.map((i) => [i.path, this.#urls.peek(i.path) ?? '']));
    // A preloaded image already decoded is shown itself: a new src, even of an image decoded in
    // memory, would load in a task after the next frame (a frame later on screen).
    this.#decoded = new Map();
    for (const it of task.items) {
      const img = this.preloaded.get(it.path);
      if (!img?.complete || !img.naturalWidth || img.src !== new URL(this.#shown.get(it.path) || 'about:blank', document.baseURI).href) continue;
      img.alt = it.path;
      img.draggable = false;
      this.#decoded.set(it.path, img);
      setTimeout(() => this.tileLoaded(it, img), 0);
    }
    this.abort();
    this.#fetches = new AbortController();
    for (const it of task.items) {
      if (!this.#shown.get(it.path)) void this.#fetch(it, () => this.#urls.get(it.path, this.#fetches.signal));
    }
  }

  abort(): void {
    this.#fetches.abort();
  }

  /** Warms the images of the task that will come next, so it shows at once after a submit. */
  preloadNext(size: TaskSize): void {
    const upcoming = this.c.project?.peekNext(size) ?? [];
    this.preloaded = new Map(
      upcoming.map((it) => {
        const img = new Image();
        void this.#urls
          .get(it.path, this.#fetches.signal)
          .then((url) => {
            img.src = url;
            return img.decode();
          })
          .catch(() => undefined); // shown later, with retries, if it really fails
        return [it.path, img] as const;
      }),
    );
  }

  /** A tile's `<img>` loaded: records the item's size when the project does not know it yet. */
  tileLoaded(it: ItemView, img: HTMLImageElement): void {
    const p = this.c.project;
    if (!p || it.width || !img.naturalWidth) return;
    p.setItemSizes([{ item: it.index, width: img.naturalWidth, height: img.naturalHeight }]).catch(() => undefined);
  }

  /** The canvas showed an item: records its size (and frames) when the project had another. */
  sizeKnown(it: ItemView, d: { width: number; height: number; frames: number }): void {
    const p = this.c.project;
    if (!p || (it.width === d.width && it.height === d.height)) return;
    p.setItemSizes([{ item: it.index, width: d.width, height: d.height, frames: d.frames }]).catch((err) => this.c.commands.fail(err, 'image-size'));
  }

  /**
   * An image failed to show. An `<img>` or the canvas cannot tell a missing or unreachable file from
   * a broken one, so unless the bytes were already here (a blob: URL) they are fetched again through
   * the source, with retries, before anything is decided.
   */
  failed(item: ItemView, err: unknown): void {
    const url = this.url(item.path);
    const fetched = url.startsWith('blob:') || url.startsWith('data:');
    if (LabelkitError.is(err, 'E_ABORTED')) return;
    // Only what the bytes are makes an item unreadable. A media worker that did not start
    // (E_WORKER_FAILED), or any other failure of this page, is reported and the item left as it is.
    if (err instanceof LabelkitError && !isFetchFailure(err) && !UNREADABLE.includes(err.code)) return this.c.commands.fail(err, 'image-load');
    const source = this.#urls.source;
    // Bytes that were here, or no source to read from (the path is the URL): the image is what failed.
    if ((fetched && !isFetchFailure(err)) || !source) return void this.#unreadable(item, err);
    void this.#fetch(item, async () => this.#urls.adopt(item.path, await source.read(item.path, { signal: this.#fetches.signal })));
  }

  /**
   * Gets an item's image URL through `load`, retrying fetch failures (`fetchRetry`). Bytes that then
   * fail to decode make the item unreadable; bytes that never arrive skip it with E_FETCH_FAILED.
   */
  async #fetch(item: ItemView, load: () => Promise<string>): Promise<void> {
    const signal = this.#fetches.signal;
    try {
      const url = await retryFetch(load, { ...this.c.fetchRetry, signal, what: item.path });
      if (signal.aborted) return;
      this.#shown = new Map(this.#shown).set(item.path, url);
      this.c.host.requestUpdate();
    } catch (err) {
      if (signal.aborted || LabelkitError.is(err, 'E_ABORTED')) return;
      if (LabelkitError.is(err, 'E_FETCH_FAILED')) await this.#fetchFailed(item, err);
      else await this.#unreadable(item, err);
    }
  }

  /** Bytes that never arrived: report E_FETCH_FAILED and skip the item (an owner can requeue skipped items). */
  async #fetchFailed(item: ItemView, err: LabelkitError): Promise<void> {
    const task = this.c.task;
    if (!task?.items.some((i) => i.index === item.index)) return;
    const { commands } = this.c;
    commands.fail(err, 'image-load');
    const message = commands.message;
    await commands.run('skip-unfetched', async () => {
      await this.c.project!.skip(task.id, [item.index]);
      await this.c.itemLeft();
    });
    commands.message = message;
  }

  async #unreadable(item: ItemView, err: unknown): Promise<void> {
    const e = err as { code?: string; message?: string };
    await this.c.commands.run('mark-unreadable', async () => {
      await this.c.project!.markUnreadable(item.index, e.code ?? 'E_CORRUPT_IMAGE', e.message ?? String(err));
      await this.c.itemLeft();
    });
  }
}
