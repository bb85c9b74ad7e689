// Main pane: new-project form, the project overview, a channel, the project
// list, or — for an unknown project — one clear "no such project" state.
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
              <span class="card-meta">${p.state || '—'} · ${p.role ? `you are ${p.role}` : 'you are not a member'}</span>
            </button>
          </li>`)}
      </ul>
    </section>`;
}

function ProjectMissing({ name }) {
  return html`
    <section class="empty" data-testid="project-missing" aria-labelledby="missing-title">
      <h1 id="missing-title">No project named ${name}</h1>
      <p>It may have been renamed, or you are not a member.</p>
      <a class="btn btn-primary" href="#/">Back to your projects</a>
    </section>`;
}

export function MainPane(props) {
  const { projects, listError, selected, summary, feed, isAdmin, creating, missing } = props;
  const { route, chat } = props;
  if (missing && !creating) {
    return html`<main class="main" id="main" tabindex="-1"><${ProjectMissing} name=${missing} /></main>`;
  }
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
    body = html`<${ProjectOverview} name=${selected} summary=${summary} feed=${feed} me=${props.me} role=${props.role} />`;
  } else if (listError) {
    body = html`<p class="form-error" role="alert">Could not load projects: ${listError}</p>`;
  } else if (!projects) {
    body = html`<p class="muted">Loading projects…</p>`;
  } else {
    body = html`<${ProjectList} projects=${projects} isAdmin=${isAdmin} onCreate=${props.onCreate} />`;
  }
  return html`<main class="main" id="main" tabindex="-1">${body}</main>`;
}
