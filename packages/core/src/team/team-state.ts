import type { JournalEvent } from '../journal/events.js';
import type { Annotation } from '../types.js';
import { agreesWith, decide, type ConsensusSettings } from './consensus.js';

/** Whether a project hands out work: `stopped` hands out no new tasks; `archived` is read-only. */
export interface ProjectStatus {
  readonly state: 'active' | 'stopped' | 'archived';
  /** Why it was stopped or archived (as the owner gave it). */
  readonly reason?: string;
  /** Who changed it last, and when (ms). */
  readonly by?: string;
  readonly at?: number;
}

/** One labeler's answer for an item in consensus: labels, or a skip. */
export interface ConsensusAnswer {
  readonly by: string;
  readonly at: number;
  readonly annotations?: readonly Annotation[];
  readonly skipped?: boolean;
  /** Once the item is decided: whether this answer is equivalent to the final label. */
  readonly agrees?: boolean;
  /** It arrived after the item was decided (kept, never dropped; see `TeamState.late`). */
  readonly late?: boolean;
}

/** An item's consensus: every labeler's answer, and how it stands. */
export interface ConsensusView {
  readonly item: number;
  /** Answers (labels, not skips) the setting asks for. */
  readonly needed: number;
  readonly answers: readonly ConsensusAnswer[];
  /** `collecting`: waiting for answers; `agreed`: final label set; `disagreed`: needs review; `resolved`: a reviewer chose. */
  readonly status: 'collecting' | 'agreed' | 'disagreed' | 'resolved';
  readonly final?: readonly Annotation[];
}

/** Consensus items by status; `agreementRate`: agreed ÷ decided (agreed, disagreed or resolved). */
export interface ConsensusSummary {
  readonly collecting: number;
  readonly agreed: number;
  readonly disagreed: number;
  readonly resolved: number;
  readonly agreementRate?: number;
}

/** What an owner sees per labeler (`Project.labelerStats()`). */
export interface LabelerStats {
  readonly labeler: string;
  /** Tasks submitted, and items in them. */
  readonly tasks: number;
  readonly items: number;
  readonly skipped: number;
  /** Items of theirs a reviewer rejected or approved. */
  readonly rejected: number;
  readonly approved: number;
  /** Consensus answers on decided items, and how many of them agreed with the final label. */
  readonly decided: number;
  readonly agreed: number;
  /** agreed ÷ decided (undefined until an answer of theirs is decided). */
  readonly agreement?: number;
  /** Mean ms from a task's assignment to its submission. */
  readonly msPerTask?: number;
}

interface Rec {
  answers: ConsensusAnswer[];
  status: ConsensusView['status'];
  final?: Annotation[];
}

interface Acc {
  tasks: number;
  items: number;
  skipped: number;
  rejected: number;
  approved: number;
  decided: number;
  agreed: number;
  ms: number;
  timed: number;
}

/** What a snapshot keeps of it. */
export interface TeamParts {
  readonly status?: ProjectStatus;
  readonly consensus?: [number, Rec][];
  readonly labelers?: [string, Acc][];
  readonly reviewed?: number[];
}

/** What the team fold needs of the project's fold (`ProjectState`). */
export interface FoldOps {
  /** The consensus setting now (undefined: one labeler per item). */
  readonly consensus: ConsensusSettings | undefined;
  /** Whether item i exists and is todo (not labeled, skipped, in review or unreadable). */
  isTodo(i: number): boolean;
  /** Item i is no longer leased (with `by`: only when it is leased to `by`, or to nobody — in consensus others may hold it). */
  unlease(i: number, by?: string): void;
  /** Item i goes back to the front of its lane (waiting for more answers). */
  requeue(i: number): void;
  /** Item i gets its final labels: labeled (or needs-review, without labels, when `labels` is undefined). */
  label(i: number, labels: Annotation[] | undefined, by: string, at: number): void;
  /** Item i is skipped. */
  skip(i: number): void;
  /** A labeled item i goes to needs-review, keeping its labels (a late answer dissents). */
  review(i: number): void;
  /** A skipped item i is todo again, at the front of its lane (a late answer gave labels). */
  reopen(i: number): void;
  isSkipped(i: number): boolean;
  labeledBy(i: number): string | undefined;
  /** When a task was handed out (for the time per task). */
  assignedAt(task: string): number | undefined;
}

