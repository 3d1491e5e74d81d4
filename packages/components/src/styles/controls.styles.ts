import { css, unsafeCSS, type CSSResult } from 'lit';

/**
 * The host rules `<label-queue>` and `<label-dashboard>` share: each maps its `--label-<element>-*`
 * properties, then the global `--label-*` tokens, then defaults, onto the private tokens below.
 */
export function hostStyles(element: 'queue' | 'dashboard'): CSSResult {
  const el = unsafeCSS(element);
  return css`
    :host {
      --_accent: var(--label-${el}-accent, var(--label-accent, #2563eb));
      --_surface: var(--label-${el}-surface, var(--label-surface, #ffffff));
      --_sunken: var(--label-surface-sunken, #eef1f5);
      --_text: var(--label-${el}-text, var(--label-text, #111827));
      --_muted: var(--label-text-muted, #5b6472);
      --_border: var(--label-border, #d6dae1);
      display: block;
      font-family: var(--label-font-family, system-ui, sans-serif);
      font-size: 14px;
      color: var(--_text);
      background: var(--_surface);
    }
    :host([hidden]) {
      display: none;
    }
  `;
}

/**
 * Buttons and spacers shared by `<label-queue>` and `<label-dashboard>`. They read the element's own
 * private tokens (`--_accent`, `--_surface`, `--_text`, `--_border`), which each element maps from its
 * `--label-<element>-*` and global `--label-*` properties.
 */
export const controlStyles = css`
  .spacer { flex: 1; }
  button {
    font: inherit;
    border: 1px solid var(--_border);
    background: var(--_surface);
    color: var(--_text);
    border-radius: 6px;
    padding: 5px 10px;
    cursor: pointer;
  }
  button:disabled { opacity: 0.5; cursor: default; }
  button.primary { background: var(--_accent); border-color: var(--_accent); color: #fff; }
  button:focus-visible { outline: 2px solid var(--_accent); outline-offset: 2px; }
`;
