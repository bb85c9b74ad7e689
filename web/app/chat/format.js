// Times in the reader's locale, day separators and author grouping.
const GROUP_MS = 5 * 60 * 1000;

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const fullFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });
const dayFmt = new Intl.DateTimeFormat(undefined, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });

export const timeOf = (iso) => timeFmt.format(new Date(iso));
export const fullTimeOf = (iso) => fullFmt.format(new Date(iso));

export function dayKey(iso) {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

export function dayLabel(iso) {
  const d = new Date(iso);
  const today = new Date();
  const yesterday = new Date(today.getTime() - 86400000);
  if (dayKey(d) === dayKey(today)) return 'Today';
  if (dayKey(d) === dayKey(yesterday)) return 'Yesterday';
  return dayFmt.format(d);
}

/**
 * Flattens messages (oldest first) into rows: day separators and messages,
 * each message marked `head` when it starts a new author group.
 */
export function buildRows(messages) {
  const rows = [];
  let prev = null;
  let prevDay = null;
  for (const m of messages) {
    const t = Date.parse(m.timestamp) || 0;
    const day = dayKey(m.timestamp || 0);
    if (day !== prevDay) {
      rows.push({ key: `day-${day}`, type: 'day', label: dayLabel(m.timestamp || 0), iso: m.timestamp });
      prevDay = day;
      prev = null;
    }
    const head = !prev || prev.author_name !== m.author_name || prev.author_type !== m.author_type
      || t - prev.t > GROUP_MS || Boolean(m.reply_to) || m.type === 'system';
    rows.push({ key: m.message_id || m.client_id, type: 'msg', m, head });
    prev = { author_name: m.author_name, author_type: m.author_type, t };
  }
  return rows;
}

/** Two letters for an avatar. */
export function avatarText(name) {
  return (name || '?').replace(/[^a-zA-Z0-9]/g, '').slice(0, 2).toUpperCase() || '?';
}

/** A stable hue per name, for avatars. */
export function hueOf(name) {
  let h = 0;
  for (const ch of name || '') h = (h * 31 + ch.charCodeAt(0)) % 360;
  return h;
}

/** Whether a message has a row in a list: a deleted one only while a thread hangs on it. */
export const shown = (m) => !m.deleted || Boolean(m.thread && m.thread.reply_count > 0);

/** One line of plain text from server-rendered HTML (parsed inert, never inserted). */
export function plainText(htmlText, max = 160) {
  const text = new DOMParser().parseFromString(htmlText || '', 'text/html').body.textContent || '';
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/**
 * The first unread message of `msgs` (oldest first) given what was unread
 * when the channel was opened: `{lastRead}` (message ids are time-ordered, so
 * unread = a later id by someone else) or, until the server sends that,
 * `{count}` (the last `count` messages by others up to `lastAtOpen`).
 * Returns `{id, complete}`: `complete` is false while older pages may still
 * hold earlier unread messages.
 */
export function firstUnread(msgs, mark, me, lastAtOpen, hasMore) {
  if (!mark || !msgs.length) return { id: null, complete: !hasMore };
  const others = (m) => m.message_id && m.author_name !== me && !m.thread_id;
  if (mark.lastRead) {
    const m = msgs.find((x) => others(x) && x.message_id > mark.lastRead);
    const before = msgs[0].message_id <= mark.lastRead;
    return { id: m ? m.message_id : null, complete: before || !hasMore };
  }
  let end = msgs.length - 1;
  if (lastAtOpen) { const k = msgs.findIndex((x) => x.message_id === lastAtOpen); if (k >= 0) end = k; }
  let n = 0;
  let id = null;
  for (let i = end; i >= 0 && n < mark.count; i -= 1) {
    if (others(msgs[i])) { n += 1; id = msgs[i].message_id; }
  }
  return { id, complete: n >= mark.count || !hasMore };
}
