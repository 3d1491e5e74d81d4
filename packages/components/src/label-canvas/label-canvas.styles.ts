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
  /* Tool rail: a floating vertical toolbar, at the start or end edge. */
  .rail {
    position: absolute;
    top: 8px;
    left: 8px;
    display: flex;
    flex-direction: column;
    gap: 6px;
    padding: 4px;
    border-radius: 8px;
    background: var(--label-canvas-rail-background, var(--_chip-background));
    color: var(--_chip-color);
    box-shadow: 0 1px 4px rgb(0 0 0 / 0.4);
    max-height: calc(100% - 16px);
    overflow-y: auto;
    z-index: 2;
  }
  :host([rail='end']) .rail {
    left: auto;
    right: 8px;
  }
  :host([rail='end'][region-list]) .rail {
    right: calc(var(--label-canvas-regions-width, 260px) + 16px);
  }
  .rail-group {
    display: flex;
    flex-direction: column;
    gap: 2px;
  }
  .rail-group + .rail-group {
    border-top: 1px solid rgb(0 0 0 / 0.15);
    padding-top: 6px;
  }
  .rail-button {
    width: var(--label-canvas-rail-button-size, 32px);
    height: var(--label-canvas-rail-button-size, 32px);
    padding: 0;
    display: grid;
    place-items: center;
    font-size: 15px;
    border-color: transparent;
    background: transparent;
  }
  .rail-button:hover:not([disabled]) {
    background: rgb(0 0 0 / 0.08);
  }
  .rail-button[aria-pressed='true'] {
    background: var(--_selection-color);
    color: var(--_text-color);
  }
  .rail-button[disabled] {
    opacity: 0.4;
    cursor: default;
  }
  .rail-button .icon {
    width: 20px;
    height: 20px;
  }
  /* A short canvas: each group of the rail takes two columns, so every tool stays in view. */
  @container (max-height: 620px) {
    .rail-group:not(.rail-toggle-group) {
      display: grid;
      grid-template-columns: repeat(2, var(--label-canvas-rail-button-size, 32px));
    }
  }
  .rail-button.preset {
    font-size: 11px;
    font-weight: 600;
  }
  /* Region list: a floating panel at the end edge; rows are virtualized (absolutely placed). */
  .regions {
    position: absolute;
    top: 8px;
    right: 8px;
    bottom: 8px;
    width: var(--label-canvas-regions-width, 260px);
    max-width: calc(100% - 72px);
    display: flex;
    flex-direction: column;
    border-radius: 8px;
    background: var(--label-canvas-regions-background, var(--_chip-background));
    color: var(--_chip-color);
    box-shadow: 0 1px 4px rgb(0 0 0 / 0.4);
    font-size: 13px;
    z-index: 2;
  }
  .regions-title {
    padding: 6px 10px;
    font-weight: 600;
    border-bottom: 1px solid rgb(0 0 0 / 0.12);
  }
  .regions-title .count {
    font-weight: 400;
    opacity: 0.7;
  }
  .regions-scroll {
    flex: 1;
    overflow-y: auto;
    contain: strict;
  }
  .regions-rows {
    position: relative;
  }
  .regions-empty {
    margin: 10px;
    opacity: 0.7;
  }
  .region {
    position: absolute;
    left: 0;
    right: 0;
    top: 0;
    height: 34px;
    display: flex;
    align-items: center;
    gap: 2px;
    padding: 0 4px;
    box-sizing: border-box;
  }
  .region.selected {
    background: color-mix(in srgb, var(--_selection-color) 18%, transparent);
  }
  .region.hidden .region-text {
    opacity: 0.5;
    text-decoration: line-through;
  }
  .region-name {
    flex: 1;
    min-width: 0;
    display: flex;
    align-items: center;
    gap: 6px;
    border-color: transparent;
    background: transparent;
    text-align: left;
    padding: 3px 4px;
    min-height: 28px;
  }
  .region-text {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .swatch {
    flex: none;
    width: 12px;
    height: 12px;
    border-radius: 3px;
    background: var(--c);
  }
  .region.pre .swatch {
    background: transparent;
    border: 2px dashed var(--c);
    width: 8px;
    height: 8px;
  }
  .confidence {
    margin-left: auto;
    font-variant-numeric: tabular-nums;
    opacity: 0.8;
  }
  .region select {
    width: 84px;
    min-height: 26px;
  }
  .region .icon {
    min-width: 26px;
    min-height: 26px;
    padding: 0 4px;
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
