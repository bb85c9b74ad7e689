// Left rail: one round button per project (initials), plus "New project".
import { html } from '../html.js';
import { openProject } from '../router.js';

export function initials(name) {
  const parts = name.split(/[-_]+/).filter(Boolean);
  const letters = parts.length > 1 ? parts[0][0] + parts[1][0] : name.slice(0, 2);
  return letters.toUpperCase();
}

export function ProjectRail({ projects, selected, isAdmin, onNew }) {
  return html`
    <nav class="rail" id="project-rail" aria-label="Projects" data-testid="project-rail">
      <button class=${`rail-btn rail-home${selected ? '' : ' active'}`} type="button"
        aria-label="All projects" title="All projects" onClick=${() => openProject(null)}>
        <span aria-hidden="true">⌂</span>
      </button>
      <ul class="rail-list">
        ${projects.map((p) => html`
          <li key=${p.name}>
            <button class=${`rail-btn${p.name === selected ? ' active' : ''}`} type="button"
              aria-label=${p.name} title=${p.name}
              aria-current=${p.name === selected ? 'page' : undefined}
              onClick=${() => openProject(p.name)}>
              <span aria-hidden="true">${initials(p.name)}</span>
            </button>
          </li>`)}
      </ul>
      ${isAdmin && html`
        <button class="rail-btn rail-new" type="button" aria-label="New project"
          title="New project" onClick=${onNew}><span aria-hidden="true">+</span></button>`}
    </nav>`;
}
