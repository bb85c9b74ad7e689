// Project events, newest first: recent history from REST, then live ones.
import { html } from '../html.js';

export function describe(ev) {
  const d = ev.details || {};
  switch (ev.kind) {
    case 'project_created': return 'created the project';
    case 'member_added': return `added ${d.username || 'someone'}${d.role ? ` as ${d.role}` : ''}`;
    case 'member_removed': return `removed ${d.username || 'someone'}`;
    case 'member_role_changed': return `made ${d.username || 'someone'} ${d.role || ''}`.trim();
    case 'state_changed': return `moved the project to ${d.state || d.to || 'a new state'}`;
    default: return '';
  }
}

function when(at) {
  if (!at) return null;
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? null : html`<time datetime=${at}>${d.toLocaleTimeString()}</time>`;
}

export function ActivityList({ events }) {
  const newest = [...events].reverse();
  return html`
    <section class="panel" aria-labelledby="activity-title">
      <h2 id="activity-title">Activity</h2>
      ${newest.length === 0 ? html`<p class="muted">No activity yet.</p>` : html`
        <ol class="activity" data-testid="activity-list" reversed>
          ${newest.map((ev) => html`
            <li key=${ev.seq} class="activity-item" data-kind=${ev.kind} data-seq=${ev.seq}>
              <span class="tag event-kind">${ev.kind}</span>
              <span class="activity-text"><strong>${ev.actor || 'system'}</strong> ${describe(ev)}</span>
              ${when(ev.at)}
            </li>`)}
        </ol>`}
    </section>`;
}
