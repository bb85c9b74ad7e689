// A direct message's side panel: the agent's profile instead of the member
// list — name, role, live status, and a plain sentence saying whether it is
// running, so nobody waits for a reply that cannot come. The role (and the
// executor, once agents run on one) come from GET /api/agents; the status is
// the chat's live presence. For an agent looking at its human, the person.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { request } from '../api.js';
import { statusOf } from '../chat/direct.js';
import { StatusDot } from './StatusDot.js';
import { BotIcon } from './Icons.js';

const SENTENCE = {
  online: (n) => `${n} is online and will see your message.`,
  idle: (n) => `${n} is idle — it is running but not active right now, so a reply may take a while.`,
  offline: (n) => `${n} is offline — it is not running now, so it cannot reply until it is started.`,
};

export function AgentProfile({ peer, member, online, idle }) {
  const [info, setInfo] = useState(null);
  const isAgent = !member || member.kind === 'agent';
  useEffect(() => {
    if (!isAgent) return undefined;
    let alive = true;
    request('GET', '/api/agents')
      .then((r) => { if (alive) setInfo((r.agents || []).find((a) => a.username === peer) || {}); })
      .catch(() => { if (alive) setInfo({}); });
    return () => { alive = false; };
  }, [peer, isAgent]);
  const status = statusOf(peer, online, idle);
  const role = (info && info.agent_role) || (member && member.agent_role) || '';
  const executor = info && info.executor;
  if (!isAgent) {
    return html`
      <section class="agent-profile" aria-labelledby="profile-title" data-testid="dm-profile">
        <h2 id="profile-title" class="profile-name"><${StatusDot} name=${peer} status=${status} /> ${peer}</h2>
        <p class="muted">${member.role ? `Project ${member.role}` : 'Person'} · ${status}</p>
      </section>`;
  }
  return html`
    <section class="agent-profile" aria-labelledby="profile-title" data-testid="dm-profile">
      <div class="profile-avatar" aria-hidden="true"><${BotIcon} size=${32} /></div>
      <h2 id="profile-title" class="profile-name">${peer}</h2>
      <dl class="profile-facts">
        <div><dt>Role</dt><dd data-testid="profile-role">${role ? `${role} agent` : 'agent'}</dd></div>
        <div><dt>Status</dt><dd data-testid="profile-status"><${StatusDot} name=${peer} status=${status} /> ${status}</dd></div>
        <div><dt>Executor</dt><dd data-testid="profile-executor">${executor
          ? (typeof executor === 'string' ? executor : executor.name || 'configured') : 'not configured'}</dd></div>
      </dl>
      <p class=${`profile-note profile-${status}`} data-testid="profile-note">${SENTENCE[status](peer)}</p>
    </section>`;
}
