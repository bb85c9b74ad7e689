// The composer's suggestion popup (slash commands, @mentions, :emoji:). The
// textarea keeps focus; it drives the selection through aria-activedescendant.
import { html } from '../html.js';
import { searchEmoji } from '../chat/emojiData.js';
import { noteEmojiUsed } from '../chat/emoji.js';

const LABELS = { command: 'Commands', mention: 'Members', emoji: 'Emoji' };
/** The `:query` being typed before the caret (two characters at least, as in Slack). */
export const EMOJI_QUERY = /(^|[\s([{])(:[\w+-]{2,})$/;

export function Autocomplete({ id, ac, onPick }) {
  if (!ac) return null;
  return html`
    <ul class="autocomplete" id=${id} role="listbox" aria-label=${LABELS[ac.kind]}
      data-testid="autocomplete">
      ${ac.items.map((it, i) => html`
        <li key=${it.value} id=${`${id}-${i}`} role="option" aria-selected=${i === ac.index ? 'true' : 'false'}
          class=${`ac-item${i === ac.index ? ' active' : ''}`}
          onMouseDown=${(e) => { e.preventDefault(); onPick(i); }}>
          ${it.emoji && html`<span class="ac-emoji emoji" aria-hidden="true">${it.emoji}</span>`}
          <span class="ac-label">${it.label}</span>
          ${it.description && html`<span class="ac-desc muted">${it.description}</span>`}
        </li>`)}
    </ul>`;
}

/** Suggestions for the text before the caret, or null. */
export function suggest(value, caret, { commands, members, emoji }) {
  const before = value.slice(0, caret);
  if (value.startsWith('/') && !/\s/.test(before)) {
    const word = before.toLowerCase();
    const items = commands.filter((c) => c.name.startsWith(word))
      .map((c) => ({ label: c.usage, value: `${c.name} `, description: c.description }));
    const endMatch = /\s/.exec(value);
    return items.length ? { kind: 'command', items, index: 0, start: 0, end: endMatch ? endMatch.index : value.length } : null;
  }
  const m = /(^|\s)@([\w.-]*)$/.exec(before);
  if (m) {
    const q = m[2].toLowerCase();
    const items = (members || []).map((u) => u.username)
      .filter((u) => u.toLowerCase().startsWith(q)).slice(0, 8)
      .map((u) => ({ label: `@${u}`, value: `@${u} ` }));
    return items.length ? { kind: 'mention', items, index: 0, start: caret - m[2].length - 1, end: caret } : null;
  }
  const e = emoji && EMOJI_QUERY.exec(before);
  if (e) {
    const items = searchEmoji(emoji, e[2].slice(1), 8).map((x) => ({
      emoji: x.emoji,
      label: x.code ? `:${x.code}:` : x.name,
      description: x.name,
      value: x.emoji,
      picked: () => noteEmojiUsed(x.emoji),
    }));
    return items.length ? { kind: 'emoji', items, index: 0, start: caret - e[2].length, end: caret } : null;
  }
  return null;
}
