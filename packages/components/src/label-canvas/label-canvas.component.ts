import { LitElement, html, type PropertyValues } from 'lit';
import { property, state, query } from 'lit/decorators.js';
import type { Annotation, LabelClass } from '@labelkit/core';
import { labelColor, labelName } from '../label-keys.js';
import { emit } from '../events.js';
import { styles } from './label-canvas.styles.js';
import { CanvasModel } from './model.js';
import { Scene } from './scene.js';
import { ThemeController } from './theme.js';
import type { CanvasImageInput, Window, WindowPresetLike } from './image-input.js';
import { ImageLoader } from './image-loader.js';
import { Viewport } from './viewport.js';
import { CanvasStage } from './stage.js';
import { FrameRenderer } from './renderer.js';
import { PointerInput } from './pointer.js';
import { ShapeEdits } from './edits.js';
import { bindingFor } from './keymap.js';
import { keyState, runCommand } from './commands.js';
import type { CanvasInternals } from './internals.js';
import { prelabelActionsAt, renderOverlays } from './overlays.js';
import { LazyParts } from './lazy-parts.js';
import { renderShortcutHelp } from './shortcut-help.js';

export type CanvasMode = 'classify' | 'box' | 'polygon' | 'view';
/** `draw` creates shapes of the mode's kind; `edit` selects, moves and reshapes (Azure ML's M). */
export type CanvasTool = 'draw' | 'edit';
/** A shape kind the canvas can draw. */
export type ShapeKind = 'box' | 'polygon';

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
 * @fires {CustomEvent<ToolChangeDetail>} label-tool-change - The user changed the tool, the active label, point editing or the lock.
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
 * @csspart tool-state - Shown while point editing (U) is on.
 * @csspart hint - A hint such as "A polygon needs at least 3 points".
 * @csspart rail - The tool rail (role=toolbar), shown with `rail="start|end"`; its buttons have part `rail-button`.
 * @csspart regions - The region list panel (`region-list`); each row has part `region` (and `region-selected`).
 * @csspart help - The keyboard shortcut help (?).
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
 * @cssprop --label-canvas-rail-background - Behind the tool rail (falls back to the chip background).
 * @cssprop --label-canvas-rail-button-size - Edge of a rail button (default 32px; 44px on coarse pointers).
 * @cssprop --label-canvas-regions-width - Width of the region list (default 260px).
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
  /** The tool rail (part `rail`): at the `start` or `end` edge, or `none`. Only tools the `shapes` take are shown. */
  @property({ reflect: true }) rail: 'start' | 'end' | 'none' = 'none';
  /** Shows the region list (part `regions`): every shape, to select, relabel, hide, delete, accept or reject. */
  @property({ type: Boolean, reflect: true, attribute: 'region-list' }) regionList = false;
  /** A hint shown on the canvas and announced (e.g. a polygon that needs more points). */
  @state() private hint = '';
  @state() private selection: readonly string[] = [];
  @state() private actionsAt: [number, number] | null = null;
  @state() private helpOpen = false;
  @state() private railCollapsed = false;
  /** Shapes hidden from the region list: not drawn, not hit (a view state, not an edit). */
  @state() private hiddenIds: ReadonlySet<string> = new Set();
  @query('.stage') private stageEl!: HTMLDivElement;
  @query('.raster-host') private rasterHost!: HTMLDivElement;
  @query('.probe') private probeEl!: HTMLDivElement;
  private readonly model = new CanvasModel();
  private readonly scene = new Scene();
  private readonly theme = new ThemeController(this, () => this.redrawAll());
  private readonly loader = new ImageLoader();
  private readonly renderer = new FrameRenderer();
  private readonly input = new PointerInput();
  private readonly shapeEdits = new ShapeEdits();
  private readonly viewport = new Viewport(this.renderer, this.scene);
  /** The tool rail and the region list, loaded the first time they are shown (lazy-parts.ts). */
  readonly #parts = new LazyParts(this, () => this.internals);
  /** The Konva stage, built on first render. */
  private stage: CanvasStage | null = null;
  /** What renderer.ts, pointer.ts and commands.ts see of the element. */
  private readonly internals: CanvasInternals = this.makeInternals();

  constructor() {
    super();
    for (const part of [this.renderer, this.input, this.shapeEdits]) part.attach(this.internals);
    this.addEventListener('keydown', this.onKeyDown);
    this.addEventListener('keyup', (e) => e.key === ' ' && ((this.input.spaceDown = false), this.input.updateCursor()));
    this.addEventListener('blur', () => (this.input.spaceDown = false));
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
    this.renderer.dispose();
    this.viewport.dispose();
    this.loader.abort();
  }

  // ——— public API ———
  /** The current view: screen pixels per image pixel, and the image point at the viewport's centre. */
  get view(): { scale: number; cx: number; cy: number } {
    return this.viewport.center;
  }
  /** Shows image point (cx, cy) at the viewport's centre at `scale` (default: keep the scale). */
  setView(view: { scale?: number; cx: number; cy: number }): void {
    this.viewport.setView(view);
  }
  /** The scale at which the whole image fits the viewport. */
  get fitScale(): number {
    return this.viewport.fitScale;
  }
  /** Fits the whole image in the viewport. */
  fit(): void {
    this.viewport.fit();
  }
  /** Zooms by `factor` around a viewport point (default: the centre). */
  zoomBy(factor: number, at?: [number, number]): void {
    this.viewport.zoomBy(factor, at);
  }
  /** Image coordinates of a point given in client (page viewport) coordinates. */
  clientToImage(clientX: number, clientY: number): [number, number] {
    const r = this.getBoundingClientRect();
    return this.viewport.toImage(clientX - r.left, clientY - r.top);
  }
  /** Client (page viewport) coordinates of an image point. */
  imageToClient(x: number, y: number): [number, number] {
    const r = this.getBoundingClientRect();
    const [sx, sy] = this.viewport.toScreen(x, y);
    return [sx + r.left, sy + r.top];
  }
  /** The size of the loaded image, or null. */
  get imageSize(): { width: number; height: number; frames: number } | null {
    const l = this.loader.loaded;
    return l && { width: l.width, height: l.height, frames: l.frames };
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
    this.input.cancelDraft();
    const c = this.model.undo();
    if (c) this.shapeEdits.afterChange(c, 'undo');
  }
  redo(): void {
    if (this.frozen) return;
    this.input.cancelDraft();
    const c = this.model.redo();
    if (c) this.shapeEdits.afterChange(c, 'redo');
  }
  /** Deletes the selected annotations and rejects selected prelabels. */
  deleteSelected(): void {
    this.shapeEdits.deleteSelected();
  }
  /** Deletes every annotation (one undoable step). */
  deleteAll(): void {
    this.shapeEdits.deleteAll();
  }
  /** Accepts prelabels (all when `ids` is omitted): they become annotations. */
  acceptPrelabels(ids?: readonly string[]): void {
    this.shapeEdits.acceptPrelabels(ids, this.mode === 'classify' && !this.multiLabel);
  }
  /** Rejects prelabels (all when `ids` is omitted). */
  rejectPrelabels(ids?: readonly string[]): void {
    this.shapeEdits.rejectPrelabels(ids);
  }
  /**
   * Sets the label of the selection, or (with nothing selected) the active label — the label new
   * shapes get; in `classify` mode, toggles that tag. Right after drawing, the new shape is selected
   * but a label picks the active label for the *next* shape (the one just drawn keeps its label):
   * to relabel a shape, select it first (click, marquee, Tab in the region list).
   */
  applyLabel(labelId: string): void {
    if (!this.labels.some((l) => l.id === labelId)) return;
    if (this.mode === 'classify') return this.shapeEdits.toggleTag(labelId, this.multiLabel);
    if (this.shapeEdits.relabelSelection(labelId) || this.activeLabel === labelId) return;
    this.activeLabel = labelId;
    this.toolChanged();
  }
  /** The label new shapes get: `activeLabel`, else the first label. */
  get effectiveLabel(): string | undefined {
    return this.activeLabel ?? this.labels[0]?.id;
  }
  /** The window/level presets of the image (DICOM's own, then automatic ones); empty for 8-bit images. */
  get presets(): readonly WindowPresetLike[] {
    return this.loader.presets;
  }
  /** Applies a window/level preset by id. */
  applyPreset(id: string): void {
    const p = this.loader.presets.find((w) => w.id === id);
    if (p) this.window = p.window;
  }

  // ——— Lit lifecycle ———
  protected override render() {
    return html`<div part="base" class="base">
      <div class="raster-host"></div>
      <div part="stage" class="stage"></div>
      <div class="probe"></div>
      ${renderOverlays(this.internals, { hint: this.hint, actionsAt: this.actionsAt, helpOpen: this.helpOpen })}
      ${this.rail !== 'none' && this.#parts.rail ? this.#parts.rail(this, this.internals) : ''}
      ${this.regionList && this.mode !== 'classify' && this.#parts.list ? this.#parts.list.render() : ''}
      ${renderShortcutHelp(this.helpOpen, keyState(this.internals, this.frame), () => this.internals.toggleHelp())}
    </div>`;
  }

  protected override firstUpdated(): void {
    this.theme.attach(this.probeEl);
    const rect = this.getBoundingClientRect();
    this.viewport.resize(Math.max(1, Math.round(rect.width)), Math.max(1, Math.round(rect.height)));
    this.stage = new CanvasStage(this.stageEl, this.viewport.vw, this.viewport.vh, (ctx) => this.renderer.drawScene(ctx), this.shapeEdits);
    this.input.listen(this.stageEl);
    this.observeSize();
    this.input.updateCursor();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('image') || (changed.has('frame') && this.loader.loaded && this.frame !== this.loader.loaded.frame)) {
      this.load(changed.has('image'));
    }
    if (changed.has('annotations') && this.annotations !== this.model.items) {
      this.resetModel();
    } else if (changed.has('prelabels') && this.prelabels !== this.model.prelabels) {
      this.resetModel(true);
    }
    if (changed.has('window') && this.window && this.loader.applyWindow(this.window)) this.redrawAll();
    if (changed.has('readonly') || changed.has('locked') || changed.has('mode') || changed.has('tool')) {
      if (changed.has('mode') || changed.has('tool') || this.frozen) this.input.cancelDraft();
      if (this.locked && this.selection.length) this.setSelection([]);
      this.renderer.selection();
    }
    if (changed.has('labels') || changed.has('activeLabel')) this.redrawAll();
    // The image fits beside the rail and the region list, not under them.
    const list = this.regionList && this.mode !== 'classify';
    if (this.viewport.setInsets(this.rail === 'start' ? 84 : 0, (list ? 276 : 0) + (this.rail === 'end' ? 84 : 0))) this.redrawAll();
  }

  /** Also waits for a rail or region list still loading. */
  protected override async getUpdateComplete(): Promise<boolean> {
    const done = await super.getUpdateComplete();
    return this.#parts.pending ? this.#parts.pending.then(() => this.getUpdateComplete()) : done;
  }

  protected override updated(): void {
    this.input.updateCursor();
    this.#parts.want(this.rail !== 'none', this.regionList);
    if (this.regionList) this.#parts.list?.updated(this.shadowRoot);
  }

  /** Loads the image (or another frame of it); the view fits a new image. */
  private load(newImage: boolean): void {
    void this.loader.show(this, newImage, {
      shown: (img, sizeChanged) => {
        if (img && newImage) this.model.clearHistory();
        if (img && sizeChanged) this.model.resize(img.width, img.height);
        this.viewport.setImage(img);
        this.viewport.reset(sizeChanged, newImage);
        this.redrawAll();
        if (img) emit(this, 'label-image-load', { width: img.width, height: img.height, frames: img.frames, frame: img.frame });
      },
      failed: (error) => (this.requestUpdate(), emit(this, 'label-error', { error, during: 'image-load' })),
    });
    this.requestUpdate();
  }

  /** Takes the host's annotations/prelabels; invalid entries are left out and reported as `label-error`. */
  private resetModel(prelabelsOnly = false): void {
    const failed = this.model.load(prelabelsOnly ? null : this.annotations, this.prelabels);
    for (const error of failed) emit(this, 'label-error', { error, during: 'annotations' });
    // Reflect the normalized (id-carrying) arrays back, without triggering another reset.
    this.annotations = this.model.items;
    this.prelabels = this.model.prelabels;
    this.setSelection(
      this.selection.filter((id) => this.model.get(id)),
      true,
    );
    this.redrawAll();
  }

  private observeSize(): void {
    this.viewport.observe(this, (w, h) => (this.stage?.stage.size({ width: w, height: h }), this.redrawAll()));
  }

  // ——— labels, state ———

  /** No edits: `readonly`, or `view` mode (look only). */
  private get frozen(): boolean {
    return this.readonly || this.mode === 'view';
  }
  /** Everything needs drawing again (theme, labels, image, new data). */
  private redrawAll(): void {
    this.renderer.all();
    this.requestUpdate();
  }
  /** Tells the host (a palette, a toolbar) that the user changed a tool or the active label. */
  private toolChanged(): void {
    emit(this, 'label-tool-change', { mode: this.mode, tool: this.tool, activeLabel: this.effectiveLabel, vertexEdit: this.vertexEdit, locked: this.locked });
  }

  private makeInternals(): CanvasInternals {
    const el = this;
    return {
      el: this,
      model: this.model,
      scene: this.scene,
      viewport: this.viewport,
      loader: this.loader,
      renderer: this.renderer,
      input: this.input,
      get stage() {
        return el.stage;
      },
      get stageEl() {
        return el.stageEl;
      },
      get rasterHost() {
        return el.rasterHost;
      },
      get theme() {
        return el.theme.value;
      },
      get selection() {
        return el.selection;
      },
      get frozen() {
        return el.frozen;
      },
      get hidden() {
        return el.hiddenIds;
      },
      get helpOpen() {
        return el.helpOpen;
      },
      get railCollapsed() {
        return el.railCollapsed;
      },
      toggleHelp: () => (this.helpOpen = !this.helpOpen) || this.focus({ preventScroll: true }),
      toggleRail: () => (this.railCollapsed = !this.railCollapsed),
      setHidden: (ids) => {
        this.hiddenIds = ids;
        this.setSelection(this.selection.filter((id) => !ids.has(id)));
        this.redrawAll();
      },
      nameOf: (l) => labelName(this.labels, l),
      colorOf: (l) => labelColor(this.labels, l),
      setSelection: (ids, quiet) => this.setSelection(ids, quiet),
      edit: (action, a, p, source) => this.shapeEdits.commit(action, a, p, source),
      createShape: (a) => this.shapeEdits.createShape(a),
      insertVertex: (a, x, y) => this.shapeEdits.vertexInserted(a, x, y),
      viewChanged: (settled) => (this.internals.updateActions(), settled && emit(this, 'label-view-change', this.view)),
      toolChanged: () => this.toolChanged(),
      templateBox: () => this.shapeEdits.templateBox(),
      setHint: (text) => ((this.hint = text), this.requestUpdate()),
      heldSelection: () => (this.shapeEdits.drawnSelection = false),
      updateActions: () => (this.actionsAt = prelabelActionsAt(this.selection, this.model, this.viewport)),
    };
  }

  // ——— edits: edits.ts commits them (the cancelable request, undo history, events) ———

  private setSelection(ids: readonly string[], quiet = false): void {
    // A selection the user made (even of the shape just drawn) is one that label keys relabel.
    if (!quiet) this.shapeEdits.drawnSelection = false;
    const same = ids.length === this.selection.length && ids.every((id, i) => id === this.selection[i]);
    if (same) {
      if (quiet) this.renderer.selectionDirty = true;
      this.renderer.request();
      return;
    }
    const before = new Set([...this.selection, ...ids]);
    this.selection = ids;
    // Shapes moving between the scene and the edit layer: redraw that region of the scene only.
    this.renderer.selectionMoved(before);
    emit(this, 'label-selection-change', { ids: [...ids], annotations: ids.map((id) => this.model.get(id)!).filter(Boolean) });
  }

  // ——— keyboard: keymap.ts maps keys to commands, commands.ts carries them out ———

  private readonly onKeyDown = (e: KeyboardEvent): void => {
    const from = e.composedPath()[0];
    if (from instanceof HTMLSelectElement || (from instanceof HTMLButtonElement && (e.key === 'Enter' || e.key === ' '))) return;
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    const b = bindingFor({ key, mod: e.ctrlKey || e.metaKey, shift: e.shiftKey }, keyState(this.internals, this.frame));
    if (!b) return;
    runCommand(this, this.internals, b.command, key, e.shiftKey);
    e.preventDefault();
    e.stopPropagation();
  };
}
