// Reaction chips under a message: click to toggle your own reaction. Each
// chip says who reacted ("alice, bob and 3 others reacted with :thumbsup:"),
// as its tooltip and as its accessible name.
import { html } from '../html.js';
import { shortcodeOf, useEmojiData } from '../chat/emojiData.js';

/** "alice", "alice and bob", "alice, bob and carol", "alice, bob and 3 others". */
export function whoReacted(users, count) {
  const names = users.slice(0, users.length > 3 ? 2 : 3);
  const others = Math.max(count, users.length) - names.length;
  if (!names.length) return `${others} ${others === 1 ? 'person' : 'people'}`;
  if (others > 0) return `${names.join(', ')} and ${others} ${others === 1 ? 'other' : 'others'}`;
  if (names.length === 1) return names[0];
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

export function Reactions({ reactions, me, onToggle, disabled }) {
  const has = Boolean(reactions && reactions.length);
  const data = useEmojiData(has);
  if (!has) return null;
  return html`
    <div class="reactions" role="group" aria-label="Reactions">
      ${reactions.map((r) => {
        const users = r.users || [];
        const mine = Boolean(me) && users.includes(me);
        const what = shortcodeOf(data, r.emoji) || r.emoji;
        const text = `${whoReacted(users, r.count)} reacted with ${what}`;
        return html`
          <button key=${r.emoji} type="button" class=${`reaction${mine ? ' mine' : ''}`}
            aria-pressed=${mine ? 'true' : 'false'} disabled=${disabled}
            aria-label=${text} title=${text} data-emoji=${r.emoji} onClick=${() => onToggle(r.emoji)}>
            <span class="emoji" aria-hidden="true">${r.emoji}</span> <span class="reaction-count" aria-hidden="true">${r.count}</span>
          </button>`;
      })}
    </div>`;
}
