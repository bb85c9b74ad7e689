// "Members" / "Invite people": the project's members with their role and
// kind. Maintainers and admins add people (AddMemberForm), change roles and
// remove members (after a confirmation); server admins also create accounts
// and reset passwords (one-time passwords shown once). Everyone else sees the
// list read-only. The server's refusals are shown where they happened.
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { canManage, grantableRoles, kindLabel } from '../roles.js';
import { ConfirmBar, Dialog } from './Dialog.js';
import { Avatar } from './UserMenu.js';
import { AddMemberForm } from './AddMemberForm.js';
import { AccountForm, OneTimePassword } from './AccountForm.js';

const errorText = (e) => [e.message, e.hint].filter(Boolean).join(' ');

function MemberRow({ project, m, me, manage, roles, isAdmin, onChanged }) {
  const [confirm, setConfirm] = useState(null); // 'remove' | 'reset'
  const [error, setError] = useState('');
  const [password, setPassword] = useState(null);
  const [busy, setBusy] = useState(false);
  const editable = manage && roles.includes(m.role);
  const you = m.username === me;

  async function run(fn) {
    if (busy) return;
    setBusy(true);
    setError('');
    try { await fn(); } catch (e) { setError(errorText(e)); } finally { setBusy(false); }
  }
  const changeRole = (role) => run(async () => { await api.addMember(project, m.username, role); onChanged(); });
  const remove = () => run(async () => { await api.removeMember(project, m.username); setConfirm(null); onChanged(); });
  const reset = () => run(async () => {
    const r = await api.resetPassword(m.username);
    setConfirm(null);
    setPassword(r.password);
  });

  const label = `Role of ${m.username}`;
  return html`
    <li class="member-row" data-member=${m.username}>
      <div class="member-main">
        <${Avatar} name=${m.username} />
        <span class="member-name">${m.username}${you && html` <span class="muted">(you)</span>`}</span>
        <span class="tag">${kindLabel(m)}</span>
        <span class="topbar-spacer"></span>
        ${editable ? html`
          <label class="visually-hidden" for=${`role-${m.username}`}>${label}</label>
          <select id=${`role-${m.username}`} value=${m.role} aria-disabled=${busy ? 'true' : undefined}
            onChange=${(e) => changeRole(e.currentTarget.value)}>
            ${roles.map((r) => html`<option key=${r} value=${r}>${r}</option>`)}
          </select>` : html`<span class="tag member-role" aria-label=${`${label}: ${m.role}`}>${m.role}</span>`}
        ${editable && html`<button type="button" class="btn btn-small" aria-label=${`Remove ${m.username}`}
          onClick=${() => setConfirm('remove')}>Remove</button>`}
        ${isAdmin && !you && html`<button type="button" class="btn btn-small" aria-label=${`Reset password of ${m.username}`}
          onClick=${() => setConfirm('reset')}>Reset password</button>`}
      </div>
      ${confirm === 'remove' && html`
        <${ConfirmBar} label="Confirm removal" action=${`Remove ${m.username}`} busy=${busy}
          onConfirm=${remove} onCancel=${() => setConfirm(null)}>
          Remove <strong>${m.username}</strong> from ${project}? They lose access at once.
        <//>`}
      ${confirm === 'reset' && html`
        <${ConfirmBar} label="Confirm password reset" action="Give a new password" busy=${busy}
          onConfirm=${reset} onCancel=${() => setConfirm(null)}>
          Give <strong>${m.username}</strong> a new one-time password? Every session of theirs ends.
        <//>`}
      ${password && html`<${OneTimePassword} username=${m.username} password=${password} />`}
      ${error && html`<p class="form-error" role="alert">${error}</p>`}
    </li>`;
}

export function MembersDialog({ project, members, me, role, isAdmin, onChanged, onClose }) {
  const [creating, setCreating] = useState(false);
  const manage = canManage(role, isAdmin);
  const roles = grantableRoles(role, isAdmin);
  const sorted = [...(members || [])].sort((a, b) => a.username.localeCompare(b.username));
  return html`
    <${Dialog} title=${manage ? `Invite people to ${project}` : `Members of ${project}`} onClose=${onClose}
      testId="members-dialog" className="dialog-wide">
      ${manage && !creating && html`<${AddMemberForm} project=${project} members=${members} roles=${roles} onAdded=${onChanged} />`}
      ${isAdmin && (creating ? html`
        <h3 class="dialog-sub">Create account</h3>
        <${AccountForm} project=${project} roles=${roles} onAdded=${onChanged} onClose=${() => setCreating(false)} />`
        : html`<p class="muted create-hint">Someone without an account?
            <button type="button" class="btn btn-small" onClick=${() => setCreating(true)}>Create account</button></p>`)}
      <h3 class="dialog-sub" id="members-list-title">Members${members ? ` (${members.length})` : ''}</h3>
      ${!manage && html`<p class="muted">Only maintainers and admins can add or remove people.</p>`}
      ${!members ? html`<p class="muted" role="status">Loading members…</p>` : html`
        <ul class="member-rows" aria-labelledby="members-list-title" data-testid="members-dialog-list">
          ${sorted.map((m) => html`<${MemberRow} key=${m.username} project=${project} m=${m} me=${me}
            manage=${manage} roles=${roles} isAdmin=${isAdmin} onChanged=${onChanged} />`)}
        </ul>`}
    <//>`;
}
