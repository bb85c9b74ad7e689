// Right sidebar: who is online in the open project (from socket presence).
import { html } from '../html.js';

export function RightSidebar({ selected, presence, members }) {
  let body;
  if (!selected) body = html`<p class="muted">Open a project to see who is online.</p>`;
  else if (!presence) body = html`<p class="muted">Waiting for presence…</p>`;
  else {
    body = html`
      <p data-testid="online-count">${presence.count} online</p>
      ${presence.names && html`<ul class="plain-list">
        ${presence.names.map((n) => html`<li key=${n}><span class="dot-online" aria-hidden="true"></span>${n}</li>`)}
        ${(presence.idle || []).map((n) => html`<li key=${`idle-${n}`}><span class="dot-idle" aria-hidden="true"></span>${n} <span class="muted">(idle)</span></li>`)}
      </ul>`}
      ${members && html`<p class="muted">${members.length} member${members.length === 1 ? '' : 's'} in total</p>`}`;
  }
  return html`
    <aside class="right" aria-label="Online members">
      <h2 class="sidebar-title">Online</h2>
      ${body}
    </aside>`;
}
