// Members of the open project, fetched from the REST API; agents are tagged with their role.
import { html } from '../html.js';

export function MemberList({ members }) {
  return html`
    <section class="panel" aria-labelledby="members-title">
      <h2 id="members-title">Members</h2>
      ${!members ? html`<p class="muted">Loading members…</p>`
        : members.length === 0 ? html`<p class="muted">No members yet.</p>`
          : html`<ul class="plain-list" data-testid="member-list">
              ${members.map((m) => html`
                <li key=${m.username}><span>${m.username}</span> <span class="tag">${m.role}</span>
                  ${m.kind === 'agent' && html` <span class="tag">${m.agent_role ? `${m.agent_role} agent` : 'agent'}</span>`}</li>`)}
            </ul>`}
    </section>`;
}
