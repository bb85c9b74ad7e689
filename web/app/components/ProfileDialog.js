// "Profile": who you are signed in as — username, person or agent (and its
// role), server admin or not, your projects with your role, member since.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { openProject } from '../router.js';
import { Dialog } from './Dialog.js';
import { Avatar } from './UserMenu.js';

function since(at) {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? '—'
    : html`<time datetime=${at}>${d.toLocaleDateString(undefined, { year: 'numeric', month: 'long', day: 'numeric' })}</time>`;
}

export function ProfileDialog({ onClose }) {
  const [me, setMe] = useState(null);
  const [error, setError] = useState('');
  useEffect(() => {
    api.me().then(setMe).catch((e) => setError(e.message));
  }, []);
  const u = me && me.user;
  return html`
    <${Dialog} title="Profile" onClose=${onClose} testId="profile-dialog">
      ${error && html`<p class="form-error" role="alert">${error}</p>`}
      ${!u && !error && html`<p class="muted" role="status">Loading your profile…</p>`}
      ${u && html`
        <div class="profile-head">
          <${Avatar} name=${u.username} className="user-avatar-large" />
          <strong class="profile-name">${u.username}</strong>
        </div>
        <dl class="profile-facts">
          <div><dt>Account</dt><dd data-testid="profile-kind">${u.kind === 'agent' ? `Agent — ${u.agent_role || 'no role'}` : 'Person'}</dd></div>
          <div><dt>Server admin</dt><dd data-testid="profile-admin">${u.is_admin ? 'Yes' : 'No'}</dd></div>
          <div><dt>Member since</dt><dd>${u.created_at ? since(u.created_at) : '—'}</dd></div>
        </dl>
        <h3 class="dialog-sub">Projects</h3>
        ${(me.projects || []).length === 0 ? html`<p class="muted">You are not in any project yet.</p>` : html`
          <ul class="plain-list profile-projects" data-testid="profile-projects">
            ${me.projects.map((p) => html`
              <li key=${p.name}>
                <a href=${`#/p/${encodeURIComponent(p.name)}`} onClick=${() => { onClose(); openProject(p.name); }}>${p.name}</a>
                <span class="tag">${p.role}</span>
              </li>`)}
          </ul>`}`}
    <//>`;
}
