// The server's sanitised content_html, inserted as is, then code blocks get
// highlighting and a Copy button. `content` is never rendered as HTML.
import { useLayoutEffect, useRef } from 'preact/hooks';
import { html } from '../html.js';
import { enhanceCode, guardLinks } from '../chat/highlight.js';

export function MessageContent({ htmlText, me }) {
  const ref = useRef(null);
  useLayoutEffect(() => {
    if (!ref.current) return;
    guardLinks(ref.current, me);
    enhanceCode(ref.current);
  }, [htmlText, me]);
  return html`<div class="msg-content" ref=${ref} dangerouslySetInnerHTML=${{ __html: htmlText }}></div>`;
}
