// The composer's preview: the text rendered by the server exactly as it will be
// sent (Markdown, mentions, links, sanitising), without storing anything.
// Requests are debounced and a stale answer never replaces a newer one.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { MessageContent } from './MessageContent.js';

const DEBOUNCE_MS = 300;

export function MarkdownPreview({ text, actions }) {
  const [state, setState] = useState({ html: '', error: '', busy: false });
  const latest = useRef(0);
  useEffect(() => {
    if (!text.trim()) { setState({ html: '', error: '', busy: false }); return undefined; }
    const ticket = ++latest.current;
    setState((s) => ({ ...s, busy: true }));
    const timer = setTimeout(async () => {
      const ack = await actions.preview(text);
      if (ticket !== latest.current) return;
      if (ack && ack.ok) setState({ html: ack.content_html, error: '', busy: false });
      else setState({ html: '', error: (ack && ack.error && ack.error.message) || 'No preview.', busy: false });
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);
  let body;
  if (!text.trim()) body = html`<p class="muted">Nothing to preview</p>`;
  else if (state.error) body = html`<p class="muted">${state.error}</p>`;
  else if (!state.html) body = html`<p class="muted">Rendering…</p>`;
  else body = html`<${MessageContent} htmlText=${state.html} />`;
  return html`
    <div class="md-preview" aria-label="Preview" role="region" aria-busy=${state.busy ? 'true' : 'false'}
      data-testid="md-preview">${body}</div>`;
}
