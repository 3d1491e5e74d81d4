import { marked } from 'marked';
import DOMPurify from 'dompurify';

/**
 * Project instructions: markdown rendered with `marked` (GitHub-flavoured) and sanitized with
 * DOMPurify, so a project's author cannot run script in a labeler's page. Links open in a new tab.
 */
export function renderMarkdown(markdown: string): string {
  const html = marked.parse(markdown ?? '', { async: false, gfm: true, breaks: false });
  const clean = DOMPurify.sanitize(html, { USE_PROFILES: { html: true } });
  return clean.replace(/<a /g, '<a target="_blank" rel="noopener noreferrer" ');
}
