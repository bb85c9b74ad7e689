// The emoji data set: emojibase (vendored under /vendor/emojibase-data/) with
// GitHub-style shortcodes. Fetched on first use only, so the first paint of
// the app does not wait for ~600 KB of JSON; every caller shares one load.
import { useEffect, useState } from 'preact/hooks';

const BASE = '/vendor/emojibase-data/en';
const COMPONENT_GROUP = 2; // skin tones and hair parts, not emoji of their own
// The bundled font (Twemoji 15.0) draws emoji up to this Emoji version; newer
// ones would show as empty boxes, so they are not offered.
const FONT_EMOJI_VERSION = 15;
const FONT = '32px "Huddle Emoji"';

let data = null;
let loading = null;
const waiting = new Set();

async function json(path) {
  const res = await fetch(`${BASE}/${path}`);
  if (!res.ok) throw new Error(`emoji data: HTTP ${res.status}`);
  return res.json();
}

/** The character to insert: emojibase adds U+FE0F even where the base already shows as emoji. */
export function charOf(unicode) {
  return /^\p{Emoji_Presentation}\uFE0F$/u.test(unicode) ? unicode.slice(0, -1) : unicode;
}

/** Hexcodes of emoji newer than the font. */
function tooNew(versions) {
  const out = new Set();
  for (const [v, codes] of Object.entries(versions)) if (Number(v) > FONT_EMOJI_VERSION) for (const c of codes) out.add(c);
  return out;
}

/** Whether the font joins a ZWJ sequence into one glyph (else it draws as several). */
function joins(ctx, one, seq) {
  return !ctx || ctx.measureText(seq).width < one * 1.5;
}

function build(compact, messages, codes, versions) {
  const list = [];
  const skip = tooNew(versions);
  const ctx = document.createElement('canvas').getContext('2d');
  if (ctx) ctx.font = FONT;
  const one = ctx ? ctx.measureText('😀').width : 0;
  for (const x of compact) {
    if (x.group === undefined || x.group === COMPONENT_GROUP || skip.has(x.hexcode)) continue;
    if (x.unicode.includes('\u200D') && !joins(ctx, one, x.unicode)) continue;
    const sc = codes[x.hexcode];
    list.push({
      emoji: charOf(x.unicode),
      name: x.label,
      shortcodes: sc ? [].concat(sc) : [],
      tags: x.tags || [],
      group: x.group,
      order: x.order,
    });
  }
  list.sort((a, b) => a.order - b.order);
  const groups = messages.groups
    .filter((g) => g.order !== COMPONENT_GROUP)
    .map((g) => {
      const first = list.find((e) => e.group === g.order);
      const label = g.message.charAt(0).toUpperCase() + g.message.slice(1);
      return { id: g.order, key: g.key, label, icon: first ? first.emoji : '' };
    });
  const byEmoji = new Map();
  for (const e of list) {
    byEmoji.set(e.emoji, e);
    if (!byEmoji.has(`${e.emoji}\uFE0F`)) byEmoji.set(`${e.emoji}\uFE0F`, e);
  }
  return { list, groups, byEmoji };
}

/** Loads the data set once; resolves to {list, groups, byEmoji}. */
export function loadEmoji() {
  if (data) return Promise.resolve(data);
  if (!loading) {
    loading = Promise.all([json('compact.json'), json('messages.json'), json('shortcodes/github.json'),
      json('../versions/emoji.json'), document.fonts.load(FONT, '😀').catch(() => null)])
      .then(([c, m, s, v]) => {
        data = build(c, m, s, v);
        for (const fn of waiting) fn(data);
        return data;
      })
      .catch((e) => { loading = null; throw e; });
  }
  return loading;
}

/** The data set once loaded (null before); `wanted` starts the load. */
export function useEmojiData(wanted = true) {
  const [d, setD] = useState(data);
  useEffect(() => {
    if (data) { if (d !== data) setD(data); return undefined; }
    waiting.add(setD);
    if (wanted) loadEmoji().catch(() => {});
    return () => waiting.delete(setD);
  }, [wanted]);
  return d;
}

/** `:thumbsup:` for 👍, or null when the emoji has no shortcode (or the data is not loaded). */
export function shortcodeOf(d, emoji) {
  const e = d && d.byEmoji.get(emoji);
  return e && e.shortcodes.length ? `:${e.shortcodes[e.shortcodes.length > 1 && e.shortcodes[0] === '+1' ? 1 : 0]}:` : null;
}

/**
 * Emoji whose shortcode, name or tags match `query`, best first: exact
 * shortcode, shortcode prefix, a name word prefix, a tag prefix, then any
 * substring of the name. Each result carries the shortcode that matched.
 */
export function searchEmoji(d, query, limit = 80) {
  const q = query.trim().toLowerCase().replace(/^:|:$/g, '');
  if (!d || !q) return [];
  const scored = [];
  for (const e of d.list) {
    let rank = 9;
    let code = e.shortcodes[0] || null;
    for (const s of e.shortcodes) {
      if (s === q) { rank = 0; code = s; break; }
      if (rank > 1 && s.startsWith(q)) { rank = 1; code = s; }
    }
    if (rank > 2) {
      const name = e.name.toLowerCase();
      if (name.split(/[\s:,-]+/).some((w) => w.startsWith(q)) || name.startsWith(q)) rank = 2;
      else if (e.tags.some((t) => t.startsWith(q))) rank = 3;
      else if (name.includes(q) || e.shortcodes.some((s) => s.includes(q))) rank = 4;
    }
    if (rank < 9) scored.push({ ...e, code, rank });
  }
  scored.sort((a, b) => a.rank - b.rank || a.order - b.order);
  return scored.slice(0, limit);
}
