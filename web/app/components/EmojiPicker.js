// The emoji picker, for reactions and for the composer: a search box (name,
// shortcode, keywords), category tabs, "Recently used" first. Arrow keys move
// through the grid, Enter picks, Escape closes, Tab stays inside, focus goes
// back to the button that opened it. It is drawn in a layer on <body> next
// to that button, so no scrolling list clips it.
import { render } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { searchEmoji, shortcodeOf, useEmojiData } from '../chat/emojiData.js';
import { noteEmojiUsed, recentEmoji } from '../chat/emoji.js';

const COLS = 8;
const RECENT = 'recent';
let seq = 0;

function place(panel, anchor) {
  const vw = window.innerWidth;
  const vh = window.innerHeight;
  const w = panel.offsetWidth;
  const h = panel.offsetHeight;
  const r = anchor && document.contains(anchor) ? anchor.getBoundingClientRect()
    : { top: vh / 2, bottom: vh / 2, right: vw / 2 + w / 2 };
  const left = Math.max(8, Math.min(r.right - w, vw - w - 8));
  let top = r.top - h - 6;
  if (top < 8) top = Math.min(r.bottom + 6, vh - h - 8);
  panel.style.left = `${left}px`;
  panel.style.top = `${Math.max(8, top)}px`;
}

