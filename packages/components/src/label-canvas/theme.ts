import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** The resolved theme values the Konva drawing needs (Konva does not read CSS). */
export interface CanvasTheme {
  selectionColor: string;
  handleColor: string;
  textColor: string;
  strokeWidth: number;
  fillOpacity: number;
  handleSize: number;
  font: string;
}

export const DEFAULT_THEME: CanvasTheme = {
  selectionColor: '#3b82f6',
  handleColor: '#ffffff',
  textColor: '#ffffff',
  strokeWidth: 2,
  fillOpacity: 0.15,
  handleSize: 8,
  font: 'system-ui, sans-serif',
};

/**
 * Reads the element's resolved `--_*` theme properties (which fall back from `--label-canvas-*` to
 * `--label-*`) and calls `onChange` when any of them changes. Change detection needs no polling: a
 * hidden probe element uses the properties and has a 1 ms transition, so the browser fires
 * `transitionrun` whenever a resolved value changes — from the host's style, a class on an ancestor,
 * a media query, anything.
 */
export class ThemeController implements ReactiveController {
  value: CanvasTheme = { ...DEFAULT_THEME };
  private probe?: HTMLElement;
  private readonly onTransition = () => this.read(true);

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly onChange: (theme: CanvasTheme) => void,
  ) {
    host.addController(this);
  }

  /** Attach the probe (an element in the host's shadow root styled by `.probe`). */
  attach(probe: HTMLElement): void {
    this.probe?.removeEventListener('transitionrun', this.onTransition);
    this.probe = probe;
    probe.addEventListener('transitionrun', this.onTransition);
    this.read(false);
  }

  hostConnected(): void {
    if (this.probe) this.read(true);
  }

  hostDisconnected(): void {
    this.probe?.removeEventListener('transitionrun', this.onTransition);
  }

  /** Re-reads the values; calls `onChange` when they differ (or always, with `notify` and a difference). */
  read(notify: boolean): void {
    const cs = getComputedStyle(this.host);
    const get = (name: string) => cs.getPropertyValue(name).trim();
    const num = (name: string, d: number) => {
      const v = parseFloat(get(name));
      return Number.isFinite(v) ? v : d;
    };
    const next: CanvasTheme = {
      selectionColor: get('--_selection-color') || DEFAULT_THEME.selectionColor,
      handleColor: get('--_handle-color') || DEFAULT_THEME.handleColor,
      textColor: get('--_text-color') || DEFAULT_THEME.textColor,
      strokeWidth: num('--_stroke-width', DEFAULT_THEME.strokeWidth),
      fillOpacity: Math.max(0, Math.min(1, num('--_fill-opacity', DEFAULT_THEME.fillOpacity))),
      handleSize: num('--_handle-size', DEFAULT_THEME.handleSize),
      font: get('--_font') || DEFAULT_THEME.font,
    };
    const changed = (Object.keys(next) as (keyof CanvasTheme)[]).some((k) => next[k] !== this.value[k]);
    this.value = next;
    if (changed && notify) this.onChange(next);
  }
}
