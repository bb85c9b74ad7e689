// Right sidebar: the open project's members in sections (Online, Offline,
// Agents), or in a direct message the other side's profile. Beside the chat
// on wide screens; hidden while a thread or search panel is open and on
// narrow screens, where the heading's "Members" button opens it as a drawer
// (a modal dialog: focus moves in and stays, Escape or Close shuts it and
// focus goes back to the button).
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { html } from '../html.js';
import { directOf, peerOf } from '../chat/direct.js';
import { MemberList } from './MemberList.js';
import { AgentProfile } from './AgentProfile.js';
import { CloseIcon } from './Icons.js';

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select, textarea, [tabindex]:not([tabindex="-1"])';

export function RightSidebar({ selected, presence, members, chat, channel, manage }) {
  const state = chat && chat.state;
  const open = Boolean(state && state.membersOpen);
  const ref = useRef(null);
  const opener = useRef(null);
  const close = () => chat && chat.store.setMembersOpen(false);

  useLayoutEffect(() => {
    if (!open) return undefined;
    opener.current = document.activeElement;
    const first = ref.current && ref.current.querySelector('.drawer-close');
    if (first) first.focus();
    return () => { const b = opener.current; if (b && b.focus && document.contains(b)) b.focus(); };
  }, [open]);
  useEffect(() => { if (open) close(); }, [channel, selected]);

  function onKeyDown(e) {
    if (!open) return;
    if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); close(); return; }
    if (e.key !== 'Tab') return;
    const all = [...ref.current.querySelectorAll(FOCUSABLE)].filter((x) => x.getClientRects().length);
    if (!all.length) return;
    const i = all.indexOf(document.activeElement);
    if (e.shiftKey && i <= 0) { e.preventDefault(); all[all.length - 1].focus(); }
    else if (!e.shiftKey && i === all.length - 1) { e.preventDefault(); all[0].focus(); }
  }

  const info = state && channel && state.channels.find((c) => c.name === channel);
  const direct = info ? directOf(info) : null;
  const me = state && state.me && state.me.username;
  const online = presence ? presence.names || [] : undefined;
  const idle = presence ? presence.idle || [] : undefined;
  let body;
  if (!selected) body = html`<p class="muted">Open a project to see its members.</p>`;
  else if (direct && me) {
    const peer = peerOf(direct, me);
    body = html`<${AgentProfile} peer=${peer} member=${(members || []).find((m) => m.username === peer)}
      online=${online || []} idle=${idle || []} />`;
  } else {
    body = html`
      ${presence && html`<p class="online-count muted" data-testid="online-count">${presence.count} online</p>`}
      <${MemberList} members=${members} online=${online} idle=${idle} idPrefix="side-members" className="side-members"
        onManage=${manage && manage.onManage} manageLabel=${manage && manage.label} />`;
  }
  return html`
    <aside class=${`right${open ? ' open' : ''}`} id="member-panel" ref=${ref} onKeyDown=${onKeyDown}
      aria-label=${direct ? 'Profile' : 'Members'} role=${open ? 'dialog' : undefined} aria-modal=${open ? 'true' : undefined}
      data-testid="member-panel">
      ${open && html`<button type="button" class="btn btn-icon drawer-close" aria-label="Close members" title="Close (Esc)"
        onClick=${close}><${CloseIcon} /></button>`}
      ${body}
    </aside>
    ${open && html`<button type="button" class="drawer-scrim" aria-label="Close members" tabindex="-1" onClick=${close}></button>`}`;
}
