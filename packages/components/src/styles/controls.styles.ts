import { css } from 'lit';

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
