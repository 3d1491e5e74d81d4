import { css } from 'lit';

/**
 * Every `--label-canvas-*` property falls back to a global `--label-*` token, then to a default.
 * The resolved values live in private `--_*` properties; the theme controller reads those (Konva
 * does not read CSS) and a probe element's transitions tell it when any of them changes.
 */
export const styles = css`
  :host {
    --_background: var(--label-canvas-background, var(--label-surface-sunken, #1f2329));
    --_selection-color: var(--label-canvas-selection-color, var(--label-accent, #3b82f6));
    --_handle-color: var(--label-canvas-handle-color, var(--label-surface, #ffffff));
    --_stroke-width: var(--label-canvas-stroke-width, var(--label-stroke-width, 2));
    --_fill-opacity: var(--label-canvas-fill-opacity, var(--label-fill-opacity, 0.15));
    --_handle-size: var(--label-canvas-handle-size, var(--label-handle-size, 8));
    --_text-color: var(--label-canvas-text-color, var(--label-text-on-accent, #ffffff));
    --_font: var(--label-canvas-font-family, var(--label-font-family, system-ui, sans-serif));
    --_focus-ring: var(--label-canvas-focus-ring, var(--label-focus-ring, 2px solid var(--_selection-color)));
    --_chip-background: var(--label-canvas-chip-background, var(--label-surface, #ffffff));
    --_chip-color: var(--label-canvas-chip-color, var(--label-text, #111827));

    display: block;
    position: relative;
    container-type: size;
    min-height: 200px;
    height: 480px;
    contain: strict;
    overflow: hidden;
    background: var(--_background);
    outline: none;
    font-family: var(--_font);
    user-select: none;
    -webkit-user-select: none;
    touch-action: none;
  }
  :host(:focus-visible) {
    outline: var(--_focus-ring);
    outline-offset: -2px;
  }
  .stage,
  .raster-host {
    position: absolute;
    inset: 0;
  }
  .raster-host {
    overflow: hidden;
    pointer-events: none;
  }
  .raster {
    position: absolute;
    left: 0;
    top: 0;
    transform-origin: 0 0;
    will-change: transform;
    visibility: hidden;
  }
  .stage.pan {
    cursor: grab;
  }
  .stage.panning {
    cursor: grabbing;
  }
  .stage.draw {
    cursor: crosshair;
  }
  .stage.hover {
    cursor: move;
  }
  .probe {
    position: absolute;
    visibility: hidden;
    pointer-events: none;
    color: var(--_selection-color);
    background-color: var(--_handle-color);
    border-top-color: var(--_text-color);
    width: calc(var(--_stroke-width) * 1px);
    height: calc(var(--_fill-opacity) * 1000px);
    min-width: calc(var(--_handle-size) * 1px);
    font-family: var(--_font);
    transition: all 1ms allow-discrete;
  }
  .tags {
    position: absolute;
    left: 8px;
    top: 8px;
    right: 8px;
    display: flex;
    flex-wrap: wrap;
    gap: 4px;
    pointer-events: none;
  }
  .tag {
    font-size: 13px;
    line-height: 1;
    padding: 5px 8px 5px 6px;
    border-radius: 999px;
    background: var(--_chip-background);
    color: var(--_chip-color);
    border-left: 6px solid var(--tag-color);
    box-shadow: 0 1px 3px rgb(0 0 0 / 0.35);
  }
  .bar {
    position: absolute;
    right: 8px;
    bottom: 8px;
    display: flex;
    gap: 6px;
    align-items: center;
    font-size: 13px;
    padding: 4px 6px 4px 10px;
    border-radius: 6px;
    background: var(--_chip-background);
    color: var(--_chip-color);
    box-shadow: 0 1px 3px rgb(0 0 0 / 0.35);
  }
  .bar.media {
    right: auto;
    left: 8px;
  }
  select {
    font: inherit;
    font-size: 12px;
    max-width: 220px;
  }
  .actions {
    position: absolute;
    display: flex;
    gap: 4px;
    transform: translateY(-100%);
    padding-bottom: 4px;
  }
  button {
    font: inherit;
    font-size: 12px;
    border: 1px solid rgb(0 0 0 / 0.2);
    border-radius: 4px;
    padding: 3px 8px;
    cursor: pointer;
    background: var(--_chip-background);
    color: var(--_chip-color);
  }
  button:focus-visible {
    outline: var(--_focus-ring);
  }
  .message {
    position: absolute;
    inset: 0;
    display: grid;
    place-items: center;
    color: var(--_chip-background);
    font-size: 14px;
    opacity: 0.8;
    pointer-events: none;
  }
  .tool-state,
  .hint {
    position: absolute;
    left: 50%;
    transform: translateX(-50%);
    max-width: calc(100% - 16px);
    box-sizing: border-box;
    font-size: 13px;
    padding: 5px 10px;
    border-radius: 6px;
    background: var(--_chip-background);
    color: var(--_chip-color);
    box-shadow: 0 1px 3px rgb(0 0 0 / 0.35);
    pointer-events: none;
  }
  .tool-state {
    top: 8px;
    border-left: 4px solid var(--_selection-color);
  }
  .hint {
    bottom: 48px;
    border-left: 4px solid #d97706;
  }
  kbd {
    font: inherit;
    font-size: 11px;
    padding: 0 4px;
    border: 1px solid currentColor;
    border-radius: 3px;
    opacity: 0.8;
  }
  /* Shortcut help: a panel over the canvas. */
  .help {
    position: absolute;
    left: 50%;
    top: 50%;
    transform: translate(-50%, -50%);
    width: min(520px, calc(100% - 24px));
    max-height: calc(100% - 24px);
    overflow: auto;
    box-sizing: border-box;
    padding: 10px 14px;
    border-radius: 10px;
    background: var(--_chip-background);
    color: var(--_chip-color);
    box-shadow: 0 4px 18px rgb(0 0 0 / 0.45);
    font-size: 13px;
    z-index: 3;
  }
  .help-head {
    display: flex;
    justify-content: space-between;
    align-items: center;
    margin-bottom: 6px;
  }
  .help-keys {
    margin: 0;
  }
  .help-row {
    display: grid;
    grid-template-columns: 9em 1fr;
    gap: 8px;
    padding: 3px 0;
    border-top: 1px solid rgb(0 0 0 / 0.08);
  }
  .help-row dt,
  .help-row dd {
    margin: 0;
  }
  /* Coarse pointers (touch): hit targets of at least 24 px (rail buttons 44), larger handles. */
  @media (pointer: coarse) {
    :host {
      --_handle-size: var(--label-canvas-handle-size, var(--label-handle-size, 16));
    }
    .rail-button {
      width: 44px;
      height: 44px;
    }
    button,
    select {
      min-height: 32px;
      min-width: 32px;
    }
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
