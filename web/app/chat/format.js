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
