// The channel's messages, virtualised: only the rows in view (plus overscan)
// are in the DOM; row heights are measured once rendered and estimated before.
// Sticks to the bottom while you are there; near the top it keeps loading
// older pages (100 at a time) until the start of the channel, and the
// message you were looking at stays where it was on screen while they are
// prepended. A "NEW" divider marks the first unread message, with a bar to
// jump to it. One Tab stop: arrows, Home/End and letter keys inside (see
// useListKeys.js).
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { buildRows, firstUnread, shown } from '../chat/format.js';
import { channelKey } from '../chat/store.js';
import { MessageItem } from './MessageItem.js';
import { UnreadBar } from './UnreadBar.js';
import { useListKeys } from './useListKeys.js';

const OVERSCAN_PX = 800;
const EMPTY = [];
const estimate = (r) => (r.type === 'day' ? 36 : r.type === 'start' ? 72 : r.type === 'new' ? 24 : r.head ? 60 : 26);

/** Largest i with offsets[i] <= y, within [0, n-1]. */
export function indexAt(offsets, n, y) {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid] <= y) lo = mid; else hi = mid - 1;
  }
  return Math.max(0, lo);
}

/** The message row at (or just below) `top`, and how far above its top the view starts. */
function anchorAt(off, rs, count, top) {
  let i = indexAt(off, count, top);
  // A message, never a separator: a day separator keeps its key when older
  // messages of the same day arrive above it, so it would pin the view to 0.
  while (i < count - 1 && rs[i].type !== 'msg') i += 1;
  return { key: rs[i].key, delta: top - off[i] };
}

function Start({ channel, peer }) {
  if (peer) {
    return html`<h2>@${peer}</h2><p class="muted">This is the beginning of your direct messages with @${peer}.</p>`;
  }
  return html`<h2>Welcome to #${channel}</h2><p class="muted">This is the start of #${channel}.</p>`;
}

function Row({ r, ctx, focusId, channel, peer }) {
  if (r.type === 'day') {
    return html`<div class="day-sep" role="separator" aria-label=${r.label}><span>${r.label}</span></div>`;
  }
  if (r.type === 'new') {
    return html`<div class="new-sep" role="separator" aria-label="New messages" data-testid="new-divider"><span>NEW</span></div>`;
  }
  if (r.type === 'start') {
    return html`<div class="list-start">${r.loading ? html`<p class="muted">Loading messages…</p>`
      : html`<${Start} channel=${channel} peer=${peer} />`}</div>`;
  }
  return html`<${MessageItem} m=${r.m} head=${r.head} ctx=${ctx} focused=${r.m.message_id && r.m.message_id === focusId} />`;
}

