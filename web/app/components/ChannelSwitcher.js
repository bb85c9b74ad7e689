// Ctrl+K: a filterable list of channels, then direct messages ("@code").
// Up/Down move, Enter opens, Esc closes.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { channelLabel, isDirect } from '../chat/direct.js';

/** Channels first, then direct messages; each with the text matched ("general", "@code"). */
function entries(channels, me) {
  const open = channels.filter((c) => !c.archived);
  return open.filter((c) => !isDirect(c)).concat(open.filter(isDirect))
    .map((c) => ({ c, text: isDirect(c) ? channelLabel(c, me) : c.name }));
}

export function ChannelSwitcher({ channels, me, onPick, onClose }) {
  const [q, setQ] = useState('');
  const [index, setIndex] = useState(0);
  const input = useRef(null);
  const opener = useRef(document.activeElement);
  useLayoutEffect(() => {
    if (input.current) input.current.focus();
    const back = opener.current;
    return () => { if (back && back.focus && document.contains(back)) back.focus(); };
  }, []);
  const needle = q.trim().toLowerCase();
  const found = entries(channels, me).filter((e) => e.text.toLowerCase().includes(needle)).map((e) => e.c);
  const i = Math.min(index, Math.max(0, found.length - 1));

  function onKeyDown(e) {
    if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); onClose(); return; }
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const n = found.length || 1;
      setIndex((i + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
    }
    if (e.key === 'Enter' && found[i]) { e.preventDefault(); onPick(found[i].name); }
  }

  return html`
    <div class="modal-scrim" onMouseDown=${(e) => { if (e.target === e.currentTarget) onClose(); }}>
      <div class="switcher" role="dialog" aria-modal="true" aria-labelledby="switcher-title" data-testid="channel-switcher">
        <h2 id="switcher-title">Switch channel</h2>
        <label class="visually-hidden" for="switcher-input">Find a channel</label>
        <input id="switcher-input" ref=${input} value=${q} placeholder="Find a channel" autocomplete="off"
          role="combobox" aria-expanded="true" aria-controls="switcher-list"
          aria-activedescendant=${found[i] ? `switcher-opt-${i}` : undefined}
          onInput=${(e) => { setQ(e.currentTarget.value); setIndex(0); }} onKeyDown=${onKeyDown} />
        <ul id="switcher-list" role="listbox" aria-label="Channels" class="switcher-list">
          ${found.length === 0 && html`<li class="muted">No channel matches.</li>`}
          ${found.map((c, k) => html`
            <li key=${c.name} id=${`switcher-opt-${k}`} role="option" aria-selected=${k === i ? 'true' : 'false'}
              class=${`ac-item${k === i ? ' active' : ''}`} onMouseDown=${(e) => { e.preventDefault(); onPick(c.name); }}>
              <span>${isDirect(c) ? channelLabel(c, me) : `# ${c.name}`}</span>
              ${c.unread_count > 0 && html`<span class="unread-badge">${c.unread_count}</span>`}
            </li>`)}
        </ul>
      </div>
    </div>`;
}
