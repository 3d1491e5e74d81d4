// Keeps the lease of the task on screen alive while the labeler works on it: every 30 s, a lease in
// its last third is renewed (not while a command runs, nor while the page is hidden).
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Project, Task } from '@labelkit/core';
import type { Commands } from '../controllers/commands.js';

export interface LeaseContext {
  readonly host: ReactiveControllerHost;
  readonly project: Project | undefined;
  readonly task: Task | undefined;
  readonly commands: Commands;
  /** The renewed task (the queue shows it when it is still the task on screen). */
  renewed(task: Task): void;
}

export class LeaseKeeper implements ReactiveController {
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly c: LeaseContext) {
    c.host.addController(this);
  }

  hostConnected(): void {
    this.#timer = setInterval(() => this.renewIfDue(), 30_000);
  }

  hostDisconnected(): void {
    clearInterval(this.#timer);
  }

  renewIfDue(): void {
    const { task: t, project: p, commands } = this.c;
    if (!t || !p || commands.busy || document.visibilityState === 'hidden') return;
    if (t.expiresAt - p.now() > p.queueSettings.leaseMs / 3) return;
    p.renewLease(t.id).then(
      (task) => this.c.renewed(task),
      (err) => commands.fail(err, 'lease-renew'),
    );
  }
}