function Panel({ label, className, anchor, onPick, onClose }) {
  const data = useEmojiData(true);
  const [query, setQuery] = useState('');
  const [tab, setTab] = useState(RECENT);
  const [hover, setHover] = useState(null);
  const ref = useRef(null);
  const ids = useRef(null);
  if (!ids.current) { seq += 1; ids.current = `emoji-${seq}`; }
  const recent = useMemo(() => recentEmoji(), []);

  useLayoutEffect(() => {
    place(ref.current, anchor);
    const input = ref.current.querySelector('input');
    if (input) input.focus();
  }, []);
  useEffect(() => {
    const onDown = (e) => {
      if (ref.current && !ref.current.contains(e.target) && !(anchor && anchor.contains(e.target))) onClose();
    };
    const onResize = () => ref.current && place(ref.current, anchor);
    document.addEventListener('mousedown', onDown);
    window.addEventListener('resize', onResize);
    return () => { document.removeEventListener('mousedown', onDown); window.removeEventListener('resize', onResize); };
  }, []);

  const tabs = [{ id: RECENT, label: 'Recently used', icon: '🕘' }].concat(data ? data.groups : []);
  let items = [];
  let heading = '';
  if (query.trim()) {
    heading = 'Search results';
    items = searchEmoji(data, query);
  } else if (tab === RECENT) {
    heading = 'Recently used';
    items = recent.map((e) => (data && data.byEmoji.get(e)) || { emoji: e, name: e, shortcodes: [] });
  } else if (data) {
    const g = data.groups.find((x) => x.id === tab);
    heading = g ? g.label : '';
    items = data.list.filter((e) => e.group === tab);
  }

  function pick(e) {
    noteEmojiUsed(e.emoji);
    onPick(e.emoji);
  }
  const buttons = () => [...ref.current.querySelectorAll('.emoji-grid button')];

  function onKeyDown(e) {
    if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); onClose(); return; }
    if (e.key === 'Tab') {
      const all = [...ref.current.querySelectorAll('input, button:not([tabindex="-1"])')];
      const i = all.indexOf(document.activeElement);
      const next = e.shiftKey ? (i <= 0 ? all.length - 1 : i - 1) : (i === all.length - 1 ? 0 : i + 1);
      e.preventDefault();
      all[next].focus();
      return;
    }
    const inSearch = e.target.tagName === 'INPUT';
    if (inSearch) {
      if (e.key === 'ArrowDown' && buttons()[0]) { e.preventDefault(); buttons()[0].focus(); }
      if (e.key === 'Enter') { e.preventDefault(); if (items[0]) pick(items[0]); }
      return;
    }
    if (e.target.getAttribute('role') === 'tab') {
      const all = [...ref.current.querySelectorAll('[role="tab"]')];
      const i = all.indexOf(e.target);
      const move = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
      if (move) {
        e.preventDefault();
        const t = tabs[(i + move + tabs.length) % tabs.length];
        setTab(t.id);
        requestAnimationFrame(() => { const b = ref.current.querySelector(`[data-tab="${t.id}"]`); if (b) b.focus(); });
      }
      if (e.key === 'ArrowDown' && buttons()[0]) { e.preventDefault(); buttons()[0].focus(); }
      return;
    }
    const list = buttons();
    const i = list.indexOf(document.activeElement);
    if (i < 0) return;
    const move = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLS, ArrowUp: -COLS }[e.key];
    if (e.key === 'Home' || e.key === 'End') { e.preventDefault(); list[e.key === 'Home' ? 0 : list.length - 1].focus(); return; }
    if (!move) return;
    e.preventDefault();
    if (i + move < 0) { ref.current.querySelector('input').focus(); return; }
    const next = list[Math.min(list.length - 1, i + move)];
    if (next) next.focus();
  }

  const panelId = `${ids.current}-panel`;
  const shown = hover || items[0];
  return html`
    <div class=${`emoji-picker ${className}`} ref=${ref} role="dialog" aria-modal="true" aria-label=${label}
      onKeyDown=${onKeyDown} data-testid="emoji-picker">
      <input type="search" class="emoji-search input" placeholder="Search emoji" aria-label="Search emoji"
        aria-controls=${panelId} value=${query} onInput=${(e) => setQuery(e.currentTarget.value)} />
      <div class="emoji-tabs" role="tablist" aria-label="Emoji categories">
        ${tabs.map((t) => {
          const on = !query.trim() && t.id === tab;
          return html`<button key=${t.id} type="button" role="tab" class="emoji-tab" data-tab=${t.id}
            aria-selected=${on ? 'true' : 'false'} aria-controls=${panelId} tabindex=${on ? '0' : '-1'}
            aria-label=${t.label} title=${t.label}
            onClick=${() => { setQuery(''); setTab(t.id); }}><span aria-hidden="true">${t.icon}</span></button>`;
        })}
      </div>
      <div class="emoji-panel" id=${panelId} role="tabpanel" aria-label=${heading || 'Emoji'}>
        ${heading && html`<p class="emoji-heading">${heading}</p>`}
        ${!data && tab !== RECENT && !query.trim() && html`<p class="muted emoji-empty" role="status">Loading emoji…</p>`}
        ${data && query.trim() && !items.length && html`<p class="muted emoji-empty" role="status">No emoji match “${query.trim()}”.</p>`}
        <div class="emoji-grid" role="group" aria-label=${heading}>
          ${items.map((e, i) => html`
            <button key=${e.emoji} type="button" class="emoji-btn" aria-label=${e.name} tabindex=${i === 0 ? '0' : '-1'}
              title=${shortcodeOf(data, e.emoji) ? `${e.name} ${shortcodeOf(data, e.emoji)}` : e.name}
              onMouseEnter=${() => setHover(e)} onFocus=${() => setHover(e)}
              onClick=${() => pick(e)}>${e.emoji}</button>`)}
        </div>
      </div>
      <p class="emoji-footer muted" aria-hidden="true">
        ${shown ? html`<span class="emoji-big">${shown.emoji}</span> ${shown.name} <code>${shortcodeOf(data, shown.emoji) || ''}</code>` : ' '}
      </p>
    </div>`;
}

export function EmojiPicker({ onPick, onClose, label = 'Pick an emoji', className = '' }) {
  const opener = useRef(null);
  const host = useRef(null);
  const props = { onPick, onClose, label, className };
  useLayoutEffect(() => {
    opener.current = document.activeElement;
    const el = document.createElement('div');
    el.className = 'emoji-layer';
    document.body.append(el);
    host.current = el;
    return () => {
      render(null, el);
      el.remove();
      const back = opener.current;
      if (back && back.focus && document.contains(back)) back.focus();
    };
  }, []);
  useLayoutEffect(() => {
    if (host.current) render(html`<${Panel} ...${props} anchor=${opener.current} />`, host.current);
  });
  return null;
}
