import type { DataSource } from '@labelkit/core';

/**
 * Turns item paths into something an `<img>` or `<label-canvas>` can show: the source's own URL
 * when it has one, else an object URL of its bytes (revoked by `clear()`), else the path itself.
 */
export class ImageUrls {
  #objectUrls = new Map<string, string>();
  #pending = new Map<string, Promise<string>>();

  constructor(public source: DataSource | undefined) {}

  /** Synchronous when the source gives URLs (or nothing); undefined while bytes load. */
  peek(path: string): string | undefined {
    if (!this.source) return path;
    return this.#objectUrls.get(path) ?? this.source.url?.(path);
  }

  async get(path: string, signal?: AbortSignal): Promise<string> {
    const now = this.peek(path);
    if (now) return now;
    let p = this.#pending.get(path);
    if (!p) {
      p = this.source!.read(path, { signal }).then((bytes) => {
        const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>]));
        this.#objectUrls.set(path, url);
        return url;
      });
      p.finally(() => this.#pending.delete(path)).catch(() => undefined);
      this.#pending.set(path, p);
    }
    return p;
  }

  /** Shows `bytes` for `path` from now on (an object URL, revoked by `clear()`), e.g. after a re-fetch. */
  adopt(path: string, bytes: Uint8Array): string {
    const old = this.#objectUrls.get(path);
    if (old) URL.revokeObjectURL(old);
    const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>]));
    this.#objectUrls.set(path, url);
    return url;
  }

  /** Revokes object URLs of paths not in `keep`. */
  clear(keep: Iterable<string> = []): void {
    const k = new Set(keep);
    for (const [path, url] of this.#objectUrls) {
      if (k.has(path)) continue;
      URL.revokeObjectURL(url);
      this.#objectUrls.delete(path);
    }
  }
}
