// The chat header's title: "# general" for a channel; for a direct message
// "@code" with the other side's status dot and role.
import { html } from '../html.js';
import { peerRole, statusOf } from '../chat/direct.js';
import { StatusDot } from './StatusDot.js';
import { openDialog } from '../dialogs.js';
import { atLeast } from '../roles.js';
import { GearIcon } from './Icons.js';

export function ChatHeading({ channel, peer, members, state }) {
  if (!peer) {
    return html`<h1 id="channel-title"><span aria-hidden="true" class="muted">#</span> ${channel}</h1>
      ${atLeast(state.role, 'maintainer') && html`<button type="button" class="btn btn-icon btn-ghost" data-testid="channel-settings"
        aria-label=${`Settings of #${channel}`} title="Channel settings"
        onClick=${(e) => openDialog('channel-settings', { channel }, e.currentTarget)}><${GearIcon} /></button>`}`;
  }
  const member = (members || []).find((m) => m.username === peer);
  const role = peerRole(member);
  const roleText = member && member.kind === 'agent' && role ? `${role} agent` : role;
  return html`
    <span class="dm-head" data-testid="dm-head">
      <${StatusDot} name=${peer} status=${statusOf(peer, state.online, state.idle)} />
      <h1 id="channel-title">@${peer}</h1>
      ${roleText && html`<span class="tag dm-head-role">${roleText}</span>`}
    </span>`;
}
