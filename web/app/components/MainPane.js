// Main pane: new-project form, the project overview, or the project list.
import { html } from '../html.js';
import { openProject } from '../router.js';
import { NewProjectForm } from './NewProjectForm.js';
import { ProjectOverview } from './ProjectOverview.js';
import { ChatView } from './ChatView.js';

function ProjectList({ projects, isAdmin, onCreate }) {
  if (projects.length === 0) {
    return html`
      <div class="empty" data-testid="empty-projects">
        <h1>Welcome to Huddle</h1>
        <p>You are not a member of any project yet.</p>
        ${isAdmin && html`<button class="btn btn-primary" type="button" onClick=${onCreate}>New project</button>`}
      </div>`;
  }
  return html`
    <section aria-labelledby="projects-title">
      <div class="pane-head">
        <h1 id="projects-title">Projects</h1>
        ${isAdmin && html`<button class="btn btn-primary" type="button" onClick=${onCreate}>New project</button>`}
      </div>
      <ul class="card-list" data-testid="project-list">
        ${projects.map((p) => html`
          <li key=${p.name}>
            <button class="card" type="button" onClick=${() => openProject(p.name)}>
              <span class="card-title">${p.name}</span>
              <span class="muted">${p.description || 'No description'}</span>
              <span class="card-meta">${p.state || '—'} · ${p.role || 'not a member'}</span>
            </button>
          </li>`)}
      </ul>
    </section>`;
}

export function MainPane(props) {
  const { projects, listError, selected, summary, feed, isAdmin, creating } = props;
  const { route, chat } = props;
  if (selected && route && route.channel && chat && !creating) {
    return html`
      <main class="main main-chat" id="main" tabindex="-1">
        <${ChatView} chat=${chat} project=${selected} channel=${route.channel} focusId=${route.messageId}
          members=${feed.members} announce=${props.announce} />
      </main>`;
  }
  let body;
  if (creating && isAdmin) {
    body = html`<${NewProjectForm} onCreated=${props.onCreated} onCancel=${props.onCancelCreate} />`;
  } else if (selected) {
    body = html`<${ProjectOverview} name=${selected} summary=${summary} feed=${feed} me=${props.me} />`;
  } else if (listError) {
    body = html`<p class="form-error" role="alert">Could not load projects: ${listError}</p>`;
  } else if (!projects) {
    body = html`<p class="muted">Loading projects…</p>`;
  } else {
    body = html`<${ProjectList} projects=${projects} isAdmin=${isAdmin} onCreate=${props.onCreate} />`;
  }
  return html`<main class="main" id="main" tabindex="-1">${body}</main>`;
}
