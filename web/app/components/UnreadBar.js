// "12 new messages — Jump to first unread" above the message list when a
// channel opens with unread messages further up. Gone once the "NEW" divider
// has been in view, when jumped, dismissed, or on Escape.
import { useEffect } from 'preact/hooks';
import { html } from '../html.js';
import { ArrowUpIcon, CloseIcon } from './Icons.js';

export function UnreadBar({ count, onJump, onClose }) {
  useEffect(() => {
    const onKey = (e) => { if (e.key === 'Escape' && !e.defaultPrevented) onClose(); };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  const text = `${count > 99 ? '99+' : count} new message${count === 1 ? '' : 's'}`;
  return html`
    <div class="unread-bar" role="status" data-testid="unread-bar">
      <button type="button" class="unread-jump" onClick=${onJump}>
        <${ArrowUpIcon} size=${14} /> <span>${text}</span> <span class="unread-jump-label">Jump to first unread</span>
      </button>
      <button type="button" class="unread-close" aria-label="Dismiss" title="Dismiss (Esc)" onClick=${onClose}>
        <${CloseIcon} size=${14} /></button>
    </div>`;
}
