// Code blocks of a markdown file, for the doc-tests: the info string's language and words
// (```ts run, ```ts fragment, ```html), the line of the opening fence, the body, and the prelude an
// HTML comment `<!-- doc-test: … -->` right before the fence gives (names the block assumes).
export interface MarkdownBlock {
  lang: string;
  words: string[];
  line: number;
  body: string;
  prelude: string;
}

export function markdownBlocks(text: string): MarkdownBlock[] {
  const lines = text.split('\n');
  const blocks: MarkdownBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})(\w+)?(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang = '', rest] = open;
    let j = i + 1;
    while (j < lines.length && !lines[j].startsWith(indent + fence)) j++;
    const body = lines
      .slice(i + 1, j)
      .map((l) => l.slice(indent.length))
      .join('\n');
    let k = i - 1;
    while (k >= 0 && lines[k].trim() === '') k--;
    let prelude = '';
    if (k >= 0 && lines[k].trim().endsWith('-->')) {
      let s = k;
      while (s >= 0 && !lines[s].includes('<!--')) s--;
      const m = /<!--\s*doc-test:([\s\S]*?)-->/.exec(lines.slice(s, k + 1).join('\n'));
      if (m) prelude = m[1].trim() + '\n';
    }
    blocks.push({ lang, words: rest.trim().split(/\s+/).filter(Boolean), line: i + 1, body, prelude });
    i = j;
  }
  return blocks;
}
