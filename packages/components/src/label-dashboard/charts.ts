import { html, svg, nothing } from 'lit';
import type { ItemState } from '@labelkit/core';
import { styleProps } from '../directives/style-props.js';

/** Colours of item states on every chart. */
export const STATE_COLORS: Readonly<Record<ItemState, string>> = {
  labeled: '#2f9e44',
  'needs-review': '#e8590c',
  skipped: '#868e96',
  unreadable: '#c92a2a',
  assigned: '#74c0fc',
  todo: '#d0d7e2',
};

/** One segment of a bar: a name, a count, a colour. */
export interface Segment {
  readonly key: string;
  readonly name: string;
  readonly value: number;
  readonly color: string;
}

/**
 * A 100 % stacked bar with a legend. Each segment carries an SVG `<title>`, so hovering shows its
 * count and share; the legend repeats them for keyboard and screen-reader users. Kept hand-drawn:
 * it is one `<rect>` per segment, which no charting library would make shorter.
 */
export function stackedBar(segments: readonly Segment[], label: string) {
  const total = segments.reduce((s, x) => s + x.value, 0);
  let x = 0;
  const pct = (v: number) => (total ? (100 * v) / total : 0);
  return html`<figure class="stacked" aria-label=${label}>
    <svg viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label=${label}>
      <rect x="0" y="0" width="100" height="10" fill="var(--_sunken)"></rect>
      ${segments.map((s) => {
        const w = pct(s.value);
        const r = svg`<rect class="seg" data-key=${s.key} x=${x} y="0" width=${w} height="10" fill=${s.color}><title>${s.name}: ${s.value.toLocaleString()} (${w.toFixed(1)} %)</title></rect>`;
        x += w;
        return r;
      })}
    </svg>
    <figcaption class="legend">
      ${segments.map(
        (s) => html`<span class="key" data-key=${s.key} title="${s.name}: ${s.value.toLocaleString()} (${pct(s.value).toFixed(1)} %)"
          ><i ${styleProps({ background: s.color })}></i>${s.name} <b>${s.value.toLocaleString()}</b></span
        >`,
      )}
    </figcaption>
  </figure>`;
}

/** Horizontal bars scaled to the largest value, with the value at the end of each bar. */
export function barList(rows: readonly Segment[], options: { empty?: string; note?: string } = {}) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  if (!rows.length) return html`<p class="muted">${options.empty ?? 'Nothing yet.'}</p>`;
  return html`<div class="bars">
      ${rows.map((r) => {
        const tip = `${r.name}: ${r.value.toLocaleString()}`;
        // The row is display: contents (one grid aligns every row), so each cell carries the tooltip.
        return html`<div class="bar-row" data-key=${r.key}>
            <span class="bar-name" title=${tip}>${r.name}</span>
            <span class="bar-track" title=${tip}><span class="bar-fill" ${styleProps({ width: `${(100 * r.value) / max}%`, background: r.color })}></span></span>
            <span class="bar-value" title=${tip}>${r.value.toLocaleString()}</span>
          </div>`;
      })}
    </div>
    ${options.note ? html`<p class="muted small">${options.note}</p>` : nothing}`;
}

/** A thin progress bar with a caption. */
export function progress(value: number, max: number, caption: string) {
  const p = max > 0 ? Math.min(100, (100 * value) / max) : 0;
  return html`<div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax=${max} aria-valuenow=${value} aria-label=${caption}>
      <span ${styleProps({ width: `${p}%` })}></span>
    </div>
    <p class="small">${caption}</p>`;
}
