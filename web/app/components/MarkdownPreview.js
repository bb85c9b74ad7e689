// A plain, safe preview of what you typed: fenced code, `code`, **bold** and
// *italic* become elements; everything else stays text. The server's
// rendering is what everyone sees after sending.
import { html } from '../html.js';

function inline(text) {
  const out = [];
  const re = /(`[^`\n]+`)|(\*\*[^*\n]+\*\*)|(\*[^*\n]+\*|_[^_\n]+_)/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    const inner = m[0].replace(/^(\*\*|`|\*|_)|(\*\*|`|\*|_)$/g, '');
    if (m[1]) out.push(html`<code>${inner}</code>`);
    else if (m[2]) out.push(html`<strong>${inner}</strong>`);
    else out.push(html`<em>${inner}</em>`);
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

export function MarkdownPreview({ text }) {
  const parts = text.split(/```[\w+-]*\n?/);
  return html`
    <div class="md-preview" aria-label="Preview" role="region" data-testid="md-preview">
      ${text.trim() ? parts.map((p, i) => (i % 2 === 1
        ? html`<pre key=${i}><code>${p}</code></pre>`
        : html`<p key=${i} class="md-para">${inline(p)}</p>`))
        : html`<p class="muted">Nothing to preview</p>`}
    </div>`;
}
