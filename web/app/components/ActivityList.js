// Project events, newest first, in plain words ("admin added bob as
// contributor"): recent history from REST, then live ones. Chat traffic
// (messages, reactions, threads) is the chat's business and is left out.
import { html } from '../html.js';

/** What happened, after the actor's name; '' for events this list does not show. */
export function describe(ev) {
  const d = ev.details || {};
  const who = d.username || 'someone';
  switch (ev.kind) {
    case 'project_created': return 'created the project';
    case 'member_added': return `added ${who}${d.role ? ` as ${d.role}` : ''}`;
    case 'member_removed': return `removed ${who}`;
    case 'member_role_changed':
      return d.previous_role ? `changed ${who}'s role from ${d.previous_role} to ${d.role}` : `made ${who} ${d.role || 'a member'}`;
    case 'state_changed': return `moved the project to ${d.state || d.to || 'a new state'}`;
    case 'channel_created': return d.direct ? '' : `created the channel #${d.name}`;
    case 'channel_updated':
      if (d.direct) return '';
      return d.archived ? `archived the channel #${d.name}` : `changed the channel #${d.name}`;
    default: return '';
  }
}

function when(at) {
  if (!at) return null;
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? null : html`<time datetime=${at}>${d.toLocaleString()}</time>`;
}

export function ActivityList({ events }) {
  const newest = [...events].reverse().map((ev) => ({ ev, text: describe(ev) })).filter((x) => x.text);
  return html`
    <section class="panel" aria-labelledby="activity-title">
      <h2 id="activity-title">Activity</h2>
      ${newest.length === 0 ? html`<p class="muted">No activity yet.</p>` : html`
        <ol class="activity" data-testid="activity-list" reversed>
          ${newest.map(({ ev, text }) => html`
            <li key=${ev.seq} class="activity-item" data-kind=${ev.kind} data-seq=${ev.seq}>
              <span class="activity-text"><strong>${ev.actor || 'Huddle'}</strong> ${text}</span>
              ${when(ev.at)}
            </li>`)}
        </ol>`}
    </section>`;
}
