// Hover/focus toolbar on a message: reply, react, thread, edit, delete,
// copy link, pin. Which buttons show depends on the author and your role.
// Every button is an icon from Icons.js with its name as label and tooltip.
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { EmojiPicker } from './EmojiPicker.js';
import {
  EditIcon, LinkIcon, PinIcon, ReplyIcon, SmileIcon, ThreadIcon, TrashIcon,
} from './Icons.js';

function Btn({ label, Icon, onClick, testid, keyHint }) {
  const tip = keyHint ? `${label} (${keyHint})` : label;
  return html`<button type="button" class="act-btn" aria-label=${label} title=${tip}
    data-action=${testid} onClick=${onClick}><${Icon} size=${18} /></button>`;
}

export function MessageActions({ m, mine, canWrite, isMaintainer, inThread, on }) {
  const [picking, setPicking] = useState(false);
  const [confirming, setConfirming] = useState(false);
  if (m.deleted) return null;
  const canDelete = mine || isMaintainer;
  return html`
    <div class="msg-actions" role="toolbar" aria-label="Message actions">
      ${canWrite && !inThread && html`<${Btn} label="Reply" Icon=${ReplyIcon} testid="reply" keyHint="R" onClick=${() => on.reply(m)} />`}
      ${canWrite && html`<${Btn} label="Add reaction" Icon=${SmileIcon} testid="react" onClick=${() => setPicking(!picking)} />`}
      ${canWrite && !inThread && !m.thread_id && html`<${Btn} label="Reply in thread" Icon=${ThreadIcon} testid="thread" keyHint="T" onClick=${() => on.thread(m)} />`}
      ${mine && canWrite && html`<${Btn} label="Edit" Icon=${EditIcon} testid="edit" keyHint="E" onClick=${() => on.edit(m)} />`}
      ${canDelete && !confirming && html`<${Btn} label="Delete" Icon=${TrashIcon} testid="delete" onClick=${() => setConfirming(true)} />`}
      ${confirming && html`
        <span class="act-confirm" role="group" aria-label="Delete this message?">
          <button type="button" class="btn btn-danger btn-small" onClick=${() => { setConfirming(false); on.remove(m); }}>Delete</button>
          <button type="button" class="btn btn-small" onClick=${() => setConfirming(false)}>Keep</button>
        </span>`}
      <${Btn} label="Copy link" Icon=${LinkIcon} testid="copy-link" onClick=${() => on.copyLink(m)} />
      ${isMaintainer && html`<${Btn} label=${m.pinned ? 'Unpin' : 'Pin'} Icon=${PinIcon} testid="pin" onClick=${() => on.pin(m)} />`}
      ${picking && html`<${EmojiPicker} className="picker-actions" label="Add reaction"
        onPick=${(e) => { setPicking(false); on.react(m, e); }} onClose=${() => setPicking(false)} />`}
    </div>`;
}
