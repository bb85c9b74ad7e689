// Members of the open project in sections, like Discord: "Online — N" and
// "Offline — N" for people, "Agents — N" with each agent's status dot and
// role. Presence (`online`, `idle`: usernames) comes from the chat; without it
// (the project overview) people are one "People" section, without dots. The heading keeps a slot for "Manage".
import { html } from '../html.js';
import { statusOf } from '../chat/direct.js';
import { StatusDot } from './StatusDot.js';

const byName = (a, b) => a.username.localeCompare(b.username);

function Row({ m, status }) {
  if (!status) {
    return html`<li class="member" data-username=${m.username}><span class="member-name">${m.username}</span>
      <span class="member-role">${m.kind === 'agent' ? (m.agent_role ? `${m.agent_role} agent` : 'agent') : m.role}</span></li>`;
  }
  const agent = m.kind === 'agent';
  const what = agent ? (m.agent_role ? `${m.agent_role} agent` : 'agent') : m.role;
  return html`
    <li class=${`member member-${status}`} data-username=${m.username}>
      <${StatusDot} name=${m.username} status=${status} />
      <span class="member-name">${m.username}</span>
      ${what && html`<span class="member-role">${what}</span>`}
      ${agent && m.role && m.role !== 'contributor' && html`<span class="member-role">${m.role}</span>`}
    </li>`;
}

function Section({ id, title, list, statusOfMember }) {
  if (list.length === 0) return null;
  return html`
    <h3 class="member-section" id=${id}>${title} — ${list.length}</h3>
    <ul class="plain-list member-rows" aria-labelledby=${id}>
      ${list.map((m) => html`<${Row} key=${m.username} m=${m} status=${statusOfMember(m)} />`)}
    </ul>`;
}

export function MemberList({ members, online, idle, onManage, manageLabel = 'Manage', idPrefix = 'members', className = 'panel' }) {
  const known = Array.isArray(online);
  const st = (m) => (known ? statusOf(m.username, online, idle) : null);
  const sorted = (members || []).slice().sort(byName);
  const people = sorted.filter((m) => m.kind !== 'agent');
  const agents = sorted.filter((m) => m.kind === 'agent');
  return html`
    <section class=${`member-list ${className}`} aria-labelledby=${`${idPrefix}-title`}>
      <div class="panel-head">
        <h2 id=${`${idPrefix}-title`}>Members</h2>
        ${onManage && html`<button type="button" class="btn btn-small" data-testid="manage-members"
          aria-label=${`${manageLabel} members`} onClick=${onManage}>${manageLabel}</button>`}
      </div>
      ${!members ? html`<p class="muted">Loading members…</p>`
        : members.length === 0 ? html`<p class="muted">No members yet.</p>`
          : html`<div data-testid="member-list">
              ${known ? html`
                <${Section} id=${`${idPrefix}-online`} title="Online" list=${people.filter((m) => st(m) !== 'offline')} statusOfMember=${st} />
                <${Section} id=${`${idPrefix}-offline`} title="Offline" list=${people.filter((m) => st(m) === 'offline')} statusOfMember=${st} />`
    : html`<${Section} id=${`${idPrefix}-people`} title="People" list=${people} statusOfMember=${st} />`}
              <${Section} id=${`${idPrefix}-agents`} title="Agents" list=${agents} statusOfMember=${st} />
            </div>`}
    </section>`;
}
