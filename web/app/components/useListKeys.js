// Keyboard for the message list, which is one Tab stop: Tab lands on a
// message (the last one focused, else the lowest in view); Up/Down move
// between messages, Home/End to the first/last loaded; Enter (or Space) opens
// the message's actions (Left/Right move along them, Tab cycles inside the
// message, Escape returns to it); E edits your own message, R replies,
// T opens its thread; Escape goes to the composer, Tab on to what comes
// after the list and Shift+Tab back to what comes before it.
import { useRef } from 'preact/hooks';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]),'
  + ' textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';
const seen = (x) => x.getClientRects().length > 0;
const plainKey = (e) => !e.ctrlKey && !e.metaKey && !e.altKey;

export function useListKeys({ scrollRef, rows, index, ctx, stick, reveal }) {
  const current = useRef(null); // key of the message that holds the roving focus
  const pendingFocus = useRef(null);
  const pointer = useRef(false);
  const g = useRef({});
  g.current = { rows, index, ctx };

  const box = () => scrollRef.current;
  const keyOf = (art) => art.closest('.msg-row').dataset.key;
  const articleOf = (k) => box() && box().querySelector(`.msg-row[data-key="${CSS.escape(k)}"] article.msg`);
  const msgKeys = () => g.current.rows.filter((r) => r.type === 'msg').map((r) => r.key);

  function focusKey(k) {
    const a = articleOf(k);
    if (a) {
      current.current = k;
      a.focus({ preventScroll: true });
      a.scrollIntoView({ block: 'nearest' });
      return;
    }
    pendingFocus.current = k;
    reveal(k);
  }

  /** Focus arriving at the list goes to its current message. */
  function enter() {
    const el = box();
    const cur = current.current && articleOf(current.current);
    const top = el.getBoundingClientRect();
    const inView = (a) => { const r = a.getBoundingClientRect(); return r.bottom > top.top && r.top < top.bottom; };
    if (cur && inView(cur)) { cur.focus({ preventScroll: true }); return; }
    const arts = [...el.querySelectorAll('article.msg')].filter(inView);
    if (arts.length) focusKey(keyOf(arts[arts.length - 1]));
  }

  function composer() {
    const el = box();
    const main = el && el.closest('.chat-main');
    const ta = main && main.querySelector('textarea');
    if (ta) ta.focus();
  }

  /** Focuses the nearest focusable element before (or after) the list, in document order. */
  function leave(back) {
    const el = box();
    const side = back ? Node.DOCUMENT_POSITION_FOLLOWING : Node.DOCUMENT_POSITION_PRECEDING;
    const all = [...document.querySelectorAll(FOCUSABLE)]
      .filter((x) => x !== el && !el.contains(x) && seen(x) && (x.compareDocumentPosition(el) & side));
    const to = back ? all[all.length - 1] : all[0];
    if (to) to.focus();
  }

  function move(k, step) {
    const ks = msgKeys();
    const i = ks.indexOf(k);
    const j = Math.max(0, Math.min(ks.length - 1, (i < 0 ? ks.length : i) + step));
    if (ks[j] === undefined) return;
    if (step < 0) stick.current = false;
    focusKey(ks[j]);
  }

  function onMessageKey(e, art) {
    const k = keyOf(art);
    const row = g.current.rows[g.current.index.get(k)];
    const m = row && row.m;
    const c = g.current.ctx;
    const act = (fn) => { e.preventDefault(); fn(); };
    switch (e.key) {
      case 'ArrowUp': act(() => move(k, -1)); return;
      case 'ArrowDown': act(() => move(k, 1)); return;
      case 'Home': act(() => { stick.current = false; focusKey(msgKeys()[0]); }); return;
      case 'End': act(() => { const ks = msgKeys(); focusKey(ks[ks.length - 1]); }); return;
      case 'Enter':
      case ' ': act(() => { const b = art.querySelector('.msg-actions button'); if (b) b.focus(); }); return;
      case 'Escape': act(composer); return;
      case 'Tab': act(() => leave(e.shiftKey)); return;
      default:
    }
    if (!m || !m.message_id || !plainKey(e)) return;
    const letter = e.key.toLowerCase();
    if (letter === 'e' && c.canWrite && m.author_name === c.me && !m.deleted && m.type !== 'command') act(() => c.on.edit(m));
    else if (letter === 'r' && c.canWrite && !c.inThread && !m.deleted) act(() => c.on.reply(m));
    else if (letter === 't' && c.canWrite && !c.inThread && !m.thread_id) act(() => c.on.thread(m));
  }

  /** Keys on a control inside a message: Escape back to it, Tab stays inside, arrows along the toolbar. */
  function onInnerKey(e, art) {
    if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); art.focus({ preventScroll: true }); return; }
    const bar = e.target.closest('.msg-actions');
    const within = (root) => [...root.querySelectorAll(FOCUSABLE)].filter(seen);
    if (e.key === 'Tab') {
      const all = within(art);
      const i = all.indexOf(e.target);
      if (i < 0 || !all.length) return;
      e.preventDefault();
      all[(i + (e.shiftKey ? all.length - 1 : 1)) % all.length].focus();
    } else if (bar && (e.key === 'ArrowLeft' || e.key === 'ArrowRight')) {
      const all = within(bar);
      const i = all.indexOf(e.target);
      if (i < 0) return;
      e.preventDefault();
      all[(i + (e.key === 'ArrowLeft' ? all.length - 1 : 1)) % all.length].focus();
    }
  }

  return {
    onKeyDown(e) {
      const el = box();
      if (e.target === el) {
        if (['ArrowUp', 'ArrowDown', 'Home', 'End'].includes(e.key)) { e.preventDefault(); enter(); }
        return;
      }
      const art = e.target.closest && e.target.closest('article.msg');
      if (!art || !el.contains(art)) return;
      if (e.target === art) onMessageKey(e, art); else onInnerKey(e, art);
    },
    onFocus(e) {
      if (e.target === box() && !pointer.current) enter();
    },
    onFocusIn(e) {
      const el = box();
      const t = e.target;
      if (t.matches && t.matches('article.msg')) { current.current = keyOf(t); return; }
      // Tabbing in from outside onto a control inside a message: go to the message instead.
      const from = e.relatedTarget;
      if (t !== el && !pointer.current && !(from && el.contains(from))) enter();
    },
    onPointerDown() {
      pointer.current = true;
      setTimeout(() => { pointer.current = false; }, 0);
    },
    afterRender() {
      const k = pendingFocus.current;
      if (!k) return;
      const a = articleOf(k);
      if (a) { pendingFocus.current = null; current.current = k; a.focus({ preventScroll: true }); }
    },
  };
}
