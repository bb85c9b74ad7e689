// Ctrl+K: a filterable list of channels, then direct messages ("@code"),
// then the others one can write to: choosing one of those opens the direct
// message first (as its row in the sidebar does). Up/Down move, Enter opens,
// Esc closes.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { channelLabel, directPeers, directWith, findDirect, isDirect } from '../chat/direct.js';

/**
 * Channels, then direct messages, then peers without one yet (`peer` set);
 * each with the text matched ("general", "@code") and its unread count.
 */
function entries(channels, members, me, meIsAgent) {
  const open = channels.filter((c) => !c.archived);
  const listed = open.filter((c) => !isDirect(c)).concat(open.filter(isDirect))
    .map((c) => ({ name: c.name, direct: isDirect(c), text: isDirect(c) ? channelLabel(c, me) : c.name, unread: c.unread_count }));
  const fresh = directPeers(members, me, meIsAgent)
    .filter((m) => !findDirect(channels, m.username, me, meIsAgent))
    .map((m) => ({ name: directWith(m.username, me, meIsAgent), direct: true, peer: m.username, text: `@${m.username}` }));
  return listed.concat(fresh);
}

export function ChannelSwitcher({ channels, members, me, meIsAgent, onPick, onOpenDirect, onClose }) {
  const [q, setQ] = useState('');
  const [index, setIndex] = useState(0);
  const [opening, setOpening] = useState(null);
  const [error, setError] = useState('');
  const input = useRef(null);
  const opener = useRef(document.activeElement);
  useLayoutEffect(() => {
    if (input.current) input.current.focus();
    const back = opener.current;
    return () => { if (back && back.focus && document.contains(back)) back.focus(); };
  }, []);
  const needle = q.trim().toLowerCase();
  const found = entries(channels, members, me, meIsAgent).filter((e) => e.text.toLowerCase().includes(needle));
  const i = Math.min(index, Math.max(0, found.length - 1));

  async function pick(e) {
    if (!e.peer) { onPick(e.name); return; }
    if (opening) return;
    setError('');
    setOpening(e.peer);
    const r = await onOpenDirect(e.peer);
    setOpening(null);
    if (r.error) setError(`Could not open a conversation with ${e.peer}: ${r.error}`);
    else onPick(r.channel.name);
  }

  function onKeyDown(e) {
    if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); onClose(); return; }
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const n = found.length || 1;
      setIndex((i + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
    }
    if (e.key === 'Enter' && found[i]) { e.preventDefault(); pick(found[i]); }
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
          ${found.map((e, k) => html`
            <li key=${e.name} id=${`switcher-opt-${k}`} role="option" aria-selected=${k === i ? 'true' : 'false'}
              aria-busy=${opening === e.peer && e.peer ? 'true' : undefined} data-peer=${e.peer}
              class=${`ac-item${k === i ? ' active' : ''}`} onMouseDown=${(ev) => { ev.preventDefault(); pick(e); }}>
              <span>${e.direct ? e.text : `# ${e.name}`}</span>
              ${e.unread > 0 && html`<span class="unread-badge">${e.unread}</span>`}
            </li>`)}
        </ul>
        ${error && html`<p class="form-error" role="alert" data-testid="switcher-error">${error}</p>`}
      </div>
    </div>`;
}
