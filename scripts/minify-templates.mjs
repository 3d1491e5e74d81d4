// Minifies the static text of Lit's tagged templates — html`…`, svg`…`, css`…` — in TypeScript or
// JavaScript source, for the packages' dist/ (rollup) and for the size budgets (scripts/size.mjs):
// bundlers minify code but leave template text as written, indentation and all.
//   html/svg: every run of whitespace becomes one space (what HTML rendering does anyway; our
//             templates have no <pre> or textarea text, where it would matter);
//   css:      comments go, whitespace runs become one space, and the space next to { } ; , > goes
//             (quoted strings stay as written).
// Only the literal text between `${…}` is touched, found with the TypeScript parser, so nested
// templates and expressions are never rewritten as text.
import ts from 'typescript';

const TAGS = new Set(['html', 'svg', 'css']);

function minifyPart(text, tag) {
  if (tag !== 'css') return text.replace(/\s+/g, ' ');
  // CSS: quoted strings (content: ' ?') are kept as they are.
  return text
    .split(/("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')/)
    .map((part, i) =>
      i % 2
        ? part
        : part
            .replace(/\/\*[\s\S]*?\*\//g, '')
            .replace(/\s+/g, ' ')
            .replace(/ ?([{};,>]) ?/g, '$1'),
    )
    .join('');
}

/** The replacements that minify the static parts of html/svg/css templates, last first. */
export function templateEdits(code, fileName = 'x.ts') {
  if (!/\b(html|svg|css)`/.test(code)) return [];
  const sf = ts.createSourceFile(fileName, code, ts.ScriptTarget.Latest, true, fileName.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const edits = [];
  const visit = (node) => {
    if (ts.isTaggedTemplateExpression(node) && ts.isIdentifier(node.tag) && TAGS.has(node.tag.text)) {
      const tag = node.tag.text;
      const t = node.template;
      const parts = ts.isNoSubstitutionTemplateLiteral(t) ? [t] : [t.head, ...t.templateSpans.map((s) => s.literal)];
      for (const p of parts) {
        // The raw text between the delimiters: ` or } before, ` or ${ after.
        const start = p.getStart(sf) + 1;
        const end = p.getEnd() - (p.kind === ts.SyntaxKind.TemplateHead || p.kind === ts.SyntaxKind.TemplateMiddle ? 2 : 1);
        const raw = code.slice(start, end);
        const min = minifyPart(raw, tag);
        if (min !== raw) edits.push({ start, end, text: min });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return edits.sort((a, b) => b.start - a.start);
}

/** `code` with the static parts of html/svg/css templates minified. */
export function minifyTemplates(code, fileName) {
  let out = code;
  for (const e of templateEdits(code, fileName)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** The same as a Rollup plugin (before the TypeScript transform), with a source map. */
export function minifyTemplatesPlugin({ include = /\/src\/.*\.tsx?$/ } = {}) {
  return {
    name: 'labelkit-minify-templates',
    async transform(code, id) {
      if (!include.test(id)) return null;
      const edits = templateEdits(code, id);
      if (!edits.length) return null;
      const { default: MagicString } = await import('magic-string');
      const s = new MagicString(code);
      for (const e of edits) e.text ? s.overwrite(e.start, e.end, e.text) : s.remove(e.start, e.end);
      return { code: s.toString(), map: s.generateMap({ hires: true, source: id }) };
    },
  };
}
