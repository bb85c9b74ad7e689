// Channel sidebar: the project's overview link, its channels with unread
// and mention badges, and the direct messages. Channels come from chat_ready /
// the REST list; direct messages (channels with `direct`) are listed apart.
import { html } from '../html.js';
import { channelHash } from '../router.js';
import { isDirect } from '../chat/direct.js';
import { DirectMessageList } from './DirectMessageList.js';
import { openDialog } from '../dialogs.js';
import { canManage } from '../roles.js';
import { ChannelTypeIcon, InfoIcon, PlusIcon, UsersIcon } from './Icons.js';


function ChannelLink({ project, c, active }) {
  const unread = !active && c.unread_count > 0;
  const mentions = !active && c.mention_count > 0;
  const label = [c.name, unread ? `${c.unread_count} unread` : '', mentions ? `${c.mention_count} mentions` : '']
    .filter(Boolean).join(', ');
  const cls = ['channel-link', active && 'active', unread && 'unread', mentions && 'mentioned']
    .filter(Boolean).join(' ');
  return html`
    <li key=${c.name}>
      <a class=${cls} href=${channelHash(project, c.name)} aria-label=${label}
        aria-current=${active ? 'page' : undefined} data-channel=${c.name} title=${c.description || c.name}>
        <span class="channel-icon" aria-hidden="true"><${ChannelTypeIcon} type=${c.type} /></span>
        <span class="channel-name">${c.name}</span>
        ${mentions ? html`<span class="mention-badge" aria-hidden="true">@${c.mention_count}</span>`
          : unread ? html`<span class="unread-badge" aria-hidden="true">${c.unread_count > 99 ? '99+' : c.unread_count}</span>` : ''}
      </a>
    </li>`;
}

export function ChannelSidebar({ project, chat, channel, members, me, role }) {
  const state = chat && chat.state;
  const manage = canManage(role, me && me.is_admin);
  let body = null;
  if (project && state) {
    const channels = state.channels.filter((c) => !c.archived && !isDirect(c));
    if (state.status === 'forbidden') {
      body = html`<p class="sidebar-note">You are not a member of this project, so its chat is closed.</p>`;
    } else if (!state.ready && channels.length === 0) {
      body = html`<p class="sidebar-note">Connecting to chat…</p>`;
    } else {
      body = html`
        <div class="sidebar-sub-row">
          <h3 class="sidebar-sub" id="channels-title">Channels</h3>
          ${manage && html`<button type="button" class="btn btn-icon btn-ghost" aria-label="Create channel" title="Create channel"
            data-testid="create-channel" onClick=${(e) => openDialog('create-channel', {}, e.currentTarget)}><${PlusIcon} /></button>`}
        </div>
        <ul class="channel-list" aria-labelledby="channels-title" data-testid="channel-list">
          ${channels.map((c) => html`<${ChannelLink} key=${c.name} project=${project.name} c=${c}
            active=${c.name === channel} />`)}
        </ul>
        <${DirectMessageList} project=${project.name} chat=${chat} channel=${channel} members=${members} me=${me} manage=${manage} />
        <p class="sidebar-note sidebar-hint"><kbd>Ctrl</kbd>+<kbd>K</kbd> to switch channels</p>`;
    }
  }
  return html`
    <aside class="sidebar" id="channel-sidebar" aria-label="Channels">
      <div class="sidebar-title-row">
        <h2 class="sidebar-title">${project ? project.name : 'Huddle'}</h2>
        ${project && state && state.status !== 'forbidden' && html`<button type="button" class="btn btn-small btn-ghost"
          data-testid="invite-button" onClick=${(e) => openDialog('members', {}, e.currentTarget)}>
          <${UsersIcon} /> ${manage ? 'Invite people' : 'Members'}</button>`}
      </div>
      ${project && html`
        <a class=${`channel-link overview-link${channel ? '' : ' active'}`} href=${`#/p/${encodeURIComponent(project.name)}`}
          aria-current=${channel ? undefined : 'page'}>
          <span class="channel-icon" aria-hidden="true"><${InfoIcon} /></span><span class="channel-name">Overview</span>
        </a>`}
      ${body}
    </aside>`;
}
