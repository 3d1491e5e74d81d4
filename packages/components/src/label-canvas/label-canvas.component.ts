import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, state, query } from 'lit/decorators.js';
// Konva's core and only the shapes used (not the whole library): each shape module registers itself.
import Konva from 'konva/lib/Core.js';
import { Rect as KRect } from 'konva/lib/shapes/Rect.js';
import { Line as KLine } from 'konva/lib/shapes/Line.js';
import { Circle as KCircle } from 'konva/lib/shapes/Circle.js';
import { Transformer as KTransformer } from 'konva/lib/shapes/Transformer.js';
import type { Annotation, LabelClass } from '@labelkit/core';
import { LABEL_PALETTE as PALETTE, LabelkitError } from '@labelkit/core';
import { emit, type ChangeSource, type EditAction, type IdentifiedAnnotation } from '../events.js';
import { styleProps } from '../directives/style-props.js';
import { labelForKey } from '../label-keys.js';
import { styles } from './label-canvas.styles.js';
import {
  bounds, clampToImage, fitView, hitShape, isDegenerateBox, isDegeneratePolygon, segmentDistance2, toImage, toScreen,
  translate, union, viewAt, zoomAt, type Rect, type View,
} from './geometry.js';
import { CanvasModel, newId, type Change, type Pair } from './model.js';
import { Scene, type SceneInput } from './scene.js';
import { ThemeController } from './theme.js';
import { fromDecoded, loadImage, type CanvasImageInput, type LoadedImage, type Window, type WindowPresetLike } from './image-input.js';
import { draggedWindow, mediaDecoder, rewindow } from './media.js';

export type CanvasMode = 'classify' | 'box' | 'polygon' | 'view';
/** `draw` creates shapes of the mode's kind; `edit` selects, moves and reshapes (Azure ML's M). */
export type CanvasTool = 'draw' | 'edit';
/** A shape kind the canvas can draw. */
export type ShapeKind = 'box' | 'polygon';

const MIN_SCREEN_SIZE = 4; // a box smaller than this on screen (either side) is a click, not a box
const CLOSE_DISTANCE = 10; // screen px from the first point that closes a polygon
const HIT_TOLERANCE = 4; // screen px around a shape's outline that still hits it
const SETTLE_MS = 140; // no view change for this long → crisp redraw
const TEMPLATE_SIZE = 50;

type Gesture =
  | { kind: 'pan'; id: number; sx: number; sy: number; view: View }
  | { kind: 'box'; id: number; x0: number; y0: number; x1: number; y1: number; sx: number; sy: number }
  | { kind: 'marquee'; id: number; x0: number; y0: number; x1: number; y1: number }
  | { kind: 'window'; id: number; sx: number; sy: number; start: Window }
  | { kind: 'pinch'; ids: [number, number]; d0: number; m0: [number, number]; view: View };

/**
 * The annotation surface: an image with boxes, polygons and class tags, drawn with Konva, fast with
 * 10,000 shapes. Works on its own with plain data: set `image` and `annotations`, listen to events.
 *
 * @summary Draw, edit and review boxes, polygons and image tags on an image (JPEG, PNG, TIFF, DICOM).
 *
 * @fires {CustomEvent<AnnotationCreateDetail>} label-annotation-create - Shapes or tags were created (drawn, pasted, accepted, undone delete).
 * @fires {CustomEvent<AnnotationUpdateDetail>} label-annotation-update - Shapes were moved, resized, reshaped or relabelled (at the end of the gesture).
 * @fires {CustomEvent<AnnotationDeleteDetail>} label-annotation-delete - Shapes or tags were deleted.
 * @fires {CustomEvent<SelectionChangeDetail>} label-selection-change - The selection changed.
 * @fires {CustomEvent<PrelabelDetail>} label-prelabel-accept - Prelabels were accepted (they become annotations).
 * @fires {CustomEvent<PrelabelDetail>} label-prelabel-reject - Prelabels were rejected.
 * @fires {CustomEvent<EditRequestDetail>} label-edit-request - Cancelable; fired before every edit. `preventDefault()` vetoes it.
 * @fires {CustomEvent<ImageLoadDetail>} label-image-load - The image (or a new frame) is shown.
 * @fires {CustomEvent<ViewChangeDetail>} label-view-change - Zoom or pan ended (fired when the view settles).
 * @fires {CustomEvent<ErrorDetail>} label-error - The image could not be loaded, or input was invalid.
 *
 * @csspart base - The wrapper of everything.
 * @csspart stage - The Konva stage (the canvases).
 * @csspart tags - The row of class tags (classification).
 * @csspart tag - One class tag; prelabel tags also have part `prelabel`.
 * @csspart prelabel-bar - The "Accept all / Reject all" bar shown while there are prelabels.
 * @csspart prelabel-actions - The accept/reject buttons beside a selected prelabel.
 * @csspart button - Every button.
 * @csspart message - The text shown while loading, on error, or with no image.
 * @csspart media-bar - Window presets and frame switching, shown for DICOM, high-bit-depth and multi-page images.
 * @csspart presets - The window preset `<select>`.
 * @csspart status - The ARIA live region announcing the selection (visually hidden).
 *
 * @cssprop --label-canvas-background - Behind the image (falls back to --label-surface-sunken).
 * @cssprop --label-canvas-selection-color - Selection outline and handles (falls back to --label-accent).
 * @cssprop --label-canvas-handle-color - Fill of resize and vertex handles (falls back to --label-surface).
 * @cssprop --label-canvas-stroke-width - Shape outline width in screen pixels (falls back to --label-stroke-width; default 2).
 * @cssprop --label-canvas-fill-opacity - Shape fill opacity (falls back to --label-fill-opacity; default 0.15).
 * @cssprop --label-canvas-handle-size - Handle size in screen pixels (falls back to --label-handle-size; default 8).
 * @cssprop --label-canvas-text-color - Text on label-coloured backgrounds (falls back to --label-text-on-accent).
 * @cssprop --label-canvas-font-family - Font of labels and tags (falls back to --label-font-family).
 * @cssprop --label-canvas-focus-ring - Focus outline (falls back to --label-focus-ring).
 * @cssprop --label-canvas-chip-background - Tag and bar background (falls back to --label-surface).
 * @cssprop --label-canvas-chip-color - Tag and bar text (falls back to --label-text).
 */
export class LabelCanvas extends LitElement {
  static override styles = styles;

  /** The image: a URL, Blob/File, ImageBitmap, `<img>`, canvas, `{bytes, path}` or a decoded image (`{width, height, bitmap | rgba}`). TIFF and DICOM go through `@labelkit/core/media`. */
  @property({ attribute: false }) image: CanvasImageInput | null = null;
  /** What the canvas creates: `classify` (image tags), `box`, `polygon`, or `view` (look only). */
  @property({ reflect: true }) mode: CanvasMode = 'box';
  /** `draw` (R / P) creates shapes; `edit` (M) selects, moves and reshapes them. */
  @property({ reflect: true }) tool: CanvasTool = 'draw';
  /**
   * The shape kinds that may be drawn: a project kind takes one (boxes for object detection, polygons
   * for instance segmentation). Tools for the others are neither on keys nor shown (R and T need
   * `box`; P and U need `polygon`). Attribute: `shapes="box"`.
   */
  @property({ converter: { fromAttribute: (v: string | null) => (v ?? '').split(/[\s,]+/).filter(Boolean) } })
  shapes: readonly ShapeKind[] = ['box', 'polygon'];
  /** Point editing (U): a click on the selected polygon's edge inserts a point, on a vertex removes it. */
  @property({ type: Boolean, reflect: true, attribute: 'vertex-edit' }) vertexEdit = false;
  /** The project's label classes; the first ten answer to keys 1–9, 0 (a label's own `key` wins). */
  @property({ attribute: false }) labels: readonly LabelClass[] = [];
  /** Annotations in image pixels. The canvas gives an id to those without one and replaces the array (never mutates it) on every edit. */
  @property({ attribute: false }) annotations: readonly Annotation[] = [];
  /** Id of the label new shapes get. Defaults to the first label. */
  @property({ attribute: 'active-label' }) activeLabel: string | undefined;
  /** Proposed annotations (with `confidence`), drawn dashed until accepted or rejected. */
  @property({ attribute: false }) prelabels: readonly Annotation[] = [];
  /** No edits: view, zoom and select only. */
  @property({ type: Boolean, reflect: true }) readonly = false;
  /** Existing shapes ignore the pointer (draw on top of them); toggled by L. */
  @property({ type: Boolean, reflect: true }) locked = false;
  /** Classification: several tags per image (multi-label) instead of one. */
  @property({ type: Boolean, attribute: 'multi-label' }) multiLabel = false;
  /** Page (TIFF) or frame (DICOM) shown, 0-based. */
  @property({ type: Number }) frame = 0;
  /** Window/level of a DICOM or high-bit-depth image; set by right-drag or a preset. */
  @property({ attribute: false }) window: Window | undefined;

