// A Data-tab item's consensus answers: every labeler's answer (a skip, and a late one, included), and — on an item
// whose answers disagree — a button per answer for a reviewer to make it the final label.
import { html, nothing } from 'lit';
import type { ConsensusView, Project } from '@labelkit/core';
import { emit } from '../events.js';
import { styleProps } from '../directives/style-props.js';
import type { DashboardContext } from './context.js';

export function consensusAnswers(c: DashboardContext, p: Project, item: number, view: ConsensusView | undefined, byId: Map<string, { name: string; color: string }>) {
  if (!view || !view.answers.length) return nothing;
  const resolvable = view.status === 'disagreed' && p.can('reviewer');
  const resolve = (by: string, annotations: ConsensusView['answers'][number]['annotations']) =>
    c.commands.run('resolve', async () => {
      await p.resolveConsensus([{ item, annotations: annotations ?? [] }]);
      c.notify(`Final label taken from ${by}'s answer.`);
      emit(c.host, 'label-items-change', { action: 'resolve', items: [item] });
    });
  return html`<ul part="consensus-answers" class="answers" data-status=${view.status}>
    ${view.answers.map((a) => {
      const names = a.skipped ? ['skipped'] : (a.annotations ?? []).map((x) => byId.get(x.label)?.name ?? x.label);
      const color = a.skipped ? '#888' : (byId.get(a.annotations?.[0]?.label ?? '')?.color ?? '#888');
      return html`<li data-labeler=${a.by} ?data-late=${a.late}>
        <span class="who">${a.by}</span>${a.late ? html` <small part="late-answer" title="Arrived after the item was decided">late</small>` : nothing}
        <span class="chip" ${styleProps({ '--c': color })}>${names.length > 3 ? `${names.length} shapes` : names.join(', ') || 'nothing'}</span>
        ${resolvable && !a.skipped ? html`<button part="button" class="use-answer" ?disabled=${c.commands.busy} @click=${() => resolve(a.by, a.annotations)}>Use</button>` : nothing}
      </li>`;
    })}
  </ul>`;
}
