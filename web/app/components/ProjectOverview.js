// Project overview: name, description, state, your role, members, activity.
import { html } from '../html.js';
import { canManage } from '../roles.js';
import { openDialog } from '../dialogs.js';
import { MemberList } from './MemberList.js';
import { ActivityList } from './ActivityList.js';

function roleText(role, isAdmin) {
  if (role) return isAdmin ? `${role} (and server admin)` : role;
  return isAdmin ? 'server admin — not a member' : '—';
}

export function ProjectOverview({ name, summary, feed, me, role }) {
  const project = feed.project || summary;
  const isAdmin = Boolean(me.user.is_admin);
  const manage = canManage(role, isAdmin);
  return html`
    <article class="overview" aria-labelledby="project-title" data-testid="project-overview">
      <header class="pane-head">
        <h1 id="project-title">${name}</h1>
      </header>
      ${feed.error && html`<p class="form-error" role="alert">${feed.error}</p>`}
      <p class="description">${project ? project.description || 'No description yet.' : 'Loading…'}</p>
      <dl class="facts">
        <div><dt>Workflow state</dt><dd data-testid="project-state">${(project && project.state) || '—'}</dd></div>
        <div><dt>Your role</dt><dd data-testid="project-role">${roleText(role, isAdmin)}</dd></div>
        ${project && project.created_at && html`
          <div><dt>Created</dt><dd><time datetime=${project.created_at}>${new Date(project.created_at).toLocaleString()}</time></dd></div>`}
      </dl>
      <div class="overview-cols">
        <${MemberList} members=${feed.members}
          onManage=${(e) => openDialog('members', {}, e.currentTarget)} manageLabel=${manage ? 'Manage' : 'View all'} />
        <${ActivityList} events=${feed.events} />
      </div>
    </article>`;
}
