// What the modules of <label-canvas> (renderer.ts, pointer.ts, commands.ts) see of the element: its
// state and the few edit paths, through one object the element builds, so each module stays testable
// on its own and the element keeps its properties, render, edits and events.
import type { Annotation, LabelClass } from '@labelkit/core';
import type { ChangeSource, EditAction, IdentifiedAnnotation } from '../events.js';
import type { CanvasMode, CanvasTool, ShapeKind } from './label-canvas.component.js';
import type { CanvasModel, Pair } from './model.js';
import type { Scene } from './scene.js';
import type { CanvasStage } from './stage.js';
import type { CanvasTheme } from './theme.js';
import type { ImageLoader } from './image-loader.js';
import type { Window } from './image-input.js';
import type { Viewport } from './viewport.js';
import type { PointerInput } from './pointer.js';
import type { FrameRenderer } from './renderer.js';

export interface CanvasInternals {
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
  readonly labels: readonly LabelClass[];
  readonly mode: CanvasMode;
  readonly tool: CanvasTool;
  readonly shapes: readonly ShapeKind[];
  readonly frozen: boolean;
  readonly locked: boolean;
  readonly vertexEdit: boolean;
  readonly window: Window | undefined;
  /** Shapes hidden from the region list (not drawn, not hit). */
  readonly hidden: ReadonlySet<string>;
  readonly helpOpen: boolean;
  toggleHelp(): void;
  colorOf(label: string): string;
  currentLabel(): string | undefined;
  setSelection(ids: readonly string[], quiet?: boolean): void;
  edit(action: EditAction, annotations: readonly Pair[], prelabels: readonly Pair[], source: ChangeSource): boolean;
  createShape(a: Annotation): void;
  insertVertex(a: IdentifiedAnnotation & { kind: 'polygon' }, x: number, y: number): void;
  /** The view moved (settled: it stopped moving). */
  viewChanged(settled: boolean): void;
  setWindow(w: Window): void;
  setTool(mode: CanvasMode, tool: CanvasTool): void;
  toggleLock(): void;
  toggleVertexEdit(): void;
  templateBox(): void;
  setHint(text: string): void;
  /** The user took hold of the selection: label keys now relabel it (not the next shape's label). */
  heldSelection(): void;
  updateActions(): void;
  focus(): void;
  requestUpdate(): void;
}
