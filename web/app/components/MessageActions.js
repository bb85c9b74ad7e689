// Hover/focus toolbar on a message: reply, react, thread, edit, delete,
// copy link, pin. Which buttons show depends on the author and your role.
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { EmojiPicker } from './EmojiPicker.js';

function Btn({ label, icon, onClick, testid }) {
  return html`<button type="button" class="act-btn" aria-label=${label} title=${label}
    data-action=${testid} onClick=${onClick}><span aria-hidden="true">${icon}</span></button>`;
}

export function MessageActions({ m, mine, canWrite, isMaintainer, inThread, on }) {
  const [picking, setPicking] = useState(false);
  const [confirming, setConfirming] = useState(false);
  if (m.deleted) return null;
  const canDelete = mine || isMaintainer;
  return html`
    <div class="msg-actions" role="toolbar" aria-label="Message actions">
      ${canWrite && !inThread && html`<${Btn} label="Reply" icon="↩" testid="reply" onClick=${() => on.reply(m)} />`}
      ${canWrite && html`<${Btn} label="Add reaction" icon="☺" testid="react" onClick=${() => setPicking(!picking)} />`}
      ${canWrite && !inThread && !m.thread_id && html`<${Btn} label="Reply in thread" icon="☰" testid="thread" onClick=${() => on.thread(m)} />`}
      ${mine && canWrite && html`<${Btn} label="Edit" icon="✎" testid="edit" onClick=${() => on.edit(m)} />`}
      ${canDelete && !confirming && html`<${Btn} label="Delete" icon="✖" testid="delete" onClick=${() => setConfirming(true)} />`}
      ${confirming && html`
        <span class="act-confirm" role="group" aria-label="Delete this message?">
          <button type="button" class="btn btn-danger" onClick=${() => { setConfirming(false); on.remove(m); }}>Delete</button>
          <button type="button" class="btn" onClick=${() => setConfirming(false)}>Keep</button>
        </span>`}
      <${Btn} label="Copy link" icon="⚯" testid="copy-link" onClick=${() => on.copyLink(m)} />
      ${isMaintainer && html`<${Btn} label=${m.pinned ? 'Unpin' : 'Pin'} icon="⚑" testid="pin" onClick=${() => on.pin(m)} />`}
      ${picking && html`<${EmojiPicker} className="picker-actions" label="Add reaction"
        onPick=${(e) => { setPicking(false); on.react(m, e); }} onClose=${() => setPicking(false)} />`}
    </div>`;
}
