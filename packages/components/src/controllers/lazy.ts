// What the elements load only when they show it, so a page pays only for what it uses:
// `<label-canvas>` (and Konva) for box and polygon tasks, marked + DOMPurify for instructions.
// Each is one dynamic import(), started at most once per page; a failed load is retried next time.

type RenderMarkdown = (markdown: string) => string;

let canvas: Promise<unknown> | undefined;
/** Registers `<label-canvas>` (its module, with Konva) on first call; resolves when it is defined. */
export function loadCanvas(): Promise<unknown> {
  canvas ??= import('../label-canvas/label-canvas.js').catch((err: unknown) => {
    canvas = undefined;
    throw err;
  });
  return canvas;
}

let markdown: Promise<RenderMarkdown> | undefined;
let renderer: RenderMarkdown | undefined;
/** The last texts rendered, oldest first. */
const rendered = new Map<string, string>();
/** Loads the instructions renderer (controllers/markdown.ts: marked + DOMPurify) on first call. */
export function loadMarkdown(): Promise<RenderMarkdown> {
  markdown ??= import('./markdown.js').then(
    (m) => (renderer = m.renderMarkdown),
    (err: unknown) => {
      markdown = undefined;
      throw err;
    },
  );
  return markdown;
}

/**
 * The sanitized HTML of `source` if the renderer is loaded; otherwise starts loading it, returns
 * `undefined` (render nothing yet) and asks `host` to render again once it is there.
 */
export function markdownHtml(source: string, host: { requestUpdate(): void }, onError: (err: unknown) => void): string | undefined {
  if (renderer) {
    // A host renders on every keystroke and task: parse and sanitize each text once (~2-5 ms each).
    let html = rendered.get(source);
    if (html === undefined) {
      html = renderer(source);
      if (rendered.size >= 16) rendered.delete(rendered.keys().next().value!);
      rendered.set(source, html);
    }
    return html;
  }
  loadMarkdown().then(() => host.requestUpdate(), onError);
  return undefined;
}
