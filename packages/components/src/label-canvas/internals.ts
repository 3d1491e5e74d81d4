// What the modules of <label-canvas> (renderer.ts, pointer.ts, commands.ts) see of the element: its
// state and the few edit paths, through one object the element builds, so each module stays testable
// on its own and the element keeps its properties, render, edits and events.
import type { Annotation } from '@labelkit/core';
import type { ChangeSource, EditAction, IdentifiedAnnotation } from '../events.js';
import type { LabelCanvas } from './label-canvas.component.js';
import type { CanvasModel, Pair } from './model.js';
import type { Scene } from './scene.js';
import type { CanvasStage } from './stage.js';
import type { CanvasTheme } from './theme.js';
import type { ImageLoader } from './image-loader.js';
import type { Viewport } from './viewport.js';
import type { PointerInput } from './pointer.js';
import type { FrameRenderer } from './renderer.js';

export interface CanvasInternals {
  /** The element: its public properties (mode, tool, shapes, labels, locked, window…) and methods. */
  readonly el: LabelCanvas;
  readonly model: CanvasModel;
  readonly scene: Scene;
  readonly viewport: Viewport;
  readonly loader: ImageLoader;
  readonly renderer: FrameRenderer;
  readonly input: PointerInput;
  /** The Konva stage (null before the first render). */
  readonly stage: CanvasStage | null;
  readonly stageEl: HTMLDivElement;
  readonly rasterHost: HTMLDivElement;
  readonly theme: CanvasTheme;
  readonly selection: readonly string[];
  /** No edits: `readonly`, or `view` mode. */
  readonly frozen: boolean;
  /** Shapes hidden from the region list (not drawn, not hit). */
  readonly hidden: ReadonlySet<string>;
  readonly helpOpen: boolean;
  readonly railCollapsed: boolean;
  toggleHelp(): void;
  toggleRail(): void;
  setHidden(ids: ReadonlySet<string>): void;
  nameOf(label: string): string;
  colorOf(label: string): string;
  setSelection(ids: readonly string[], quiet?: boolean): void;
  edit(action: EditAction, annotations: readonly Pair[], prelabels: readonly Pair[], source: ChangeSource): boolean;
  createShape(a: Annotation): void;
  insertVertex(a: IdentifiedAnnotation & { kind: 'polygon' }, x: number, y: number): void;
  /** The view moved (settled: it stopped moving). */
  viewChanged(settled: boolean): void;
  /** The user changed the tool, the active label, point editing or the lock: `label-tool-change`. */
  toolChanged(): void;
  templateBox(): void;
  setHint(text: string): void;
  /** The user took hold of the selection: label keys now relabel it (not the next shape's label). */
  heldSelection(): void;
  updateActions(): void;
}
