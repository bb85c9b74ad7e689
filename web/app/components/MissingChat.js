// What a channel link shows when the channel is not in the list. A direct
// message of one's own with someone one can write to is opened instead
// (open_direct_message creates it, or returns it when it already exists), as
// following a link to it would lead one to expect; ChatView then shows it.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { openChannel } from '../router.js';
import { channelLabel, directOf, openRequest, ownPeer, peerOf } from '../chat/direct.js';

export function MissingChat({ chat, project, channel, members }) {
  const { state, actions } = chat;
  const me = state.me && state.me.username;
  const meIsAgent = Boolean(state.me && state.me.kind === 'agent');
  const direct = directOf(channel);
  const peer = direct && peerOf(direct, me);
  const mine = Boolean(direct) && (meIsAgent ? direct.agent : direct.user) === me;
  const openable = Boolean(ownPeer(direct, me, members, meIsAgent));
  const [error, setError] = useState('');

  useEffect(() => {
    setError('');
    if (!openable) return undefined;
    let live = true;
    actions.openDirect(openRequest(peer, meIsAgent)).then((r) => {
      if (!live) return;
      if (r.error) setError(r.error);
      else if (r.channel.name !== channel) openChannel(project, r.channel.name);
    });
    return () => { live = false; };
  }, [channel, openable]);

  const label = channelLabel(channel, me);
  if (error) {
    return html`<section class="chat chat-closed" data-testid="dm-open-failed"><h1>${label}</h1>
      <p class="form-error" role="alert">Could not open a direct message with @${peer}: ${error}</p></section>`;
  }
  // Still waiting for the member list, or for the server to open it.
  if (openable || (mine && !members)) {
    return html`<section class="chat chat-closed" data-testid="dm-opening" aria-busy="true"><h1>${label}</h1>
      <p class="muted" role="status">Opening your direct message with @${peer}…</p></section>`;
  }
  return html`<section class="chat chat-closed" data-testid="chat-missing"><h1>${label}</h1>
    <p class="muted">${direct ? `There is no direct message of yours with @${peer} in ${project}.`
      : `There is no channel called #${channel} in ${project}.`}</p></section>`;
}
