import { marked, type TokensList } from 'marked';
import DOMPurify, { type Config, type DOMPurify as Purifier } from 'dompurify';

/**
 * What instructions may contain: text, emphasis, headings, lists, quotes, code, tables, rules, images
 * and links. Nothing that takes input (form, input, button, textarea, select), embeds a document
 * (iframe, object, embed), styles the page (style elements and attributes), or brings its own parser
 * rules (svg, math) — and no script or event handler.
 */
const ALLOWED_TAGS = [
  'p',
  'br',
  'hr',
  'span',
  'em',
  'i',
  'strong',
  'b',
  'del',
  's',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'ul',
  'ol',
  'li',
  'blockquote',
  'code',
  'pre',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'img',
  'a',
];
const ALLOWED_ATTR = ['href', 'src', 'alt', 'title', 'align', 'start'];

/** Schemes a link may use (plus relative URLs): http, https, mailto. */
const LINK_SCHEMES = /^(?:https?|mailto):/i;
/** Sources an image may load from (plus relative URLs): http, https, data:image/…, blob:. */
const IMAGE_SOURCES = /^(?:https?:|data:image\/|blob:)/i;
/** Anything with a scheme, the way a browser reads one (it drops controls and spaces first). */
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:/i;
const IGNORED_IN_URLS = /[\u0000-\u0020\u007f-\u009f]/g;

function allowed(url: string, schemes: RegExp): boolean {
  const bare = url.replace(IGNORED_IN_URLS, '');
  return !HAS_SCHEME.test(bare) || schemes.test(bare);
}

const CONFIG: Config = {
  ALLOWED_TAGS,
  ALLOWED_ATTR,
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  // DOMPurify's own URI check, wide enough for both lists; the hook then checks per element.
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|data:image\/|blob:|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i,
};

let purifier: Purifier | undefined;

/** A DOMPurify instance of our own, so the hook below never touches a host page's DOMPurify. */
function getPurifier(): Purifier {
  if (purifier) return purifier;
  const p = DOMPurify(window);
  p.addHook('afterSanitizeAttributes', (node) => {
    const el = node as Element;
    if (el.tagName === 'A') {
      const href = el.getAttribute('href');
      if (href !== null && !allowed(href, LINK_SCHEMES)) el.removeAttribute('href');
      el.setAttribute('target', '_blank');
      el.setAttribute('rel', 'noopener noreferrer');
    } else if (el.tagName === 'IMG') {
      const src = el.getAttribute('src');
      if (src !== null && !allowed(src, IMAGE_SOURCES)) el.removeAttribute('src');
      el.setAttribute('referrerpolicy', 'no-referrer');
    }
  });
  p.setConfig(CONFIG);
  purifier = p;
  return p;
}

/**
 * Style markup taken out of the author's raw HTML before DOMPurify parses it. The allow-list drops it
 * anyway, but Chromium checks a strict CSP (style-src without 'unsafe-inline') while it parses, even
 * in DOMPurify's inert document, and reports each style attribute and element as refused to the
 * host's report endpoint. A courtesy to those reports only: DOMPurify still decides what stays (a
 * style this misses, e.g. after a quoted '>' in the same tag, is dropped there and reported).
 */
const STYLE_ELEMENT = /<style\b[^>]*>[\s\S]*?(?:<\/style\s*>|$)/gi;
const TAG = /<[a-z][^>]*>/gi;
const STYLE_ATTRIBUTE = /\s+style(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?(?=[\s/>]|$)/gi;

function withoutStyles(html: string): string {
  if (!/style/i.test(html)) return html;
  return html.replace(STYLE_ELEMENT, '').replace(TAG, (tag) => tag.replace(STYLE_ATTRIBUTE, ''));
}

/**
 * Project instructions: markdown rendered with `marked` (GitHub-flavoured) and sanitized with
 * DOMPurify against an explicit allow-list (above), so a project's author can neither run script in
 * a labeler's page nor put a working form, frame or style in it. Links open in a new tab with
 * `rel="noopener noreferrer"`; images load without a referrer.
 *
 * Each top-level markdown block is sanitized on its own: raw HTML that opens a raw-text element and
 * never closes it (`<style>`, `<textarea>`, `<plaintext>`, an unclosed comment, the
 * `<math><mtext><table><mglyph><style>` mutation-XSS payload) can then empty its own block but never
 * swallow the instructions after it.
 */
export function renderMarkdown(markdown: string): string {
  const p = getPurifier();
  const tokens = marked.lexer(typeof markdown === 'string' ? markdown : '', { gfm: true, breaks: false });
  let out = '';
  for (const token of tokens) {
    const one = Object.assign([token], { links: tokens.links }) as TokensList;
    const html = marked.parser(one, { gfm: true, breaks: false, async: false });
    out += p.sanitize(withoutStyles(html));
  }
  return out;
}
