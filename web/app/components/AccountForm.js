// Server admins: create an account (a person, or an agent with its role) and
// hand over its one-time password, shown once; the new account can be added
// to the open project right there. OneTimePassword is also used by "Reset
// password" in the members dialog.
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { Field, fieldAria } from './Dialog.js';

export const AGENT_ROLES = ['orchestrator', 'design', 'code', 'qa', 'data'];
const errorText = (e) => [e.message, e.hint].filter(Boolean).join(' ');

export function OneTimePassword({ username, password }) {
  const [copied, setCopied] = useState('');
  async function copy() {
    try {
      await navigator.clipboard.writeText(password);
      setCopied('Copied.');
    } catch {
      setCopied('Could not copy: select the password and copy it by hand.');
    }
  }
  return html`
    <div class="otp" data-testid="one-time-password-box">
      <p class="otp-note"><strong>One-time password for ${username}</strong> — shown once — give it to them now.
        They can change it from their user menu after signing in.</p>
      <div class="otp-row">
        <code class="otp-value" data-testid="one-time-password">${password}</code>
        <button type="button" class="btn btn-small" onClick=${copy}>Copy</button>
      </div>
      <p class="muted otp-copied" role="status">${copied}</p>
    </div>`;
}

export function AccountForm({ project, roles, onAdded, onClose }) {
  const [username, setUsername] = useState('');
  const [kind, setKind] = useState('human');
  const [agentRole, setAgentRole] = useState('code');
  const [isAdmin, setIsAdmin] = useState(false);
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState(null); // {user, password}
  const [role, setRole] = useState('contributor');
  const [added, setAdded] = useState('');
  const [addError, setAddError] = useState('');

  async function submit(ev) {
    ev.preventDefault();
    if (busy) return;
    const name = username.trim();
    if (!name) { setErrors({ username: 'Enter a username.' }); return; }
    setBusy(true);
    setErrors({});
    const body = { username: name, kind };
    if (kind === 'agent') body.agent_role = agentRole; else body.is_admin = isAdmin;
    try {
      setCreated(await api.createUser(body));
    } catch (e) {
      if (e.status === 409) setErrors({ username: `There is already an account named ${name}.` });
      else if (e.code === 'invalid_username') setErrors({ username: errorText(e) });
      else if (e.code === 'invalid_agent_role') setErrors({ agentRole: errorText(e) });
      else setErrors({ form: errorText(e) });
    } finally {
      setBusy(false);
    }
  }

  async function addToProject() {
    setAddError('');
    try {
      await api.addMember(project, created.user.username, role);
      setAdded(`${created.user.username} is now a ${role} of ${project}.`);
      if (onAdded) onAdded();
    } catch (e) {
      setAddError(errorText(e));
    }
  }

  if (created) {
    const who = created.user.username;
    return html`
      <section class="account-created" aria-label="Account created" data-testid="account-created">
        <p role="status">Created the ${created.user.kind === 'agent' ? `${created.user.agent_role || ''} agent` : 'account'} <strong>${who}</strong>.</p>
        <${OneTimePassword} username=${who} password=${created.password} />
        ${project && (added ? html`<p role="status" data-testid="account-added">${added}</p>` : html`
          <div class="inline-form">
            <label for="new-account-role">Add ${who} to ${project} as</label>
            <select id="new-account-role" value=${role} onChange=${(e) => setRole(e.currentTarget.value)}>
              ${roles.map((r) => html`<option key=${r} value=${r}>${r}</option>`)}
            </select>
            <button type="button" class="btn btn-primary" onClick=${addToProject}>Add to ${project}</button>
          </div>
          <p class="form-error" role=${addError ? 'alert' : undefined}>${addError}</p>`)}
        <div class="form-actions">
          <button type="button" class="btn" onClick=${() => { setCreated(null); setUsername(''); setAdded(''); }}>Create another</button>
          <button type="button" class="btn" onClick=${onClose}>Done</button>
        </div>
      </section>`;
  }
  return html`
    <form class="account-form" onSubmit=${submit} novalidate aria-label="Create account">
      <${Field} id="account-username" label="Username" error=${errors.username}>
        <input autocomplete="off" value=${username} data-autofocus
          onInput=${(e) => { setUsername(e.currentTarget.value); setErrors({}); }} ...${fieldAria('account-username', errors.username)} />
      <//>
      <fieldset class="choice">
        <legend>Account type</legend>
        <label><input type="radio" name="account-kind" value="human" checked=${kind === 'human'}
          onChange=${() => setKind('human')} /> Person</label>
        <label><input type="radio" name="account-kind" value="agent" checked=${kind === 'agent'}
          onChange=${() => setKind('agent')} /> Agent</label>
      </fieldset>
      ${kind === 'agent' ? html`
        <${Field} id="account-agent-role" label="Agent role" error=${errors.agentRole}>
          <select value=${agentRole} onChange=${(e) => setAgentRole(e.currentTarget.value)}
            ...${fieldAria('account-agent-role', errors.agentRole)}>
            ${AGENT_ROLES.map((r) => html`<option key=${r} value=${r}>${r}</option>`)}
          </select>
        <//>` : html`
        <label class="check"><input type="checkbox" checked=${isAdmin} onChange=${(e) => setIsAdmin(e.currentTarget.checked)} />
          Server admin (can create projects and accounts)</label>`}
      ${errors.form && html`<p class="form-error" role="alert">${errors.form}</p>`}
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" aria-disabled=${busy ? 'true' : undefined}>${busy ? 'Creating…' : 'Create account'}</button>
        <button type="button" class="btn" onClick=${onClose}>Cancel</button>
      </div>
    </form>`;
}