  @state() private loadState: 'empty' | 'loading' | 'ready' | 'error' = 'empty';
  @state() private loadError = '';
  @state() private selection: readonly string[] = [];
  /** A hint shown on the canvas and announced (e.g. a polygon that needs more points). */
  @state() private hint = '';
  @state() private actionsAt: [number, number] | null = null;

  @query('.stage') private stageEl!: HTMLDivElement;
  @query('.raster-host') private rasterHost!: HTMLDivElement;
  @query('.probe') private probeEl!: HTMLDivElement;

  /** No edits: `readonly`, or `view` mode (look only). */
  private get frozen(): boolean {
    return this.readonly || this.mode === 'view';
  }

  private readonly model = new CanvasModel();
  private readonly scene = new Scene();
  private readonly theme = new ThemeController(this, () => this.redrawAll());
  private loaded: LoadedImage | null = null;
  private loadAbort: AbortController | null = null;
  private stage?: Konva.Stage;
  private sceneLayer?: Konva.Layer;
  private editLayer?: Konva.Layer;
  private world?: Konva.Group;
  private selGroup?: Konva.Group;
  private transformer?: KTransformer;
  private draftNode?: KLine;
  private draftMarker?: KCircle;
  private hoverNode?: KLine;
  private marqueeNode?: KRect;
  private resizeObserver?: ResizeObserver;

  private vw = 0;
  private vh = 0;
  private viewState: View = { scale: 1, x: 0, y: 0 };
  private userMoved = false;
  private moving = false;
  private settleTimer = 0;
  private frameRequest = 0;
  private sceneDirty: Rect | 'all' | null = 'all';
  private editDirty = true;
  private selectionDirty = true;
  private rasterIdle = 0;
  private gesture: Gesture | null = null;
  private pointers = new Map<number, [number, number]>();
  private polygonDraft: number[] | null = null;
  private pointerImage: [number, number] | null = null;
  private hoverId: string | null = null;
  private spaceDown = false;
  private lastBoxSize: [number, number] | null = null;
  private windowPresets: readonly WindowPresetLike[] = [];
  private windowFrame = 0;

