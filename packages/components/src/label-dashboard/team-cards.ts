// The Dashboard tab's team cards: the consensus lane (items collecting answers, agreed, in review,
// resolved) with the agreement rate, and review by labeler (counts, agreement with consensus, time
// per task, rejects). Reviewers and owners see them.
import { html, nothing } from 'lit';
import type { Project } from '@labelkit/core';
import { barList } from './charts.js';

const CONSENSUS_COLORS = { collecting: '#4e79a7', agreed: '#59a14f', disagreed: '#e15759', resolved: '#b07aa1' } as const;

export function teamCards(p: Project) {
  if (!p.can('reviewer')) return nothing;
  const consensus = p.queueSettings.consensus;
  const labelers = p.labelerStats();
  return html`${consensus ? consensusCard(p, consensus.labelers, consensus.agreement) : nothing} ${labelers.length ? labelersCard(labelers) : nothing}`;
}

function consensusCard(p: Project, n: number, agreement: string) {
  const s = p.consensusSummary();
  const names = { collecting: 'Collecting answers', agreed: 'Agreed', disagreed: 'Disagree (review)', resolved: 'Resolved by review' } as const;
  return html`<div part="card consensus-card" class="card consensus-card">
    <h2>Consensus <span class="muted">${n} labelers per item, ${agreement}</span></h2>
    ${barList((['collecting', 'agreed', 'disagreed', 'resolved'] as const).map((k) => ({ key: k, name: names[k], value: s[k], color: CONSENSUS_COLORS[k] })))}
    <p class="small agreement-rate">${s.agreementRate === undefined ? 'No item decided yet.' : html`Agreement rate: <b>${(100 * s.agreementRate).toFixed(1)} %</b> of decided items.`}</p>
  </div>`;
}

function labelersCard(rows: ReturnType<Project['labelerStats']>) {
  const pct = (v: number | undefined) => (v === undefined ? '—' : `${(100 * v).toFixed(0)} %`);
  const time = (ms: number | undefined) => (ms === undefined ? '—' : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`);
  return html`<div part="card labelers-card" class="card wide labelers-card">
    <h2>Labelers</h2>
    <div class="table-scroll" tabindex="0" role="region" aria-label="Labelers"><table class="labelers">
      <thead><tr><th>Labeler</th><th>Items</th><th>Tasks</th><th>Skipped</th><th>Agreement</th><th>Time per task</th><th>Rejected</th><th>Approved</th></tr></thead>
      <tbody>
        ${rows.map(
          (r) => html`<tr data-labeler=${r.labeler}>
            <td>${r.labeler}</td><td>${r.items}</td><td>${r.tasks}</td><td>${r.skipped}</td>
            <td title="${r.agreed} of ${r.decided} decided answers">${pct(r.agreement)}</td><td>${time(r.msPerTask)}</td><td>${r.rejected}</td><td>${r.approved}</td>
          </tr>`,
        )}
      </tbody>
    </table></div>
  </div>`;
}