export function MessageList({ chat, channel, peer, ctx, focusId }) {
  const { state, store, actions } = chat;
  const key = channelKey(channel);
  const list = store.list(key);
  const pending = state.pending.get(key) || EMPTY;
  const mark = state.unreadMarks ? state.unreadMarks.get(channel) : null;
  const unread = useRef({ lastAtOpen: null, id: null, complete: false });
  const rows = useMemo(() => {
    const msgs = [];
    for (const id of list.ids) { const m = state.messages.get(id); if (m && shown(m)) msgs.push(m); }
    const u = unread.current;
    if (mark && list.loaded && !u.complete) {
      if (!u.lastAtOpen && msgs.length) u.lastAtOpen = msgs[msgs.length - 1].message_id;
      Object.assign(u, firstUnread(msgs, mark, ctx.me, u.lastAtOpen, list.hasMore));
    }
    const out = buildRows(msgs.concat(pending));
    if (u.id) {
      const at = out.findIndex((r) => r.key === u.id);
      if (at >= 0) { out.splice(at, 0, { key: 'new', type: 'new' }); out[at + 1] = { ...out[at + 1], head: true }; }
    }
    if (!list.loaded || !list.hasMore) out.unshift({ key: 'start', type: 'start', loading: !list.loaded });
    return out;
  }, [list, list.rev, list.loaded, list.hasMore, pending, mark]);
  const index = useMemo(() => new Map(rows.map((r, i) => [r.key, i])), [rows]);

  const scrollRef = useRef(null);
  const innerRef = useRef(null);
  const heights = useRef(new Map());
  const stick = useRef(true);
  const anchor = useRef(null);
  const lastKey = useRef(null);
  const focusDone = useRef(null);
  const focusPages = useRef(0);
  const settled = useRef(false); // heights measured and the scroll position placed
  const laid = useRef(null); // the geometry and scrollTop of the last placed layout
  const [view, setView] = useState({ top: 0, height: 800 });
  const [, setTick] = useState(0);
  const [unseen, setUnseen] = useState(0);
  const [bar, setBar] = useState('open'); // open | seeking | closed

  const renderedRev = list.rev;
  const n = rows.length;
  const offsets = new Float64Array(n + 1);
  for (let i = 0; i < n; i += 1) offsets[i + 1] = offsets[i] + (heights.current.get(rows[i].key) ?? estimate(rows[i]));
  const total = offsets[n];
  const start = n ? indexAt(offsets, n, view.top - OVERSCAN_PX) : 0;
  const end = n ? Math.min(n, indexAt(offsets, n, view.top + view.height + OVERSCAN_PX) + 1) : 0;
  const geo = useRef({});
  geo.current = { offsets, rows, n, index };

  /** Brings row `k` into view (rendering it first if it is outside the window). */
  function reveal(k, delta) {
    const i = index.get(k);
    const el = scrollRef.current;
    if (i === undefined || !el) return;
    stick.current = false;
    anchor.current = { key: k, delta: delta ?? -Math.round(el.clientHeight / 3) };
    setTick((t) => t + 1);
  }
  const keys = useListKeys({ scrollRef, rows, index, ctx, stick, reveal });

  function onScroll() {
    const el = scrollRef.current;
    if (!el) return;
    const { offsets: off, rows: rs, n: count } = geo.current;
    stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (stick.current) setUnseen(0);
    if (count) anchor.current = anchorAt(off, rs, count, el.scrollTop);
    setView({ top: el.scrollTop, height: el.clientHeight });
  }

  // Measure what was rendered, then put the scroll position where it belongs:
  // at the bottom, or with the anchor message where it was on screen.
  useLayoutEffect(() => {
    const inner = innerRef.current;
    const el = scrollRef.current;
    if (!inner || !el) return;
    let changed = false;
    for (const node of inner.children) {
      // Fractional heights: rounded ones would add up to a drift over many rows.
      const h = node.getBoundingClientRect().height;
      const had = heights.current.get(node.dataset.key);
      if (h && (had === undefined || Math.abs(had - h) > 0.01)) { heights.current.set(node.dataset.key, h); changed = true; }
    }
    settled.current = !changed;
    if (changed) { setTick((t) => t + 1); return; }
    // Scrolled since the last layout, with the scroll event not handled yet (a
    // page arrived first): take the anchor from what was on screen then.
    const was = laid.current;
    if (!stick.current && was && Math.abs(el.scrollTop - was.top) > 1 && was.n) {
      anchor.current = anchorAt(was.offsets, was.rows, was.n, el.scrollTop);
    }
    let want = null;
    if (stick.current) want = el.scrollHeight - el.clientHeight;
    else if (anchor.current) {
      const i = index.get(anchor.current.key);
      if (i !== undefined) want = offsets[i] + anchor.current.delta;
    }
    if (want !== null && Math.abs(el.scrollTop - want) > 1) {
      el.scrollTop = want;
      // Render the rows now in view at once, not after the scroll event.
      if (Math.abs(view.top - el.scrollTop) > 1) setView({ top: el.scrollTop, height: el.clientHeight });
    }
    laid.current = { offsets, rows, n, top: el.scrollTop };
    keys.afterRender();
  });

  // Near the top: keep loading older pages (one at a time) until the start.
  useEffect(() => {
    const el = scrollRef.current;
    if (!el || !list.loaded || !list.hasMore || list.loading || focusId) return;
    // Only once the last page is measured and placed (the scroll position is real).
    // A page that reached the store but is not rendered yet does not count as placed.
    if (renderedRev !== list.rev) return;
    if (settled.current && el.scrollTop < Math.max(1500, el.clientHeight * 2)) actions.loadOlder(channel);
  });

  // New rows at the bottom: count them when you are reading further up.
  useEffect(() => {
    const last = rows[n - 1];
    const lk = last && last.key;
    if (lastKey.current && lk !== lastKey.current && last.type === 'msg') {
      if (!last.m.message_id) stick.current = true; // your own send
      else if (!stick.current) setUnseen((u) => u + 1);
    }
    lastKey.current = lk;
  }, [rows]);

  // Deep link to a message: scroll to it, loading older pages if needed.
  useEffect(() => {
    if (!focusId || focusDone.current === focusId) return;
    if (index.get(focusId) === undefined) {
      // Look back at most 50 pages for it (a thread reply is never in the channel's pages).
      if (list.loaded && list.hasMore && focusPages.current < 50) { focusPages.current += 1; actions.loadOlder(channel); }
      return;
    }
    focusDone.current = focusId;
    reveal(focusId);
  }, [focusId, index]);

  // The unread bar: gone once the divider has been in view; "Jump" seeks it.
  const hasNew = index.has('new');
  const divTop = hasNew ? offsets[index.get('new')] : null;
  useEffect(() => {
    const el = scrollRef.current;
    const seen = hasNew && el && settled.current && divTop >= el.scrollTop - 24 && divTop <= el.scrollTop + el.clientHeight;
    if (bar === 'open' && seen) setBar('closed');
    if (bar === 'seeking') {
      if (hasNew) { reveal('new', -48); setBar('closed'); } else if (list.hasMore) actions.loadOlder(channel);
      else setBar('closed');
    }
  });
  const unreadCount = mark ? mark.count : 0;
  const showBar = mark && bar !== 'closed' && unreadCount > 0;

  useEffect(() => {
    const el = scrollRef.current;
    const ro = new ResizeObserver(() => {
      setView({ top: el.scrollTop, height: el.clientHeight });
      setTick((t) => t + 1);
    });
    ro.observe(el);
    if (innerRef.current) ro.observe(innerRef.current);
    return () => ro.disconnect();
  }, []);

  function jump() {
    stick.current = true;
    setUnseen(0);
    const el = scrollRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }

  const visible = rows.slice(start, end);
  return html`
    <div class="msg-list-wrap">
      ${showBar && html`<${UnreadBar} count=${unreadCount} onJump=${() => setBar('seeking')} onClose=${() => setBar('closed')} />`}
      <div class="msg-scroll" ref=${scrollRef} onScroll=${onScroll} tabindex="0" role="region"
        onKeyDown=${keys.onKeyDown} onFocus=${keys.onFocus} onFocusIn=${keys.onFocusIn} onPointerDown=${keys.onPointerDown}
        aria-label=${peer ? `Messages with @${peer}` : `Messages in #${channel}`} aria-describedby="msg-list-help" data-testid="message-list">
        <div class="msg-canvas" style=${{ height: `${total}px` }}>
          <div class="msg-window" ref=${innerRef} style=${{ transform: `translateY(${offsets[start]}px)` }}>
            ${visible.map((r) => html`<div class="msg-row" key=${r.key} data-key=${r.key}>
              <${Row} r=${r} ctx=${ctx} focusId=${focusId} channel=${channel} peer=${peer} /></div>`)}
          </div>
        </div>
      </div>
      <p class="visually-hidden" id="msg-list-help">Up and Down arrows move between messages, Home and End to the first and last.
        Enter opens a message's actions; E edits your message, R replies, T opens its thread; Escape goes back to the composer.
        Control+Slash lists every shortcut.</p>
      ${unseen > 0 && html`<button type="button" class="jump-latest btn btn-primary" onClick=${jump}
        data-testid="jump-latest">Jump to latest (${unseen} new)</button>`}
    </div>`;
}
