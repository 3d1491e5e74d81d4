import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { emit } from '../events.js';

/** What a host adds to the shared command pattern. */
export interface CommandHooks {
  /** Before a command runs (the dashboard clears its notice and the last error). */
  started?(): void;
  /** After every failure was shown and reported (the queue turns a failed task load into its error state). */
  failed?(err: unknown, during: string): void;
  /** After a failed command, still while busy (the queue moves on from a lease it lost). */
  recover?(err: unknown, during: string): Promise<void>;
}

/**
 * The command pattern `<label-queue>` and `<label-dashboard>` share: a command runs while `busy`
 * (the host disables its buttons), and a failure becomes the message the host shows and a
 * `label-error` event naming what failed (`during`). Failures never escape as rejections.
 */
export class Commands implements ReactiveController {
  #running = 0;
  #message = '';

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly hooks: CommandHooks = {},
  ) {
    host.addController(this);
  }

  /** A command is running. */
  get busy(): boolean {
    return this.#running > 0;
  }

  /** The last failure's message ('' when none or cleared). */
  get message(): string {
    return this.#message;
  }
  set message(text: string) {
    this.#message = text;
    this.host.requestUpdate();
  }

  hostConnected(): void {}

  /** Runs `fn` as the command `during`; a failure is reported, then `recover` runs. */
  async run(during: string, fn: () => Promise<unknown>): Promise<void> {
    this.hooks.started?.();
    this.#running++;
    this.host.requestUpdate();
    try {
      await fn();
    } catch (err) {
      this.fail(err, during);
      await this.hooks.recover?.(err, during).catch(() => undefined);
    } finally {
      this.#running--;
      this.host.requestUpdate();
    }
  }

  /** Shows `err` and fires `label-error` (also for failures outside a command: a draft save, a lease renewal). */
  fail(err: unknown, during: string): void {
    this.message = err instanceof Error ? err.message : String(err);
    emit(this.host, 'label-error', { error: err, during });
    this.hooks.failed?.(err, during);
  }
}