/** The outcome of an answer, for the fold: keep collecting, a final label, or review. */
export type AnswerOutcome =
  { readonly kind: 'collecting' } | { readonly kind: 'agreed'; readonly final: Annotation[] } | { readonly kind: 'disagreed' } | { readonly kind: 'skipped' };

/**
 * The team side of a project's fold: its lifecycle status, consensus answers per item, per-labeler
 * counts and reviewed (approved) items. `ProjectState` calls it from `apply`; it never changes the
 * columns itself, it tells the fold what an answer means.
 */
export class TeamState {
  status: ProjectStatus = { state: 'active' };
  readonly #records = new Map<number, Rec>();
  readonly #labelers = new Map<string, Acc>();
  readonly #reviewed = new Set<number>();

  /**
   * Folds the team side of an event. Returns true when the event was handled here entirely
   * (lifecycle events, consensus submissions, skips and resolutions); false when the project's own
   * fold must run as well (its part here was the counting).
   */
  apply(e: JournalEvent, ops: FoldOps): boolean {
    const settings = ops.consensus;
    switch (e.type) {
      case 'project.stopped':
        this.status = { state: 'stopped', by: e.by, at: e.at, ...(e.reason ? { reason: e.reason } : {}) };
        return true;
      case 'project.archived':
        this.status = { state: 'archived', by: e.by, at: e.at, ...(e.reason ? { reason: e.reason } : {}) };
        return true;
      case 'project.started':
        this.status = { state: 'active', by: e.by, at: e.at };
        return true;
      case 'labels.submitted': {
        const started = e.task !== undefined ? ops.assignedAt(e.task) : undefined;
        this.submitted(e.by, e.items.length, started !== undefined ? e.at - started : undefined);
        if (!settings) {
          for (const i of e.items) this.unreview(i);
          return false;
        }
        e.items.forEach((i, k) => {
          const skipped = ops.isSkipped(i);
          if (!ops.isTodo(i) && !skipped) return this.late(i, e.by, e.at, e.annotations[k] ?? [], settings, ops);
          ops.unlease(i, e.by);
          const outcome = this.answer(i, e.by, e.at, e.annotations[k] ?? [], settings);
          if (outcome?.kind === 'agreed') ops.label(i, outcome.final, this.#firstAgreeing(i) ?? e.by, e.at);
          else if (outcome?.kind === 'disagreed') ops.label(i, undefined, e.by, e.at);
          else if (skipped) ops.reopen(i);
          else ops.requeue(i);
        });
        return true;
      }
      case 'items.skipped':
        this.skippedBy(e.by, e.items.length);
        if (!settings) return false;
        for (const i of e.items) {
          if (!ops.isTodo(i)) continue;
          ops.unlease(i, e.by);
          if (this.answer(i, e.by, e.at, undefined, settings)?.kind === 'skipped') ops.skip(i);
          else ops.requeue(i);
        }
        return true;
      case 'items.reviewed':
        for (const i of e.items) {
          // Approving an agreed label a late answer disputed settles it as it is.
          const r = this.#records.get(i);
          if (r?.status === 'disagreed' && r.final) this.resolve(i, r.final, settings);
          this.approved(i, ops.labeledBy(i));
        }
        return false;
      case 'items.rejected':
        for (const i of e.items) {
          const answered = this.restart(i);
          const by = ops.labeledBy(i);
          this.rejectedOf(answered.length ? answered : by ? [by] : []);
        }
        return false;
      case 'items.requeued':
        if (e.from !== 'unreadable') for (const i of e.items) this.restart(i);
        return false;
      case 'consensus.resolved':
        e.items.forEach((i, k) => {
          const final = e.annotations[k] ?? [];
          ops.label(i, final, this.#firstAgreeingWith(i, final, settings) ?? e.by, e.at);
          this.resolve(i, final, settings);
          this.approved(i, undefined);
        });
        return true;
      default:
        return false;
    }
  }

  /**
   * An answer that arrives after item i was decided (labelers racing for one item): it is kept among
   * the item's answers and counted for its labeler, and never changes the final label. One that
   * disagrees with an agreed label that nobody reviewed yet sends the item to needs-review, its
   * label kept, for a reviewer to approve or replace; on an item a reviewer settled it is a dissent
   * on record. An item that is not in consensus, or that the labeler already answered, is left alone.
   */
  late(i: number, by: string, at: number, annotations: Annotation[], settings: ConsensusSettings, ops: FoldOps): void {
    const r = this.#records.get(i);
    if (!r || r.status === 'collecting' || r.answers.some((a) => a.by === by)) return;
    ops.unlease(i, by);
    const agrees = r.final ? agreesWith(annotations, r.final, settings.iou) : undefined;
    r.answers.push({ by, at, annotations, late: true, ...(agrees !== undefined ? { agrees } : {}) });
    if (agrees === undefined) return; // a disagreement: counted when a reviewer resolves it
    const acc = this.#acc(by);
    acc.decided++;
    if (agrees) acc.agreed++;
    if (!agrees && r.status === 'agreed' && !this.#reviewed.has(i)) {
      r.status = 'disagreed';
      ops.review(i);
    }
  }

  /** Whether a submission of item i by `labeler` would be a late answer (kept by `late`): decided in consensus, not answered by them. */
  takesLate(i: number, labeler: string): boolean {
    const r = this.#records.get(i);
    return !!r && r.status !== 'collecting' && !r.answers.some((a) => a.by === labeler);
  }

  #firstAgreeing(i: number): string | undefined {
    return this.#records.get(i)?.answers.find((a) => a.agrees)?.by;
  }

  #firstAgreeingWith(i: number, final: Annotation[], settings: ConsensusSettings | undefined): string | undefined {
    return this.#records.get(i)?.answers.find((a) => !a.skipped && agreesWith(a.annotations ?? [], final, settings?.iou))?.by;
  }

