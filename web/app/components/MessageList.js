// The channel's messages, virtualised: only the rows in view (plus overscan)
// are in the DOM; row heights are measured once rendered and estimated before.
// Sticks to the bottom while you are there, keeps your place when older pages
// load above, and offers "Jump to latest" when new messages arrive below.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { buildRows } from '../chat/format.js';
import { channelKey } from '../chat/store.js';
import { MessageItem } from './MessageItem.js';

const OVERSCAN_PX = 800;
const EMPTY = [];
const estimate = (r) => (r.type === 'day' ? 36 : r.type === 'start' ? 72 : r.head ? 60 : 26);

/** Largest i with offsets[i] <= y, within [0, n-1]. */
function indexAt(offsets, n, y) {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid] <= y) lo = mid; else hi = mid - 1;
  }
  return Math.max(0, lo);
}

function Start({ channel, peer }) {
  if (peer) {
    return html`<h2>@${peer}</h2><p class="muted">This is the beginning of your direct messages with @${peer}.</p>`;
  }
  return html`<h2>Welcome to #${channel}</h2><p class="muted">This is the beginning of the channel.</p>`;
}

function Row({ r, ctx, focusId, channel, peer }) {
  if (r.type === 'day') {
    return html`<div class="day-sep" role="separator" aria-label=${r.label}><span>${r.label}</span></div>`;
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
  const rows = useMemo(() => {
    const msgs = [];
    for (const id of list.ids) { const m = state.messages.get(id); if (m) msgs.push(m); }
    const out = buildRows(msgs.concat(pending));
    if (!list.loaded || !list.hasMore) out.unshift({ key: 'start', type: 'start', loading: !list.loaded });
    return out;
  }, [list, list.rev, list.loaded, list.hasMore, pending]);
  const index = useMemo(() => new Map(rows.map((r, i) => [r.key, i])), [rows]);

  const scrollRef = useRef(null);
  const innerRef = useRef(null);
  const heights = useRef(new Map());
  const stick = useRef(true);
  const anchor = useRef(null);
  const lastKey = useRef(null);
  const focusDone = useRef(null);
  const focusPages = useRef(0);
  const [view, setView] = useState({ top: 0, height: 800 });
  const [, setTick] = useState(0);
  const [unseen, setUnseen] = useState(0);

  const n = rows.length;
  const offsets = new Float64Array(n + 1);
  for (let i = 0; i < n; i += 1) offsets[i + 1] = offsets[i] + (heights.current.get(rows[i].key) ?? estimate(rows[i]));
  const total = offsets[n];
  const start = n ? indexAt(offsets, n, view.top - OVERSCAN_PX) : 0;
  const end = n ? Math.min(n, indexAt(offsets, n, view.top + view.height + OVERSCAN_PX) + 1) : 0;
  const geo = useRef({});
  geo.current = { offsets, rows, n, index };

  function onScroll() {
    const el = scrollRef.current;
    if (!el) return;
    const { offsets: off, rows: rs, n: count } = geo.current;
    stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (stick.current) setUnseen(0);
    if (count) {
      const i = indexAt(off, count, el.scrollTop);
      anchor.current = { key: rs[i].key, delta: el.scrollTop - off[i] };
    }
    setView({ top: el.scrollTop, height: el.clientHeight });
    if (el.scrollTop < 400) actions.loadOlder(channel);
  }

  // Measure what was rendered, then put the scroll position where it belongs.
  useLayoutEffect(() => {
    const inner = innerRef.current;
    const el = scrollRef.current;
    if (!inner || !el) return;
    let changed = false;
    for (const node of inner.children) {
      const h = node.offsetHeight;
      if (h && heights.current.get(node.dataset.key) !== h) { heights.current.set(node.dataset.key, h); changed = true; }
    }
    if (changed) { setTick((t) => t + 1); return; }
    if (stick.current) {
      if (Math.abs(el.scrollTop - (el.scrollHeight - el.clientHeight)) > 1) el.scrollTop = el.scrollHeight;
    } else if (anchor.current) {
      const i = index.get(anchor.current.key);
      if (i !== undefined) {
        const want = offsets[i] + anchor.current.delta;
        if (Math.abs(el.scrollTop - want) > 1) el.scrollTop = want;
      }
    }
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
    const i = index.get(focusId);
    const el = scrollRef.current;
    if (i === undefined) {
      // Look back at most 20 pages for it (a thread reply is never in the channel's pages).
      if (list.loaded && list.hasMore && focusPages.current < 20) { focusPages.current += 1; actions.loadOlder(channel); }
      return;
    }
    focusDone.current = focusId;
    stick.current = false;
    anchor.current = { key: focusId, delta: -Math.round((el ? el.clientHeight : 600) / 3) };
    setTick((t) => t + 1);
  }, [focusId, index]);

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

  // One tab stop for the list: Up/Down move between messages, Tab enters
  // the focused message's actions.
  function onKeyDown(e) {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const el = scrollRef.current;
    const arts = [...el.querySelectorAll('article.msg')];
    if (arts.length === 0) return;
    let i = arts.indexOf(e.target);
    if (i < 0 && e.target !== el) return;
    e.preventDefault();
    if (i < 0) {
      const top = el.getBoundingClientRect().top;
      i = arts.findIndex((a) => a.getBoundingClientRect().bottom > top);
      if (e.key === 'ArrowUp') i += 1;
    }
    const next = arts[Math.max(0, Math.min(arts.length - 1, i + (e.key === 'ArrowDown' ? 1 : -1)))];
    stick.current = false;
    next.focus({ preventScroll: true });
    next.scrollIntoView({ block: 'nearest' });
  }

  function jump() {
    stick.current = true;
    setUnseen(0);
    const el = scrollRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }

  const visible = rows.slice(start, end);
  return html`
    <div class="msg-list-wrap">
      <div class="msg-scroll" ref=${scrollRef} onScroll=${onScroll} onKeyDown=${onKeyDown} tabindex="0" role="region"
        aria-label=${peer ? `Messages with @${peer}` : `Messages in #${channel}`} aria-describedby="msg-list-help" data-testid="message-list">
        <div class="msg-canvas" style=${{ height: `${total}px` }}>
          <div class="msg-window" ref=${innerRef} style=${{ transform: `translateY(${offsets[start]}px)` }}>
            ${visible.map((r) => html`<div class="msg-row" key=${r.key} data-key=${r.key}>
              <${Row} r=${r} ctx=${ctx} focusId=${focusId} channel=${channel} peer=${peer} /></div>`)}
          </div>
        </div>
      </div>
      <p class="visually-hidden" id="msg-list-help">Use the Up and Down arrow keys to move between messages, Tab for a message's actions.</p>
      ${unseen > 0 && html`<button type="button" class="jump-latest btn btn-primary" onClick=${jump}
        data-testid="jump-latest">Jump to latest (${unseen} new)</button>`}
    </div>`;
}
