// Reaction chips under a message: click to toggle your own reaction.
import { html } from '../html.js';

export function Reactions({ reactions, me, onToggle, disabled }) {
  if (!reactions || reactions.length === 0) return null;
  return html`
    <div class="reactions" role="group" aria-label="Reactions">
      ${reactions.map((r) => {
        const mine = Boolean(me) && (r.users || []).includes(me);
        const who = (r.users || []).join(', ');
        return html`
          <button key=${r.emoji} type="button" class=${`reaction${mine ? ' mine' : ''}`}
            aria-pressed=${mine ? 'true' : 'false'} disabled=${disabled}
            aria-label=${`${r.emoji} ${r.count}${mine ? ', including you' : ''}. ${mine ? 'Remove' : 'Add'} reaction`}
            title=${who} data-emoji=${r.emoji} onClick=${() => onToggle(r.emoji)}>
            <span aria-hidden="true">${r.emoji}</span> <span class="reaction-count" aria-hidden="true">${r.count}</span>
          </button>`;
      })}
    </div>`;
}
