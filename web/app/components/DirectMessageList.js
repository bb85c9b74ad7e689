// "Direct messages" in the channel sidebar: the project's agents (or, for an
// agent, its humans) with a live status dot, the role, and the unread and
// mention badges of the conversation. A row without a conversation yet opens
// one with open_direct_message, then navigates to it.
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { channelHash, openChannel } from '../router.js';
import {
  directPeers, directWith, findDirect, openRequest, peerRole, statusOf,
} from '../chat/direct.js';
import { StatusDot } from './StatusDot.js';
import { openDialog } from '../dialogs.js';

function DirectLink({ href, name, role, status, dm, active, busy, onOpen }) {
  const unread = Boolean(dm) && !active && dm.unread_count > 0;
  const mentions = Boolean(dm) && !active && dm.mention_count > 0;
  const label = [`Direct message with ${name}${role ? ` (${role})` : ''}`, status,
    unread ? `${dm.unread_count} unread` : '', mentions ? `${dm.mention_count} mentions` : '']
    .filter(Boolean).join(', ');
  const cls = ['channel-link', 'dm-link', active && 'active', unread && 'unread', mentions && 'mentioned']
    .filter(Boolean).join(' ');
  return html`
    <li>
      <a class=${cls} href=${href} aria-label=${label} aria-current=${active ? 'page' : undefined}
        aria-busy=${busy ? 'true' : undefined} data-peer=${name} data-channel=${dm ? dm.name : undefined}
        onClick=${onOpen}>
        <${StatusDot} name=${name} status=${status} />
        <span class="channel-name">${name}</span>
        ${role && html`<span class="dm-role">${role}</span>`}
        ${mentions ? html`<span class="mention-badge" aria-hidden="true">@${dm.mention_count}</span>`
          : unread ? html`<span class="unread-badge" aria-hidden="true">${dm.unread_count > 99 ? '99+' : dm.unread_count}</span>` : ''}
      </a>
    </li>`;
}

function EmptyNote({ meIsAgent, manage }) {
  if (meIsAgent) return html`<p class="sidebar-note" data-testid="dm-empty">No people in this project yet.</p>`;
  if (!manage) {
    return html`<p class="sidebar-note" data-testid="dm-empty">No agents in this project yet. Ask a maintainer to add an agent.</p>`;
  }
  return html`<div class="sidebar-note" data-testid="dm-empty">No agents in this project yet.
    <button type="button" class="btn btn-small" onClick=${(e) => openDialog('members', {}, e.currentTarget)}>Add an agent</button></div>`;
}

export function DirectMessageList({ project, chat, channel, members, me, manage }) {
  const { state, actions } = chat;
  const [opening, setOpening] = useState(null);
  const [error, setError] = useState('');
  const myName = (state.me && state.me.username) || (me && me.username);
  const meIsAgent = Boolean(me && me.kind === 'agent');
  const peers = directPeers(members, myName, meIsAgent);

  async function open(e, peer, dm) {
    setError('');
    if (dm) return; // the link itself navigates
    e.preventDefault();
    if (opening) return;
    setOpening(peer);
    const r = await actions.openDirect(openRequest(peer, meIsAgent));
    setOpening(null);
    if (r.error) setError(`Could not open a conversation with ${peer}: ${r.error}`);
    else openChannel(project, r.channel.name);
  }

  let body;
  if (!members) body = html`<p class="sidebar-note">Loading…</p>`;
  else if (peers.length === 0) body = html`<${EmptyNote} meIsAgent=${meIsAgent} manage=${manage} />`;
  else {
    body = html`
      <ul class="channel-list dm-list" aria-labelledby="dm-title" data-testid="dm-list">
        ${peers.map((m) => {
          const dm = findDirect(state.channels, m.username, myName, meIsAgent);
          const name = dm ? dm.name : directWith(m.username, myName, meIsAgent);
          return html`<${DirectLink} key=${m.username} href=${channelHash(project, name)} name=${m.username}
            role=${peerRole(m)} status=${statusOf(m.username, state.online, state.idle)} dm=${dm}
            active=${name === channel} busy=${opening === m.username}
            onOpen=${(e) => open(e, m.username, dm)} />`;
        })}
      </ul>`;
  }
  return html`
    <h3 class="sidebar-sub" id="dm-title">Direct messages</h3>
    ${body}
    ${error && html`<p class="form-error dm-error" role="alert" data-testid="dm-error">${error}</p>`}`;
}
