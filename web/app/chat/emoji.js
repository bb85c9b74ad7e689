// Recently used emoji, kept in localStorage (most recent first). Until a
// person has used any, a few common reactions stand in, as in other chats.
const KEY = 'huddle.emoji.recent';
const MAX = 24;
const STARTERS = ['👍', '❤️', '😂', '🎉', '👀', '🚀', '✅', '🙏'];

export function recentEmoji() {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) || 'null');
    if (Array.isArray(v) && v.length) return v.filter((x) => typeof x === 'string').slice(0, MAX);
  } catch { /* a broken entry counts as none */ }
  return STARTERS.slice();
}

export function hasRecentEmoji() {
  try { return Boolean(localStorage.getItem(KEY)); } catch { return false; }
}

/** Moves `emoji` to the front of the recently used list. */
export function noteEmojiUsed(emoji) {
  const prev = hasRecentEmoji() ? recentEmoji() : [];
  const next = [emoji, ...prev.filter((x) => x !== emoji)].slice(0, MAX);
  try { localStorage.setItem(KEY, JSON.stringify(next)); } catch { /* private mode: not kept */ }
}