  constructor() {
    super();
    this.addEventListener('keydown', this.onKeyDown);
    this.addEventListener('keyup', this.onKeyUp);
    this.addEventListener('blur', () => (this.spaceDown = false));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.hasAttribute('tabindex')) this.tabIndex = 0;
    this.setAttribute('role', 'application');
    this.setAttribute('aria-roledescription', 'annotation canvas');
    if (!this.hasAttribute('aria-label')) this.setAttribute('aria-label', 'Image annotation canvas');
    if (this.stage) this.observeSize();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
    cancelAnimationFrame(this.frameRequest);
    cancelIdle(this.rasterIdle);
    clearTimeout(this.settleTimer);
    this.frameRequest = 0;
    this.loadAbort?.abort();
  }

  // ——— public API ———

  /** The current view: screen pixels per image pixel, and the image point at the viewport's centre. */
  get view(): { scale: number; cx: number; cy: number } {
    const v = this.viewState;
    return { scale: v.scale, cx: (this.vw / 2 - v.x) / v.scale, cy: (this.vh / 2 - v.y) / v.scale };
  }
  /** Shows image point (cx, cy) at the viewport's centre at `scale` (default: keep the scale). */
  setView(view: { scale?: number; cx: number; cy: number }): void {
    this.userMoved = true;
    this.applyView(viewAt(view.scale ?? this.viewState.scale, view.cx, view.cy, this.vw, this.vh));
  }
  /** The scale at which the whole image fits the viewport. */
  get fitScale(): number {
    return this.loaded ? fitView(this.loaded.width, this.loaded.height, this.vw || 1, this.vh || 1).scale : 1;
  }
  /** Fits the whole image in the viewport. */
  fit(): void {
    this.userMoved = false;
    if (this.loaded) this.applyView(fitView(this.loaded.width, this.loaded.height, this.vw, this.vh));
  }
  /** Zooms by `factor` around a viewport point (default: the centre). */
  zoomBy(factor: number, at: [number, number] = [this.vw / 2, this.vh / 2]): void {
    this.userMoved = true;
    const fs = this.fitScale;
    this.applyView(zoomAt(this.viewState, factor, at[0], at[1], fs / 4, Math.max(32, fs * 64)));
  }
  /** Image coordinates of a point given in client (page viewport) coordinates. */
  clientToImage(clientX: number, clientY: number): [number, number] {
    const r = this.getBoundingClientRect();
    return toImage(this.viewState, clientX - r.left, clientY - r.top);
  }
  /** Client (page viewport) coordinates of an image point. */
  imageToClient(x: number, y: number): [number, number] {
    const r = this.getBoundingClientRect();
    const [sx, sy] = toScreen(this.viewState, x, y);
    return [sx + r.left, sy + r.top];
  }
  /** The size of the loaded image, or null. */
  get imageSize(): { width: number; height: number; frames: number } | null {
    return this.loaded && { width: this.loaded.width, height: this.loaded.height, frames: this.loaded.frames };
  }
  /** Ids of the selected annotations or prelabels. */
  get selectedIds(): readonly string[] {
    return this.selection;
  }
  /** Selects annotations (or prelabels) by id. */
  select(ids: readonly string[]): void {
    this.setSelection(ids.filter((id) => this.model.get(id)));
  }
  get canUndo(): boolean {
    return this.model.canUndo;
  }
  get canRedo(): boolean {
    return this.model.canRedo;
  }
  undo(): void {
    if (this.frozen) return;
    this.cancelDraft();
    const c = this.model.undo();
    if (c) this.afterChange(c, 'undo');
  }
  redo(): void {
    if (this.frozen) return;
    this.cancelDraft();
    const c = this.model.redo();
    if (c) this.afterChange(c, 'redo');
  }
  /** Deletes the selected annotations and rejects selected prelabels. */
  deleteSelected(): void {
    const ids = this.selection;
    const pre = ids.filter((id) => this.model.isPrelabel(id));
    if (pre.length) this.rejectPrelabels(pre);
    const del = ids.filter((id) => !this.model.isPrelabel(id)).map((id) => this.model.get(id)!).filter(Boolean);
    if (del.length) this.edit('delete', del.map((a) => [a, null] as Pair), [], 'user');
  }
  /** Deletes every annotation (one undoable step). */
  deleteAll(): void {
    if (this.model.items.length) this.edit('delete', this.model.items.map((a) => [a, null] as Pair), [], 'user');
  }
  /** Accepts prelabels (all when `ids` is omitted): they become annotations. */
  acceptPrelabels(ids?: readonly string[]): void {
    const pre = this.model.prelabels.filter((p) => !ids || ids.includes(p.id));
    if (!pre.length) return;
    const made = pre.map((p) => {
      const { confidence: _c, ...rest } = p;
      return { ...rest, id: newId('a') } as IdentifiedAnnotation;
    });
    const replaced: Pair[] = [];
    if (this.mode === 'classify' && !this.multiLabel) {
      for (const a of this.model.items) if (a.kind === 'class') replaced.push([a, null]);
    }
    this.edit('prelabel-accept', [...replaced, ...made.map((a) => [null, a] as Pair)], pre.map((p) => [p, null] as Pair), 'user');
  }
  /** Rejects prelabels (all when `ids` is omitted). */
  rejectPrelabels(ids?: readonly string[]): void {
    const pre = this.model.prelabels.filter((p) => !ids || ids.includes(p.id));
    if (pre.length) this.edit('prelabel-reject', [], pre.map((p) => [p, null] as Pair), 'user');
  }
  /**
   * Sets the label of the selection, or (with nothing selected) the active label — the label new
   * shapes get; in `classify` mode, toggles that tag. Right after drawing, the new shape is selected
   * but a label picks the active label for the *next* shape (the one just drawn keeps its label):
   * to relabel a shape, select it first (click, marquee, Tab in the region list).
   */
  applyLabel(labelId: string): void {
    if (!this.labels.some((l) => l.id === labelId)) return;
    if (this.mode === 'classify') return this.toggleTag(labelId);
    if (this.selection.length && !this.drawnSelection) {
      const sel = this.selection.map((id) => this.model.get(id)!).filter((a) => a && !this.model.isPrelabel(a.id) && a.label !== labelId);
      if (sel.length && !this.frozen) this.edit('update', sel.map((a) => [a, { ...a, label: labelId }] as Pair), [], 'user');
      return;
    }
    if (this.currentLabel() === labelId && this.activeLabel === labelId) return;
    this.activeLabel = labelId;
    this.toolChanged();
  }
  /** The label new shapes get: `activeLabel`, else the first label. */
  get effectiveLabel(): string | undefined {
    return this.currentLabel();
  }
  /** Tells the host (a palette, a toolbar) that the user changed a tool or the active label. */
  private toolChanged(): void {
    emit(this, 'label-tool-change', { mode: this.mode, tool: this.tool, activeLabel: this.currentLabel(), vertexEdit: this.vertexEdit, locked: this.locked });
  }
  /** Switches tool (R, P, M and the tool rail): tells the host. */
  private setTool(mode: CanvasMode, tool: CanvasTool): void {
    if (this.mode === mode && this.tool === tool) return;
    this.mode = mode;
    this.tool = tool;
    this.toolChanged();
  }
  /** May this canvas draw shapes of kind `k`? */
  private can(k: ShapeKind): boolean {
    return this.shapes.includes(k);
  }
  /** True while the selection is the shape just drawn (a label key then picks the next shape's label). */
  private drawnSelection = false;
  /** The window/level presets of the image (DICOM's own, then automatic ones); empty for 8-bit images. */
  get presets(): readonly WindowPresetLike[] {
    return this.windowPresets;
  }
  /** Applies a window/level preset by id. */
  applyPreset(id: string): void {
    const p = this.windowPresets.find((w) => w.id === id);
    if (p) this.window = p.window;
  }

  // ——— Lit lifecycle ———

  protected override render() {
    const tags = this.mode === 'classify' ? this.model.items.filter((a) => a.kind === 'class') : [];
    const preTags = this.mode === 'classify' ? this.model.prelabels.filter((a) => a.kind === 'class') : [];
    const pre = this.model.prelabels.length;
    const message =
      this.loadState === 'loading' ? 'Loading image…' : this.loadState === 'error' ? this.loadError : this.loadState === 'empty' ? 'No image' : '';
    return html`<div part="base" class="base">
      <div class="raster-host"></div>
      <div part="stage" class="stage"></div>
      <div class="probe"></div>
      ${tags.length || preTags.length
        ? html`<div part="tags" class="tags">
            ${tags.map((t) => html`<span part="tag" class="tag" ${styleProps({ '--tag-color': this.colorOf(t.label) })}>${this.nameOf(t.label)}</span>`)}
            ${preTags.map(
              (t) =>
                html`<span part="tag prelabel" class="tag" ${styleProps({ '--tag-color': this.colorOf(t.label), 'border-left-style': 'dashed' })}
                  >${this.nameOf(t.label)}${t.confidence !== undefined ? ` ${Math.round(t.confidence * 100)}%` : ''}?</span
                >`,
            )}
          </div>`
        : nothing}
      ${this.actionsAt && !this.frozen
        ? html`<div part="prelabel-actions" class="actions" ${styleProps({ left: `${this.actionsAt[0]}px`, top: `${this.actionsAt[1]}px` })}>
            <button part="button" @click=${() => this.acceptPrelabels(this.selection)} title="Accept (Enter)">✓ Accept</button>
            <button part="button" @click=${() => this.rejectPrelabels(this.selection)} title="Reject (Delete)">✗ Reject</button>
          </div>`
        : nothing}
      ${pre && !this.frozen
        ? html`<div part="prelabel-bar" class="bar">
            <span>${pre} prelabel${pre === 1 ? '' : 's'}</span>
            <button part="button" @click=${() => this.acceptPrelabels()}>Accept all</button>
            <button part="button" @click=${() => this.rejectPrelabels()}>Reject all</button>
          </div>`
        : nothing}
      ${this.renderMediaBar()}
      ${message ? html`<div part="message" class="message">${message}</div>` : nothing}
      ${this.vertexEdit && !this.frozen && this.mode !== 'classify'
        ? html`<div part="tool-state" class="tool-state">Point editing <kbd>U</kbd>: click an edge of the selected polygon to add a point, a vertex to remove it</div>`
        : nothing}
      ${this.hint ? html`<div part="hint" class="hint">${this.hint}</div>` : nothing}
      <div part="status" class="sr-only" role="status" aria-live="polite">${this.hint || this.describeSelection()}</div>
    </div>`;
  }

  /** Window presets (DICOM, > 8-bit grey) and frame switching (multi-page TIFF, multi-frame DICOM). */
  private renderMediaBar() {
    const img = this.loadState === 'ready' ? this.loaded : null;
    if (!img || (img.frames < 2 && !this.windowPresets.length)) return nothing;
    const w = this.window;
    const current = w && this.windowPresets.find((p) => p.window.center === w.center && p.window.width === w.width);
    return html`<div part="media-bar" class="bar media">
      ${this.windowPresets.length
        ? html`<select part="presets" aria-label="Window preset" @change=${(e: Event) => this.applyPreset((e.target as HTMLSelectElement).value)}>
            <option value="" ?selected=${!current} disabled>${w ? `W ${Math.round(w.width)} / L ${Math.round(w.center)}` : 'Window'}</option>
            ${this.windowPresets.map((p) => html`<option value=${p.id} ?selected=${current === p}>${p.label}</option>`)}
          </select>`
        : nothing}
      ${img.frames > 1
        ? html`<button part="button" aria-label="Previous frame (Page Up)" ?disabled=${this.frame <= 0} @click=${() => (this.frame = Math.max(0, this.frame - 1))}>‹</button>
            <span>${this.frame + 1} / ${img.frames}</span>
            <button part="button" aria-label="Next frame (Page Down)" ?disabled=${this.frame >= img.frames - 1} @click=${() => (this.frame = Math.min(img.frames - 1, this.frame + 1))}>›</button>`
        : nothing}
    </div>`;
  }

  protected override firstUpdated(): void {
    this.theme.attach(this.probeEl);
    const rect = this.getBoundingClientRect();
    this.vw = Math.max(1, Math.round(rect.width));
    this.vh = Math.max(1, Math.round(rect.height));
    const stage = (this.stage = new Konva.Stage({ container: this.stageEl, width: this.vw, height: this.vh }));
    this.sceneLayer = new Konva.Layer({ listening: false, clearBeforeDraw: false });
    this.sceneLayer.add(
      new Konva.Shape({
        listening: false,
        perfectDrawEnabled: false,
        sceneFunc: (ctx) => this.drawScene(ctx._context),
      }),
    );
    this.editLayer = new Konva.Layer();
    this.world = new Konva.Group();
    this.selGroup = new Konva.Group();
    this.hoverNode = new KLine({ visible: false, closed: true, listening: false, strokeScaleEnabled: false });
    this.draftNode = new KLine({ visible: false, listening: false, strokeScaleEnabled: false });
    this.draftMarker = new KCircle({ visible: false, listening: false, strokeScaleEnabled: false });
    this.marqueeNode = new KRect({ visible: false, listening: false, strokeScaleEnabled: false, dash: [4, 4] });
    this.world.add(this.hoverNode, this.selGroup, this.draftNode, this.draftMarker, this.marqueeNode);
    this.transformer = new KTransformer({
      rotateEnabled: false,
      flipEnabled: false,
      keepRatio: false,
      ignoreStroke: true,
      visible: false,
      boundBoxFunc: (old, next) => (next.width < MIN_SCREEN_SIZE || next.height < MIN_SCREEN_SIZE ? old : next),
    });
    this.editLayer.add(this.world, this.transformer);
    stage.add(this.sceneLayer, this.editLayer);
    const el = this.stageEl;
    el.addEventListener('pointerdown', this.onPointerDown);
    el.addEventListener('pointermove', this.onPointerMove);
    el.addEventListener('pointerup', this.onPointerUp);
    el.addEventListener('pointercancel', this.onPointerUp);
    el.addEventListener('pointerleave', () => this.setHover(null));
    el.addEventListener('wheel', this.onWheel, { passive: false });
    el.addEventListener('dblclick', this.onDblClick);
    el.addEventListener('contextmenu', (e) => e.preventDefault());
    this.selGroup.on('dragend', () => this.commitGroupDrag());
    this.selGroup.on('dragmove', () => this.transformer!.forceUpdate());
    this.transformer.on('transformend', () => this.commitTransform());
    this.observeSize();
    this.updateCursor();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('image') || (changed.has('frame') && this.loaded && this.frame !== this.loaded.frame)) {
      void this.load(changed.has('image'));
    }
    if (changed.has('annotations') && this.annotations !== this.model.items) {
      this.resetModel();
    } else if (changed.has('prelabels') && this.prelabels !== this.model.prelabels) {
      this.resetModel(true);
    }
    if (changed.has('window') && this.window && this.loaded?.decoded?.raw) this.applyWindow(this.window);
    if (changed.has('readonly') || changed.has('locked') || changed.has('mode') || changed.has('tool')) {
      if (changed.has('mode') || changed.has('tool') || this.frozen) this.cancelDraft();
      if (this.locked && this.selection.length) this.setSelection([]);
      this.selectionDirty = true;
      this.requestFrame();
    }
    if (changed.has('labels') || changed.has('activeLabel')) this.redrawAll();
  }

  protected override updated(): void {
    this.updateCursor();
  }

  // ——— image loading ———

  private async load(newImage: boolean): Promise<void> {
    this.loadAbort?.abort();
    const ctrl = (this.loadAbort = new AbortController());
    if (!this.image) {
      this.loaded = null;
      this.loadState = 'empty';
      this.redrawAll();
      return;
    }
    this.loadState = 'loading';
    try {
      let img: LoadedImage;
      if (!newImage && this.loaded?.bytes) {
        const d = await mediaDecoder(this.loaded.bytes, { frame: this.frame, window: this.window, signal: ctrl.signal, hint: this.loaded.hint });
        img = fromDecoded(d, this.loaded.bytes, this.loaded.hint);
      } else {
        img = await loadImage(this.image, mediaDecoder, ctrl.signal, this.frame);
      }
      if (ctrl.signal.aborted) return;
      const sizeChanged = !this.loaded || this.loaded.width !== img.width || this.loaded.height !== img.height;
      this.loaded = img;
      this.windowPresets = img.decoded?.windowPresets ?? [];
      if (img.decoded?.raw) {
        // The decoded RGBA shows the file's own window; keep a window the user set across frames.
        this.shownWindow = img.decoded.window;
        this.shownDecoded = img.decoded;
        if (!this.window && img.decoded.window) this.window = img.decoded.window;
        else if (this.window) this.applyWindow(this.window);
      } else this.window = undefined;
      this.loadState = 'ready';
      if (newImage) {
        this.model.clearHistory();
        this.userMoved = false;
      }
      if (sizeChanged) this.model.resize(img.width, img.height);
      if (!this.userMoved || sizeChanged) this.viewState = fitView(img.width, img.height, this.vw, this.vh);
      this.redrawAll();
      emit(this, 'label-image-load', { width: img.width, height: img.height, frames: img.frames, frame: img.frame });
    } catch (error) {
      if (ctrl.signal.aborted) return;
      this.loadState = 'error';
      this.loadError = LabelkitError.is(error) ? error.message : `The image could not be shown: ${(error as Error)?.message ?? error}`;
      emit(this, 'label-error', { error, during: 'image-load' });
    }
  }

  /** Re-renders a DICOM / high-bit-depth image under window `w` (one LUT pass, into a re-used buffer). */
  private applyWindow(w: Window): void {
    const d = this.loaded?.decoded;
    if (!d?.raw || !this.loaded) return;
    const shown = this.shownWindow;
    if (shown && shown.center === w.center && shown.width === w.width && this.shownDecoded === d) return;
    this.windowBuffer = this.windowBuffer?.length === d.width * d.height * 4 ? this.windowBuffer : undefined;
    const rgba = rewindow(d, w, this.windowBuffer);
    if (!rgba) return;
    this.windowBuffer = rgba;
    const src = this.loaded.source;
    const target = src instanceof HTMLCanvasElement ? src : document.createElement('canvas');
    if (target.width !== d.width || target.height !== d.height) {
      target.width = d.width;
      target.height = d.height;
    }
    target.getContext('2d')!.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, d.width, d.height), 0, 0);
    this.loaded = { ...this.loaded, source: target };
    this.shownWindow = w;
    this.shownDecoded = d;
    this.redrawAll();
  }
  private shownWindow: Window | undefined;
  private shownDecoded: unknown;
  private windowBuffer: Uint8ClampedArray | undefined;

  /** Takes the host's annotations/prelabels; invalid entries are left out and reported as `label-error`. */
  private resetModel(prelabelsOnly = false): void {
    const failed = this.model.load(prelabelsOnly ? null : this.annotations, this.prelabels);
    for (const error of failed) emit(this, 'label-error', { error, during: 'annotations' });
    // Reflect the normalized (id-carrying) arrays back, without triggering another reset.
    this.annotations = this.model.items;
    this.prelabels = this.model.prelabels;
    this.setSelection(this.selection.filter((id) => this.model.get(id)), true);
    this.redrawAll();
  }

  // ——— drawing ———

  private colorOf(labelId: string): string {
    const i = this.labels.findIndex((l) => l.id === labelId);
    if (i < 0) return '#9ca3af';
    return this.labels[i].color || PALETTE[i % PALETTE.length];
  }
  private nameOf(labelId: string): string {
    return this.labels.find((l) => l.id === labelId)?.name ?? labelId;
  }

  private sceneInput(): SceneInput {
    return {
      model: this.model,
      image: this.loaded?.source ?? null,
      iw: this.loaded?.width ?? 1,
      ih: this.loaded?.height ?? 1,
      hidden: new Set(this.editableSelection()),
      theme: this.theme.value,
      colorOf: (l) => this.colorOf(l),
      nameOf: (l) => this.nameOf(l),
    };
  }

  private drawScene(ctx: CanvasRenderingContext2D): void {
    const region = this.sceneDirty === 'all' ? null : this.sceneDirty;
    const pr = this.sceneLayer!.getCanvas().getPixelRatio();
    if (!this.loaded) {
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
      ctx.restore();
      return;
    }
    this.scene.draw(ctx, this.sceneInput(), this.viewState, this.vw, this.vh, pr, region);
  }

  /** Everything needs drawing again (theme, labels, image, new data). */
  private redrawAll(): void {
    this.scene.invalidate('all');
    this.sceneDirty = 'all';
    this.selectionDirty = true;
    this.requestFrame();
    this.scheduleRaster();
    this.requestUpdate();
  }

  private invalidateRegion(r: Rect | null): void {
    if (!r) return;
    this.scene.invalidate(r);
    if (this.sceneDirty !== 'all') this.sceneDirty = union(this.sceneDirty, r);
    this.requestFrame();
    this.scheduleRaster();
  }

  /** Brings the motion raster up to date when the page is idle, so the next zoom or pan starts at once. */
  private scheduleRaster(): void {
    cancelIdle(this.rasterIdle);
    this.rasterIdle = requestIdle(() => {
      if (this.loaded && !this.moving) this.scene.updateRaster(this.sceneInput(), this.fitScale);
    });
  }

  private requestFrame(): void {
    if (this.frameRequest || !this.stage) return;
    this.frameRequest = requestAnimationFrame(() => {
      this.frameRequest = 0;
      this.renderFrame();
    });
  }

  /**
   * One frame. Moving: the raster element gets a new CSS transform (the compositor scales and moves
   * it; no pixels are drawn). Settled: the crisp scene pass where dirty. Then the edit layer if dirty.
   */
  private renderFrame(): void {
    if (!this.stage) return;
    const raster = this.moving && this.loaded ? this.showRaster() : null;
    if (!raster && this.rasterShown) {
      // Settling: draw the crisp scene, then hide the raster, in the same frame (no flash).
      this.rasterShown = false;
      this.sceneDirty = 'all';
      this.sceneLayer!.draw();
      this.sceneDirty = null;
      this.sceneLayer!.getNativeCanvasElement().style.visibility = '';
      this.scene.raster!.style.visibility = 'hidden';
    }
    if (this.sceneDirty && !raster) {
      this.sceneLayer!.draw();
      this.sceneDirty = null;
    }
    if (this.selectionDirty) this.syncSelectionNodes();
    if (this.editDirty || this.selectionDirty) {
      // An empty edit layer that is already clear is not drawn again: while the view moves, that
      // spares a clear and a compositor upload of a viewport-sized canvas every frame.
      const empty = !this.selection.length && !this.polygonDraft && !this.hoverId && this.gesture?.kind !== 'box' && this.gesture?.kind !== 'marquee';
      if (!(empty && this.editClear)) {
        this.syncEditLayer();
        this.editLayer!.draw();
      }
      // An empty edit layer is hidden too, so the compositor does not blend a transparent canvas.
      if (empty !== this.editClear) this.editLayer!.getNativeCanvasElement().style.visibility = empty ? 'hidden' : '';
      this.editClear = empty;
      this.editDirty = false;
      this.selectionDirty = false;
    }
  }
  private editClear = false;

  private rasterShown = false;

  /** Shows the motion raster under the stage at the current view; returns it. */
  private showRaster(): HTMLCanvasElement {
    if (!this.scene.rasterCurrent) this.scene.updateRaster(this.sceneInput(), this.fitScale);
    const c = this.scene.raster!;
    if (c.parentNode !== this.rasterHost) this.rasterHost.append(c);
    const v = this.viewState;
    c.style.transform = `translate(${v.x}px, ${v.y}px) scale(${v.scale / this.scene.rasterScale})`;
    if (!this.rasterShown) {
      c.style.visibility = 'visible';
      this.rasterShown = true;
      // Hidden, the scene canvas costs the compositor nothing (a transparent canvas is still blended).
      this.sceneLayer!.getNativeCanvasElement().style.visibility = 'hidden';
    }
    this.sceneDirty = null;
    return c;
  }

  private applyView(v: View): void {
    if (!Number.isFinite(v.scale) || v.scale <= 0) return;
    this.viewState = v;
    this.moving = true;
    this.sceneDirty = 'all';
    this.editDirty = true;
    this.actionsAt = null;
    clearTimeout(this.settleTimer);
    this.settleTimer = window.setTimeout(() => this.settle(), SETTLE_MS);
    this.requestFrame();
  }

  private settle(): void {
    this.moving = false;
    this.sceneDirty = 'all';
    this.editDirty = true;
    this.updateActions();
    this.requestFrame();
    emit(this, 'label-view-change', this.view);
  }

  private observeSize(): void {
    this.resizeObserver?.disconnect();
    this.resizeObserver = new ResizeObserver(() => {
      const r = this.getBoundingClientRect();
      const w = Math.max(1, Math.round(r.width)), h = Math.max(1, Math.round(r.height));
      if (w === this.vw && h === this.vh) return;
      const c = this.view;
      this.vw = w;
      this.vh = h;
      this.stage!.size({ width: w, height: h });
      if (this.loaded && !this.userMoved) this.viewState = fitView(this.loaded.width, this.loaded.height, w, h);
      else this.viewState = viewAt(this.viewState.scale, c.cx, c.cy, w, h);
      this.redrawAll();
    });
    this.resizeObserver.observe(this);
  }

  // ——— the edit layer ———

  /** Selected annotations that can be edited (not prelabels, not readonly). */
  private editableSelection(): string[] {
    return this.selection.filter((id) => this.model.get(id));
  }

  private syncSelectionNodes(): void {
    const g = this.selGroup!;
    g.destroyChildren();
    g.position({ x: 0, y: 0 });
    const th = this.theme.value;
    const editable = !this.frozen;
    const shapes = this.selection.map((id) => this.model.get(id)).filter((a): a is IdentifiedAnnotation => !!a && a.kind !== 'class');
    const onlyPrelabels = shapes.every((a) => this.model.isPrelabel(a.id));
    g.draggable(editable && shapes.length > 0 && !onlyPrelabels);
    const boxes: KRect[] = [];
    for (const a of shapes) {
      const color = this.colorOf(a.label);
      const pre = this.model.isPrelabel(a.id);
      const common = {
        id: a.id,
        stroke: th.selectionColor,
        strokeWidth: th.strokeWidth + 1,
        strokeScaleEnabled: false,
        fill: color,
        opacity: 1,
        dash: pre ? [6, 4] : undefined,
      };
      if (a.kind === 'box') {
        const r = new KRect({ ...common, x: a.x, y: a.y, width: a.w, height: a.h, name: 'shape' });
        r.fill(withAlpha(color, Math.max(0.25, th.fillOpacity)));
        g.add(r);
        boxes.push(r);
      } else if (a.kind === 'polygon') {
        const line = new KLine({ ...common, points: [...a.points], closed: true, name: 'shape' });
        line.fill(withAlpha(color, Math.max(0.25, th.fillOpacity)));
        g.add(line);
        if (shapes.length === 1 && editable && !pre) this.addVertexHandles(g, line, a);
      }
    }
    const tr = this.transformer!;
    const single = editable && shapes.length === 1 && boxes.length === 1 && !onlyPrelabels;
    tr.nodes(single ? boxes : []);
    tr.visible(single);
    tr.setAttrs({
      anchorSize: th.handleSize,
      anchorStroke: th.selectionColor,
      anchorFill: th.handleColor,
      borderStroke: th.selectionColor,
      borderEnabled: false,
    });
    this.updateActions();
  }

  private addVertexHandles(g: Konva.Group, line: KLine, a: IdentifiedAnnotation & { kind: 'polygon' }): void {
    const th = this.theme.value;
    const pts = a.points;
    for (let i = 0; i < pts.length; i += 2) {
      const c = new KCircle({
        x: pts[i],
        y: pts[i + 1],
        radius: th.handleSize / 2 / this.viewState.scale,
        fill: th.handleColor,
        stroke: th.selectionColor,
        strokeWidth: 1.5,
        strokeScaleEnabled: false,
        draggable: true,
        name: 'vertex',
        hitStrokeWidth: 6,
      });
      c.setAttr('vertex', i / 2);
      c.on('dragmove', () => {
        const p = line.points().slice();
        p[i] = c.x();
        p[i + 1] = c.y();
        line.points(p);
      });
      c.on('dragend', () => {
        const p = line.points().map((v, k) => clampCoord(v, k, this.loaded!));
        if (isDegeneratePolygon(p)) return void (this.selectionDirty = true, this.requestFrame());
        this.edit('update', [[a, { ...a, points: p }]], [], 'user');
      });
      c.on('pointerdown', (e) => {
        if (this.vertexEdit || e.evt.altKey) {
          e.cancelBubble = true;
          c.stopDrag();
          this.removeVertex(a, i / 2);
        }
      });
      g.add(c);
    }
    line.on('pointerdown', (e) => {
      if (!this.vertexEdit) return;
      e.cancelBubble = true;
      const pos = this.world!.getRelativePointerPosition();
      if (pos) this.insertVertex(a, pos.x, pos.y);
    });
  }

  private syncEditLayer(): void {
    const v = this.viewState;
    this.world!.setAttrs({ x: v.x, y: v.y, scaleX: v.scale, scaleY: v.scale });
    const th = this.theme.value;
    for (const c of this.selGroup!.find('.vertex')) (c as KCircle).radius(th.handleSize / 2 / v.scale);
    this.transformer!.forceUpdate();
    // hover outline
    const h = this.hoverId ? this.model.get(this.hoverId) : undefined;
    const hover = this.hoverNode!;
    if (h && h.kind !== 'class' && !this.selection.includes(h.id)) {
      hover.setAttrs({
        visible: true,
        points: h.kind === 'box' ? [h.x, h.y, h.x + h.w, h.y, h.x + h.w, h.y + h.h, h.x, h.y + h.h] : [...h.points],
        stroke: th.selectionColor,
        strokeWidth: th.strokeWidth + 1,
      });
    } else hover.visible(false);
    // draft
    const d = this.draftNode!;
    const m = this.draftMarker!;
    const g = this.gesture;
    const color = this.colorOf(this.currentLabel() ?? '');
    if (g?.kind === 'box') {
      const x0 = Math.min(g.x0, g.x1), y0 = Math.min(g.y0, g.y1), x1 = Math.max(g.x0, g.x1), y1 = Math.max(g.y0, g.y1);
      d.setAttrs({ visible: true, closed: true, points: [x0, y0, x1, y0, x1, y1, x0, y1], stroke: color, strokeWidth: th.strokeWidth, fill: withAlpha(color, th.fillOpacity), dash: undefined });
      m.visible(false);
    } else if (this.polygonDraft) {
      const pts = this.polygonDraft.slice();
      if (this.pointerImage) pts.push(...this.pointerImage);
      d.setAttrs({ visible: true, closed: false, points: pts, stroke: color, strokeWidth: th.strokeWidth, fill: undefined, dash: undefined });
      m.setAttrs({ visible: true, x: this.polygonDraft[0], y: this.polygonDraft[1], radius: CLOSE_DISTANCE / 2 / v.scale, stroke: th.selectionColor, strokeWidth: 2, fill: th.handleColor });
    } else {
      d.visible(false);
      m.visible(false);
    }
    // marquee
    const mq = this.marqueeNode!;
    if (g?.kind === 'marquee') {
      mq.setAttrs({ visible: true, x: Math.min(g.x0, g.x1), y: Math.min(g.y0, g.y1), width: Math.abs(g.x1 - g.x0), height: Math.abs(g.y1 - g.y0), stroke: th.selectionColor, strokeWidth: 1 });
    } else mq.visible(false);
  }

  private updateActions(): void {
    const ids = this.selection;
    if (!ids.length || this.moving || !ids.every((id) => this.model.isPrelabel(id))) {
      this.actionsAt = null;
      return;
    }
    let b: Rect | null = null;
    for (const id of ids) b = union(b, bounds(this.model.get(id)!));
    if (!b) {
      this.actionsAt = null;
      return;
    }
    const [sx, sy] = toScreen(this.viewState, b.x, b.y);
    this.actionsAt = [Math.max(0, Math.min(this.vw - 160, sx)), Math.max(34, sy)];
  }

  // ——— edits ———

  private currentLabel(): string | undefined {
    return this.activeLabel ?? this.labels[0]?.id;
  }

  /**
   * The one way edits happen: a cancelable `label-edit-request`, then the change (recorded for undo),
   * then the commit events. Returns false when vetoed or readonly.
   */
  private edit(action: EditAction, annotations: readonly Pair[], prelabels: readonly Pair[], source: ChangeSource): boolean {
    if (this.frozen) return false;
    const after = [...annotations, ...prelabels].map(([, a]) => a).filter((a): a is IdentifiedAnnotation => !!a);
    const previous = [...annotations, ...prelabels].map(([b]) => b).filter((a): a is IdentifiedAnnotation => !!a);
    if (!emit(this, 'label-edit-request', { action, annotations: after, previous, source })) {
      this.selectionDirty = true;
      this.requestFrame();
      return false;
    }
    const change: Change = { annotations, prelabels };
    this.model.commit(change);
    this.afterChange(change, source, action);
    return true;
  }

  /** After a change (new, undone or redone): sync properties, redraw what it touched, fire events. */
  private afterChange(c: Change, source: ChangeSource, action?: EditAction): void {
    this.annotations = this.model.items;
    this.prelabels = this.model.prelabels;
    let dirty: Rect | null = null;
    for (const [b, a] of [...c.annotations, ...c.prelabels]) dirty = union(union(dirty, b && bounds(b)), a && bounds(a));
    this.invalidateRegion(dirty);
    const created = c.annotations.filter(([b, a]) => !b && a).map(([, a]) => a!);
    const updated = c.annotations.filter(([b, a]) => b && a);
    const deleted = c.annotations.filter(([b, a]) => b && !a).map(([b]) => b!);
    const prelabelsGone = c.prelabels.filter(([b, a]) => b && !a).map(([b]) => b!);
    // Selection: what was just made or changed; nothing that no longer exists.
    let sel = this.selection.filter((id) => this.model.get(id));
    if (created.length && (source === 'user' || source === 'redo') && action !== 'prelabel-accept') sel = created.filter((a) => a.kind !== 'class').map((a) => a.id);
    if (updated.length && source !== 'user') sel = updated.map(([, a]) => a!.id);
    this.selectionDirty = true;
    this.setSelection(sel, true);
    this.drawnSelection = action === 'create' && source === 'user' && created.some((a) => a.kind !== 'class');
    if (created.length) emit(this, 'label-annotation-create', { annotations: created, source });
    if (updated.length) emit(this, 'label-annotation-update', { annotations: updated.map(([, a]) => a!), previous: updated.map(([b]) => b!), source });
    if (deleted.length) emit(this, 'label-annotation-delete', { annotations: deleted, source });
    if (prelabelsGone.length) {
      const accepted = action ? action === 'prelabel-accept' : created.length > 0;
      emit(this, accepted ? 'label-prelabel-accept' : 'label-prelabel-reject', { prelabels: prelabelsGone, source });
    }
    this.requestUpdate();
  }

  private setSelection(ids: readonly string[], quiet = false): void {
    // A selection the user made (even of the shape just drawn) is one that label keys relabel.
    if (!quiet) this.drawnSelection = false;
    const same = ids.length === this.selection.length && ids.every((id, i) => id === this.selection[i]);
    if (same) {
      if (quiet) this.selectionDirty = true;
      this.requestFrame();
      return;
    }
    const before = new Set([...this.selection, ...ids]);
    this.selection = ids;
    this.selectionDirty = true;
    let dirty: Rect | null = null;
    for (const id of before) {
      const a = this.model.get(id);
      if (a) dirty = union(dirty, bounds(a));
    }
    // Shapes moving between the scene and the edit layer: redraw that region of the scene only.
    if (dirty) {
      if (this.sceneDirty !== 'all') this.sceneDirty = union(this.sceneDirty, dirty);
      this.scene.invalidate(dirty);
      this.scheduleRaster();
    }
    this.requestFrame();
    emit(this, 'label-selection-change', { ids: [...ids], annotations: ids.map((id) => this.model.get(id)!).filter(Boolean) });
  }

  private commitGroupDrag(): void {
    const g = this.selGroup!;
    const dx = g.x(), dy = g.y();
    if (!dx && !dy) return;
    const img = this.loaded!;
    const pairs = this.selection
      .map((id) => this.model.get(id)!)
      .filter((a) => a && !this.model.isPrelabel(a.id) && a.kind !== 'class')
      .map((a) => [a, clampToImage(translate(a, dx, dy), img.width, img.height)] as Pair);
    if (!this.edit('update', pairs, [], 'user')) this.selectionDirty = true;
  }

  private commitTransform(): void {
    const node = this.transformer!.nodes()[0] as KRect | undefined;
    if (!node) return;
    const a = this.model.get(node.id());
    if (!a || a.kind !== 'box') return;
    const g = this.selGroup!;
    const w = node.width() * node.scaleX(), h = node.height() * node.scaleY();
    const next = clampToImage({ ...a, x: node.x() + g.x(), y: node.y() + g.y(), w: Math.abs(w), h: Math.abs(h) }, this.loaded!.width, this.loaded!.height);
    node.scale({ x: 1, y: 1 });
    if (isDegenerateBox(next.w, next.h, MIN_SCREEN_SIZE / this.viewState.scale)) {
      this.selectionDirty = true;
      this.requestFrame();
      return;
    }
    this.lastBoxSize = [next.w, next.h];
    this.edit('update', [[a, next]], [], 'user');
  }

  private insertVertex(a: IdentifiedAnnotation & { kind: 'polygon' }, x: number, y: number): void {
    const p = a.points;
    let best = 0, bestD = Infinity;
    for (let i = 0, j = p.length - 2; i < p.length; j = i, i += 2) {
      const [d] = segmentDistance2(x, y, p[j], p[j + 1], p[i], p[i + 1]);
      if (d < bestD) (bestD = d), (best = i);
    }
    const next = [...p.slice(0, best), x, y, ...p.slice(best)];
    if (best === 0) next.splice(0, 2), next.push(x, y);
    this.edit('update', [[a, { ...a, points: next }]], [], 'user');
  }

  private removeVertex(a: IdentifiedAnnotation & { kind: 'polygon' }, k: number): void {
    const next = a.points.filter((_, i) => Math.floor(i / 2) !== k);
    if (isDegeneratePolygon(next)) return; // a polygon keeps at least 3 points
    this.edit('update', [[a, { ...a, points: next }]], [], 'user');
  }

  private toggleTag(labelId: string): void {
    const tags = this.model.items.filter((a) => a.kind === 'class');
    const has = tags.find((t) => t.label === labelId);
    if (has) {
      this.edit('delete', [[has, null]], [], 'user');
    } else {
      const tag: IdentifiedAnnotation = { kind: 'class', label: labelId, id: newId('a') };
      const drop = this.multiLabel ? [] : tags.map((t) => [t, null] as Pair);
      this.edit('create', [...drop, [null, tag]], [], 'user');
    }
  }

  private createShape(a: Annotation): void {
    const label = this.currentLabel();
    if (label === undefined) {
      emit(this, 'label-error', { error: new LabelkitError('E_INVALID_ARGUMENT', 'There is no label to give the new shape: set `labels` (and `activeLabel`).'), during: 'create' });
      return;
    }
    const shape = { ...a, label, id: newId('a') } as IdentifiedAnnotation;
    if (shape.kind === 'box') this.lastBoxSize = [shape.w, shape.h];
    this.edit('create', [[null, shape]], [], 'user');
  }

  /** T: a box the size of the last one (50×50 px when there is none), centred on the pointer. */
  private templateBox(): void {
    if (!this.loaded) return;
    const [w, h] = this.lastBoxSize ?? [TEMPLATE_SIZE, TEMPLATE_SIZE];
    const [cx, cy] = this.pointerImage ?? [this.view.cx, this.view.cy];
    const box = clampToImage({ kind: 'box', label: '', x: cx - w / 2, y: cy - h / 2, w, h } as const, this.loaded.width, this.loaded.height);
    this.createShape(box);
  }

  private cancelDraft(): boolean {
    const had = !!this.polygonDraft || this.gesture?.kind === 'box' || this.gesture?.kind === 'marquee';
    this.polygonDraft = null;
    this.hint = '';
    if (this.gesture && this.gesture.kind !== 'pan' && this.gesture.kind !== 'pinch') this.gesture = null;
    if (had) {
      this.editDirty = true;
      this.requestFrame();
    }
    return had;
  }

  private finishPolygon(): void {
    const pts = this.polygonDraft;
    if (pts && isDegeneratePolygon(pts, 1)) {
      // Never a degenerate polygon: keep the points drawn and say what is missing.
      const n = distinctPoints(pts);
      this.hint = n < 3 ? `A polygon needs at least 3 points (${n} so far): click to add ${n === 2 ? 'one' : 'more'}, or Esc to cancel.` : 'These points enclose no area: click to add another, or Esc to cancel.';
      this.editDirty = true;
      this.requestFrame();
      return;
    }
    this.polygonDraft = null;
    this.hint = '';
    this.editDirty = true;
    this.requestFrame();
    if (!pts) return;
    this.createShape({ kind: 'polygon', label: '', points: pts.map((v, k) => clampCoord(v, k, this.loaded!)) });
  }

  // ——— pointer ———

  private localPoint(e: { clientX: number; clientY: number }): [number, number] {
    const r = this.stageEl.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  }

  /** The topmost selectable shape or prelabel at a screen point (grid lookup: only shapes near it). */
  private hitTest(sx: number, sy: number): IdentifiedAnnotation | null {
    if (!this.loaded) return null;
    const [x, y] = toImage(this.viewState, sx, sy);
    const tol = HIT_TOLERANCE / this.viewState.scale;
    for (let i = this.model.prelabels.length - 1; i >= 0; i--) {
      const p = this.model.prelabels[i];
      if (hitShape(p, x, y, tol)) return p;
    }
    if (this.locked) return null;
    const found = this.model.index.query({ x: x - tol, y: y - tol, w: 2 * tol, h: 2 * tol });
    // Topmost first; among nested shapes, the smallest one wins so inner boxes stay reachable.
    let best: IdentifiedAnnotation | null = null, bestArea = Infinity;
    for (let k = found.length - 1; k >= 0; k--) {
      const a = this.model.items[found[k]];
      if (!hitShape(a, x, y, tol)) continue;
      const b = bounds(a)!;
      const area = b.w * b.h;
      if (area < bestArea) (best = a), (bestArea = area);
    }
    return best;
  }

  private hitsEditLayer(sx: number, sy: number): boolean {
    const hit = this.stage!.getIntersection({ x: sx, y: sy });
    return !!hit && hit.getLayer() === this.editLayer;
  }

  private readonly onPointerDown = (e: PointerEvent): void => {
    if (!this.loaded) return;
    this.focus({ preventScroll: true });
    const [sx, sy] = this.localPoint(e);
    this.pointers.set(e.pointerId, [sx, sy]);
    if (this.pointers.size === 2 && e.pointerType === 'touch') {
      const [a, b] = [...this.pointers.entries()];
      this.cancelDraft();
      this.gesture = { kind: 'pinch', ids: [a[0], b[0]], d0: dist(a[1], b[1]), m0: mid(a[1], b[1]), view: this.viewState };
      return;
    }
    if (this.gesture) return;
    const capture = () => this.stageEl.setPointerCapture(e.pointerId);
    // Pan: middle button, space+drag, or any left drag in view and classify modes (a click there still selects).
    if (e.button === 1 || (e.button === 0 && (this.spaceDown || this.mode === 'view' || this.mode === 'classify'))) {
      e.preventDefault();
      this.gesture = { kind: 'pan', id: e.pointerId, sx, sy, view: this.viewState };
      capture();
      this.updateCursor();
      return;
    }
    if (e.button === 2) {
      if (this.loaded.decoded?.raw && this.window) {
        this.gesture = { kind: 'window', id: e.pointerId, sx, sy, start: this.window };
        capture();
      }
      return;
    }
    if (e.button !== 0) return;
    if (this.hitsEditLayer(sx, sy) && !this.polygonDraft) {
      this.drawnSelection = false; // the user took hold of the selection: label keys now relabel it
      return; // Konva drags the selection / handles
    }
    const [ix, iy] = toImage(this.viewState, sx, sy);
    const drawing = !this.frozen && this.tool === 'draw' && (this.mode === 'box' || this.mode === 'polygon');
    if (drawing && this.mode === 'polygon') {
      if (!this.polygonDraft) {
        this.polygonDraft = [clampX(ix, this.loaded), clampY(iy, this.loaded)];
      } else {
        const [fx, fy] = toScreen(this.viewState, this.polygonDraft[0], this.polygonDraft[1]);
        if (this.polygonDraft.length >= 6 && Math.hypot(fx - sx, fy - sy) <= CLOSE_DISTANCE) return this.finishPolygon();
        this.polygonDraft.push(clampX(ix, this.loaded), clampY(iy, this.loaded));
      }
      this.hint = '';
      this.requestUpdate(); // the live region says "Drawing a polygon"
      this.editDirty = true;
      this.requestFrame();
      return;
    }
    if (drawing && this.mode === 'box') {
      this.gesture = { kind: 'box', id: e.pointerId, x0: clampX(ix, this.loaded), y0: clampY(iy, this.loaded), x1: ix, y1: iy, sx, sy };
      capture();
      return;
    }
    // edit tool (or view/readonly): select; drag on a shape moves it, drag on empty image selects by area
    const hit = this.hitTest(sx, sy);
    if (hit) {
      const ids = e.shiftKey || e.ctrlKey || e.metaKey ? toggle(this.selection, hit.id) : this.selection.includes(hit.id) ? this.selection : [hit.id];
      this.setSelection(ids);
      if (!this.frozen && !this.model.isPrelabel(hit.id) && ids.includes(hit.id)) {
        // Start moving at once: the nodes exist after the synchronous sync below.
        this.renderFrame();
        this.selGroup!.startDrag();
      }
      return;
    }
    if (!e.shiftKey) this.setSelection([]);
    this.gesture = { kind: 'marquee', id: e.pointerId, x0: ix, y0: iy, x1: ix, y1: iy };
    capture();
  };

  private readonly onPointerMove = (e: PointerEvent): void => {
    const [sx, sy] = this.localPoint(e);
    if (this.pointers.has(e.pointerId)) this.pointers.set(e.pointerId, [sx, sy]);
    this.pointerImage = this.loaded ? toImage(this.viewState, sx, sy) : null;
    const g = this.gesture;
    if (!g) {
      if (this.polygonDraft) {
        this.editDirty = true;
        this.requestFrame();
      } else if (e.buttons === 0 && !(this.tool === 'draw' && this.mode !== 'view' && this.mode !== 'classify' && !this.frozen)) {
        this.setHover(this.hitTest(sx, sy)?.id ?? null);
      }
      return;
    }
    if (g.kind === 'pinch') {
      const a = this.pointers.get(g.ids[0]), b = this.pointers.get(g.ids[1]);
      if (!a || !b) return;
      const k = dist(a, b) / g.d0, m = mid(a, b);
      const v = zoomAt(g.view, k, g.m0[0], g.m0[1], this.fitScale / 4, this.fitScale * 64);
      this.userMoved = true;
      this.applyView({ scale: v.scale, x: v.x + m[0] - g.m0[0], y: v.y + m[1] - g.m0[1] });
      return;
    }
    if (e.pointerId !== g.id) return;
    if (g.kind === 'pan') {
      this.userMoved = true;
      this.applyView({ scale: g.view.scale, x: g.view.x + sx - g.sx, y: g.view.y + sy - g.sy });
    } else if (g.kind === 'box' || g.kind === 'marquee') {
      const [ix, iy] = this.pointerImage!;
      g.x1 = g.kind === 'box' ? clampX(ix, this.loaded!) : ix;
      g.y1 = g.kind === 'box' ? clampY(iy, this.loaded!) : iy;
      this.editDirty = true;
      this.requestFrame();
    } else if (g.kind === 'window') {
      // Window/level follows the drag, at most once a frame.
      this.pendingWindow = draggedWindow(this.loaded!.decoded!, g.start, sx - g.sx, sy - g.sy);
      this.windowFrame ||= requestAnimationFrame(() => {
        this.windowFrame = 0;
        if (this.pendingWindow) this.window = this.pendingWindow;
      });
    }
  };
  private pendingWindow: Window | null = null;

  private readonly onPointerUp = (e: PointerEvent): void => {
    this.pointers.delete(e.pointerId);
    const g = this.gesture;
    if (!g) return;
    if (g.kind === 'pinch') {
      if (!g.ids.includes(e.pointerId)) return;
      this.gesture = null;
      return;
    }
    if (g.id !== e.pointerId) return;
    this.gesture = null;
    if (this.stageEl.hasPointerCapture(e.pointerId)) this.stageEl.releasePointerCapture(e.pointerId);
    if (e.type === 'pointercancel') {
      this.editDirty = true;
      this.requestFrame();
      return;
    }
    if (g.kind === 'pan') {
      this.updateCursor();
      const [sx, sy] = this.localPoint(e);
      if (e.button === 0 && !this.spaceDown && Math.hypot(sx - g.sx, sy - g.sy) < MIN_SCREEN_SIZE) {
        const hit = this.hitTest(sx, sy);
        this.setSelection(hit ? (e.shiftKey ? toggle(this.selection, hit.id) : [hit.id]) : []);
      }
    }
    if (g.kind === 'window' && this.pendingWindow) {
      this.window = this.pendingWindow;
      this.pendingWindow = null;
    }
    if (g.kind === 'box') {
      const [sx, sy] = this.localPoint(e);
      const x = Math.min(g.x0, g.x1), y = Math.min(g.y0, g.y1), w = Math.abs(g.x1 - g.x0), h = Math.abs(g.y1 - g.y0);
      this.editDirty = true;
      this.requestFrame();
      if (Math.hypot(sx - g.sx, sy - g.sy) < MIN_SCREEN_SIZE || isDegenerateBox(w * this.viewState.scale, h * this.viewState.scale, MIN_SCREEN_SIZE)) {
        // A click, not a box: select what is under it (or clear the selection). Never a tiny box.
        const hit = this.hitTest(sx, sy);
        this.setSelection(hit ? (e.shiftKey ? toggle(this.selection, hit.id) : [hit.id]) : []);
        return;
      }
      this.createShape({ kind: 'box', label: '', x, y, w, h });
    }
    if (g.kind === 'marquee') {
      const r = { x: Math.min(g.x0, g.x1), y: Math.min(g.y0, g.y1), w: Math.abs(g.x1 - g.x0), h: Math.abs(g.y1 - g.y0) };
      this.editDirty = true;
      this.requestFrame();
      if (r.w * this.viewState.scale < MIN_SCREEN_SIZE && r.h * this.viewState.scale < MIN_SCREEN_SIZE) return;
      if (this.locked) return;
      const ids = this.model.index.query(r).map((i) => this.model.items[i].id);
      this.setSelection(e.shiftKey ? [...new Set([...this.selection, ...ids])] : ids);
    }
  };

  private readonly onDblClick = (e: MouseEvent): void => {
    if (this.polygonDraft) {
      // the two clicks of the double-click added the same point twice; drop the duplicate
      const p = this.polygonDraft;
      const n = p.length;
      if (n >= 4 && p[n - 1] === p[n - 3] && p[n - 2] === p[n - 4]) p.splice(n - 2, 2);
      this.finishPolygon();
      return;
    }
    // Double-click on a selected polygon's edge inserts a vertex there.
    const sel = this.selection.length === 1 ? this.model.get(this.selection[0]) : undefined;
    if (sel?.kind === 'polygon' && !this.frozen && !this.model.isPrelabel(sel.id)) {
      const [sx, sy] = this.localPoint(e);
      const [x, y] = toImage(this.viewState, sx, sy);
      if (hitShape(sel, x, y, HIT_TOLERANCE / this.viewState.scale)) this.insertVertex(sel, x, y);
    }
  };

  private readonly onWheel = (e: WheelEvent): void => {
    if (!this.loaded) return;
    e.preventDefault();
    const [sx, sy] = this.localPoint(e);
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? this.vh : 1;
    // ctrl+wheel is a trackpad pinch in Chromium: finer steps.
    const factor = Math.exp((-e.deltaY * unit * (e.ctrlKey ? 0.01 : 0.0015)));
    this.zoomBy(factor, [sx, sy]);
  };

  private setHover(id: string | null): void {
    if (id === this.hoverId) return;
    this.hoverId = id;
    this.editDirty = true;
    this.stageEl?.classList.toggle('hover', !!id && !this.frozen);
    this.requestFrame();
  }

  private updateCursor(): void {
    const el = this.stageEl;
    if (!el) return;
    const panning = this.gesture?.kind === 'pan';
    el.classList.toggle('panning', panning);
    el.classList.toggle('pan', !panning && (this.spaceDown || this.mode === 'view' || this.mode === 'classify'));
    el.classList.toggle('draw', !this.spaceDown && !this.frozen && this.tool === 'draw' && (this.mode === 'box' || this.mode === 'polygon'));
  }

  // ——— keyboard ———

  private readonly onKeyUp = (e: KeyboardEvent): void => {
    if (e.key === ' ') {
      this.spaceDown = false;
      this.updateCursor();
    }
  };

  private readonly onKeyDown = (e: KeyboardEvent): void => {
    if (e.composedPath()[0] instanceof HTMLButtonElement && (e.key === 'Enter' || e.key === ' ')) return;
    const mod = e.ctrlKey || e.metaKey;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    let handled = true;
    if (mod && key === 'z') (e.shiftKey ? this.redo() : this.undo());
    else if (mod && key === 'y') this.redo();
    else if (mod && key === 'a') this.setSelection(this.locked ? [] : this.model.items.filter((a) => a.kind !== 'class').map((a) => a.id));
    else if (mod) handled = false;
    else if (key === 'Escape') {
      if (!this.cancelDraft() && this.selection.length) this.setSelection([]);
      if (this.vertexEdit) {
        this.vertexEdit = false;
        this.toolChanged();
      }
    } else if (key === ' ') {
      this.spaceDown = true;
      this.updateCursor();
    } else if (key === 'Enter') {
      if (this.polygonDraft) this.finishPolygon();
      else if (this.selection.length && this.selection.every((id) => this.model.isPrelabel(id))) this.acceptPrelabels(this.selection);
      else handled = false;
    } else if (key === 'Backspace' && this.polygonDraft) {
      this.polygonDraft.splice(-2, 2);
      if (!this.polygonDraft.length) this.polygonDraft = null;
      this.hint = '';
      this.requestUpdate();
      this.editDirty = true;
      this.requestFrame();
    } else if (key === 'Delete' || key === 'Backspace') {
      if (e.shiftKey) this.deleteAll();
      else this.deleteSelected();
    } else if (/^[0-9]$/.test(key) && labelForKey(this.labels, key)) {
      this.applyLabel(labelForKey(this.labels, key)!.id);
    } else if (key.startsWith('Arrow')) {
      this.nudge(key, e.shiftKey ? 10 : 1);
    } else if (key === 'r' && this.mode !== 'classify' && this.can('box')) this.setTool('box', 'draw');
    else if (key === 'p' && this.mode !== 'classify' && this.can('polygon')) this.setTool('polygon', 'draw');
    else if (key === 'm') this.setTool(this.mode, 'edit');
    else if (key === 'l') {
      this.locked = !this.locked;
      this.toolChanged();
    } else if (key === 't' && !this.frozen && this.mode !== 'classify' && this.can('box')) this.templateBox();
    else if (key === 'u' && this.mode !== 'classify' && this.can('polygon')) {
      this.vertexEdit = !this.vertexEdit;
      this.toolChanged();
    }
    else if (key === '+' || key === '=') this.zoomBy(1.25);
    else if (key === '-' || key === '_') this.zoomBy(0.8);
    else if (key === '0' || key === 'f') this.fit();
    else if (key === 'PageDown' && this.loaded && this.frame < this.loaded.frames - 1) this.frame++;
    else if (key === 'PageUp' && this.frame > 0) this.frame--;
    else if (key === 'a' && this.selection.some((id) => this.model.isPrelabel(id))) this.acceptPrelabels(this.selection);
    else if (key === 'x' && this.selection.some((id) => this.model.isPrelabel(id))) this.rejectPrelabels(this.selection);
    else handled = false;
    if (handled) {
      e.preventDefault();
      e.stopPropagation();
    }
  };

  private nudge(key: string, step: number): void {
    const sel = this.selection.map((id) => this.model.get(id)!).filter((a) => a && !this.model.isPrelabel(a.id) && a.kind !== 'class');
    if (!sel.length || this.frozen || !this.loaded) {
      const d = 60;
      const v = this.viewState;
      const [dx, dy] = key === 'ArrowLeft' ? [d, 0] : key === 'ArrowRight' ? [-d, 0] : key === 'ArrowUp' ? [0, d] : [0, -d];
      this.userMoved = true;
      this.applyView({ scale: v.scale, x: v.x + dx, y: v.y + dy });
      return;
    }
    const [dx, dy] = key === 'ArrowLeft' ? [-step, 0] : key === 'ArrowRight' ? [step, 0] : key === 'ArrowUp' ? [0, -step] : [0, step];
    this.edit('update', sel.map((a) => [a, clampToImage(translate(a, dx, dy), this.loaded!.width, this.loaded!.height)] as Pair), [], 'user');
  }

  private describeSelection(): string {
    const ids = this.selection;
    if (!ids.length) return this.polygonDraft ? 'Drawing a polygon' : 'No selection';
    if (ids.length > 1) return `${ids.length} shapes selected`;
    const a = this.model.get(ids[0]);
    if (!a) return 'No selection';
    const pre = this.model.isPrelabel(a.id) ? 'Prelabel ' : 'Selected ';
    const conf = a.confidence !== undefined ? `, confidence ${Math.round(a.confidence * 100)} %` : '';
    const name = this.nameOf(a.label);
    if (a.kind === 'box') return `${pre}box ${name} at ${Math.round(a.x)}, ${Math.round(a.y)}, ${Math.round(a.w)} by ${Math.round(a.h)} pixels${conf}`;
    if (a.kind === 'polygon') return `${pre}polygon ${name} with ${a.points.length / 2} points${conf}`;
    return `${pre}tag ${name}${conf}`;
  }
}

