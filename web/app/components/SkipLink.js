// The first things Tab reaches: "Skip to messages" and "Skip to composer",
// shown only while focused. Buttons, not #anchors, because the hash is the
// route. Outside a chat, "Skip to main content" only.
import { html } from '../html.js';

function focusFirst(selectors) {
  for (const sel of selectors) {
    const el = document.querySelector(sel);
    if (el) { el.focus(); return; }
  }
}

export function SkipLink({ inChat }) {
  return html`
    <div class="skip-links">
      ${inChat ? html`
        <button type="button" class="skip-link" onClick=${() => focusFirst(['[data-testid="message-list"]', '#main'])}>Skip to messages</button>
        <button type="button" class="skip-link" onClick=${() => focusFirst(['.chat-main textarea', '[data-testid="message-list"]', '#main'])}>Skip to composer</button>`
    : html`<button type="button" class="skip-link" onClick=${() => focusFirst(['#main'])}>Skip to main content</button>`}
    </div>`;
}
