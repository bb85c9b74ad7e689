// The server's sanitised content_html, inserted as is, then code blocks get
// highlighting and a Copy button, and "(edited)" goes at the end of the last
// line of text (inside the last paragraph, not on a line of its own).
// `content` is never rendered as HTML.
import { useLayoutEffect, useRef } from 'preact/hooks';
import { html } from '../html.js';
import { enhanceCode, guardLinks } from '../chat/highlight.js';

const CONTAINERS = new Set(['P', 'UL', 'OL', 'LI', 'BLOCKQUOTE', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6']);

/** The element whose text ends the message, to hold the "(edited)" marker. */
function lastLine(root) {
  let el = root;
  while (el.lastElementChild && CONTAINERS.has(el.lastElementChild.tagName)) {
    el = el.lastElementChild;
    if (el.tagName === 'P' || /^H\d$/.test(el.tagName)) break;
  }
  return el;
}

export function MessageContent({ htmlText, me, edited }) {
  const ref = useRef(null);
  useLayoutEffect(() => {
    const root = ref.current;
    if (!root) return;
    guardLinks(root, me);
    enhanceCode(root);
    for (const old of root.querySelectorAll('.edited')) old.remove();
    if (edited) {
      const mark = document.createElement('span');
      mark.className = 'edited';
      mark.title = `Edited ${edited}`;
      mark.textContent = '(edited)';
      const at = lastLine(root);
      at.append(at === root ? '' : ' ', mark);
    }
  }, [htmlText, me, edited]);
  return html`<div class="msg-content" ref=${ref} dangerouslySetInnerHTML=${{ __html: htmlText }}></div>`;
}