  static fromParts(p: TeamParts | undefined): TeamState {
    const t = new TeamState();
    if (!p) return t;
    if (p.status) t.status = p.status;
    for (const [i, r] of p.consensus ?? []) t.#records.set(i, r);
    for (const [l, a] of p.labelers ?? []) t.#labelers.set(l, a);
    for (const i of p.reviewed ?? []) t.#reviewed.add(i);
    return t;
  }

  parts(): TeamParts | undefined {
    if (this.status.state === 'active' && !this.#records.size && !this.#labelers.size && !this.#reviewed.size) return undefined;
    return { status: this.status, consensus: [...this.#records], labelers: [...this.#labelers], reviewed: [...this.#reviewed] };
  }

  #acc(labeler: string): Acc {
    let a = this.#labelers.get(labeler);
    if (!a) this.#labelers.set(labeler, (a = { tasks: 0, items: 0, skipped: 0, rejected: 0, approved: 0, decided: 0, agreed: 0, ms: 0, timed: 0 }));
    return a;
  }

  /** A submitted task: counted for its labeler, with its time when the assignment is known. */
  submitted(by: string, items: number, ms: number | undefined): void {
    const a = this.#acc(by);
    a.tasks++;
    a.items += items;
    if (ms !== undefined && ms >= 0) {
      a.ms += ms;
      a.timed++;
    }
  }

  skippedBy(by: string, items: number): void {
    this.#acc(by).skipped += items;
  }

  rejectedOf(labelers: readonly string[]): void {
    for (const l of labelers) this.#acc(l).rejected++;
  }

  approved(i: number, labeler: string | undefined): void {
    if (this.#reviewed.has(i)) return;
    this.#reviewed.add(i);
    if (labeler) this.#acc(labeler).approved++;
  }

  isReviewed(i: number): boolean {
    return this.#reviewed.has(i);
  }

  /** The item's labels changed (rejected, relabeled): it is no longer reviewed. */
  unreview(i: number): void {
    this.#reviewed.delete(i);
  }

  /** Whether `labeler` answered or skipped item i in its current consensus round. */
  hasAnswered(i: number, labeler: string): boolean {
    return !!this.#records.get(i)?.answers.some((a) => a.by === labeler);
  }

  /**
   * A labeler's answer in consensus (labels, or `undefined` for a skip). A second answer by the same
   * labeler, or an answer once the item is decided, is ignored (`undefined` returned).
   */
  answer(i: number, by: string, at: number, annotations: Annotation[] | undefined, settings: ConsensusSettings): AnswerOutcome | undefined {
    let r = this.#records.get(i);
    if (!r) this.#records.set(i, (r = { answers: [], status: 'collecting' }));
    if (r.status !== 'collecting' || r.answers.some((a) => a.by === by)) return undefined;
    r.answers.push(annotations ? { by, at, annotations } : { by, at, skipped: true });
    const given = r.answers.filter((a) => !a.skipped);
    const skips = r.answers.length - given.length;
    if (given.length < settings.labelers) return skips >= settings.labelers ? { kind: 'skipped' } : { kind: 'collecting' };
    const d = decide(
      given.map((a) => a.annotations as Annotation[]),
      settings,
    );
    if (d.agreed) {
      let k = 0;
      r.answers = r.answers.map((a) => (a.skipped ? a : { ...a, agrees: d.agreeing[k++] }));
      r.status = 'agreed';
      r.final = d.final;
      this.#count(r, 1);
      return { kind: 'agreed', final: d.final! };
    }
    r.status = 'disagreed';
    return { kind: 'disagreed' };
  }

  /** A reviewer's final label for an item in consensus (a disagreement settled). */
  resolve(i: number, final: Annotation[], settings: ConsensusSettings | undefined): void {
    const r = this.#records.get(i);
    if (!r) return;
    this.#count(r, -1); // answers counted before (agreed, or late ones) are counted once, with the new final
    r.status = 'resolved';
    r.final = final;
    r.answers = r.answers.map((a) => (a.skipped ? a : { ...a, agrees: agreesWith(a.annotations ?? [], final, settings?.iou) }));
    this.#count(r, 1);
  }

  /** Adds (or, `sign` -1, takes back) the decided answers of a record (those with `agrees`) to their labelers' counts. */
  #count(r: Rec, sign: 1 | -1): void {
    for (const a of r.answers) {
      if (a.skipped || a.agrees === undefined) continue;
      const acc = this.#acc(a.by);
      acc.decided += sign;
      if (a.agrees) acc.agreed += sign;
    }
  }

  /** A new round: the item's answers are cleared (rejected, requeued); returns who had given labels (not skips). */
  restart(i: number): string[] {
    const r = this.#records.get(i);
    this.#records.delete(i);
    this.#reviewed.delete(i);
    return r ? r.answers.filter((a) => !a.skipped).map((a) => a.by) : [];
  }

  consensusOf(i: number, needed: number): ConsensusView | undefined {
    const r = this.#records.get(i);
    if (!r) return undefined;
    return { item: i, needed, answers: r.answers.map((a) => ({ ...a })), status: r.status, ...(r.final ? { final: r.final } : {}) };
  }

  /** Items whose answers disagree (awaiting review), in index order. */
  disagreements(): number[] {
    return [...this.#records]
      .filter(([, r]) => r.status === 'disagreed')
      .map(([i]) => i)
      .sort((a, b) => a - b);
  }

  /** Counts of items by consensus status, and the share of decided items whose answers agreed. */
  consensusSummary(): ConsensusSummary {
    const out = { collecting: 0, agreed: 0, disagreed: 0, resolved: 0 };
    for (const r of this.#records.values()) out[r.status]++;
    const decided = out.agreed + out.disagreed + out.resolved;
    return decided ? { ...out, agreementRate: out.agreed / decided } : out;
  }

  labelerStats(): LabelerStats[] {
    return [...this.#labelers]
      .map(([labeler, a]) => ({
        labeler,
        tasks: a.tasks,
        items: a.items,
        skipped: a.skipped,
        rejected: a.rejected,
        approved: a.approved,
        decided: a.decided,
        agreed: a.agreed,
        ...(a.decided ? { agreement: a.agreed / a.decided } : {}),
        ...(a.timed ? { msPerTask: a.ms / a.timed } : {}),
      }))
      .sort((x, y) => (x.labeler < y.labeler ? -1 : x.labeler > y.labeler ? 1 : 0));
  }

  /** Labelers with an answer in item i's current round. */
  answeredBy(i: number): string[] {
    return this.#records.get(i)?.answers.map((a) => a.by) ?? [];
  }
}
