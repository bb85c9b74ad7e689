// Left rail: one round button per project (initials), plus "New project".
import { html } from '../html.js';
import { openProject } from '../router.js';

/** "demo" → "DE", "agent-lab" → "AL", "demo2" → "D2". */
export function initials(name) {
  const parts = name.split(/[-_]+/).filter(Boolean);
  if (parts.length > 1) return (parts[0][0] + parts[1][0]).toUpperCase();
  const digits = /\d{1,2}$/.exec(name);
  if (digits && digits.index > 0) return (name[0] + digits[0]).toUpperCase();
  return name.slice(0, 2).toUpperCase();
}

export function ProjectRail({ projects, selected, isAdmin, onNew, onSelect }) {
  const go = (name) => { onSelect(); openProject(name); };
  return html`
    <nav class="rail" id="project-rail" aria-label="Projects" data-testid="project-rail">
      <button class=${`rail-btn rail-home${selected ? '' : ' active'}`} type="button"
        aria-label="All projects" title="All projects" onClick=${() => go(null)}>
        <span aria-hidden="true">⌂</span>
      </button>
      <ul class="rail-list">
        ${projects.map((p) => html`
          <li key=${p.name}>
            <button class=${`rail-btn${p.name === selected ? ' active' : ''}`} type="button"
              aria-label=${p.name} title=${p.name}
              aria-current=${p.name === selected ? 'page' : undefined}
              onClick=${() => go(p.name)}>
              <span aria-hidden="true">${initials(p.name)}</span>
            </button>
          </li>`)}
      </ul>
      ${isAdmin && html`
        <button class="rail-btn rail-new" type="button" aria-label="New project"
          title="New project" onClick=${onNew}><span aria-hidden="true">+</span></button>`}
    </nav>`;
}