// ——— small helpers ———
const dist = (a: [number, number], b: [number, number]) => Math.hypot(a[0] - b[0], a[1] - b[1]) || 1;
const mid = (a: [number, number], b: [number, number]): [number, number] => [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
const toggle = (list: readonly string[], id: string) => (list.includes(id) ? list.filter((x) => x !== id) : [...list, id]);
const clampX = (x: number, img: { width: number }) => Math.max(0, Math.min(img.width, x));
const clampY = (y: number, img: { height: number }) => Math.max(0, Math.min(img.height, y));
const distinctPoints = (p: readonly number[]) => new Set(Array.from({ length: p.length / 2 }, (_, i) => `${p[2 * i]},${p[2 * i + 1]}`)).size;
const clampCoord = (v: number, k: number, img: { width: number; height: number }) => (k % 2 ? clampY(v, img) : clampX(v, img));

function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color);
  if (!m) return color;
  let hex = m[1];
  if (hex.length === 3) hex = [...hex].map((c) => c + c).join('');
  const n = parseInt(hex, 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

const requestIdle = (f: () => void): number =>
  typeof requestIdleCallback === 'function' ? requestIdleCallback(f, { timeout: 500 }) : window.setTimeout(f, 50);
const cancelIdle = (h: number) => (typeof cancelIdleCallback === 'function' ? cancelIdleCallback(h) : clearTimeout(h));
