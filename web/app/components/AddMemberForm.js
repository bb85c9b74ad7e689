// "Add people" in the members dialog: a searchable picker over the server's
// accounts (people and agents not in the project yet), a role, and Add.
// The server's refusal is shown under the form.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { kindLabel } from '../roles.js';

const errorText = (e) => [e.message, e.hint].filter(Boolean).join(' ');

export function AddMemberForm({ project, members, roles, onAdded }) {
  const [users, setUsers] = useState(null);
  const [q, setQ] = useState('');
  const [open, setOpen] = useState(false);
  const [index, setIndex] = useState(0);
  const [role, setRole] = useState('contributor');
  const [error, setError] = useState('');
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(false);

  const loadUsers = () => api.users().then((r) => setUsers(r.users || [])).catch(() => setUsers([]));
  useEffect(() => { loadUsers(); }, []);

  const inProject = new Set((members || []).map((m) => m.username));
  const needle = q.trim().toLowerCase();
  const found = (users || []).filter((u) => !inProject.has(u.username) && u.username.toLowerCase().includes(needle)).slice(0, 8);
  const i = Math.min(index, Math.max(0, found.length - 1));

  function pick(u) { setQ(u.username); setOpen(false); setError(''); }
  function onKeyDown(e) {
    if (!open || found.length === 0) {
      if (e.key === 'ArrowDown') { setOpen(true); e.preventDefault(); }
      return;
    }
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      setIndex((i + (e.key === 'ArrowDown' ? 1 : found.length - 1)) % found.length);
    } else if (e.key === 'Enter') { e.preventDefault(); pick(found[i]); }
    else if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); setOpen(false); }
  }

  async function submit(ev) {
    ev.preventDefault();
    if (busy) return;
    const username = q.trim();
    setDone('');
    if (!username) { setError('Choose a person or an agent to add.'); return; }
    if (inProject.has(username)) { setError(`${username} is already a member.`); return; }
    setBusy(true);
    setError('');
    try {
      await api.addMember(project, username, role);
      setDone(`Added ${username} as ${role}.`);
      setQ('');
      onAdded();
    } catch (e) {
      setError(e.status === 404 ? `There is no account named ${username}.` : errorText(e));
    } finally {
      setBusy(false);
    }
  }

  const listId = 'add-member-options';
  return html`
    <form class="add-member" onSubmit=${submit} novalidate aria-labelledby="add-member-title">
      <h3 class="dialog-sub" id="add-member-title">Add people</h3>
      <div class="add-member-row">
        <div class="picker">
          <label class="visually-hidden" for="add-member-input">Person or agent</label>
          <input id="add-member-input" value=${q} placeholder="Find a person or agent" autocomplete="off"
            role="combobox" aria-expanded=${open && found.length ? 'true' : 'false'} aria-controls=${listId}
            aria-autocomplete="list" aria-activedescendant=${open && found[i] ? `${listId}-${i}` : undefined}
            aria-describedby="add-member-error"
            onInput=${(e) => { setQ(e.currentTarget.value); setOpen(true); setIndex(0); setError(''); }}
            onFocus=${() => setOpen(true)} onBlur=${() => setOpen(false)} onKeyDown=${onKeyDown} />
          ${open && found.length > 0 && html`
            <ul class="picker-list" id=${listId} role="listbox" aria-label="Accounts">
              ${found.map((u, k) => html`
                <li key=${u.username} id=${`${listId}-${k}`} role="option" aria-selected=${k === i ? 'true' : 'false'}
                  class=${`ac-item${k === i ? ' active' : ''}`} onMouseDown=${(e) => { e.preventDefault(); pick(u); }}>
                  <span>${u.username}</span><span class="muted">${kindLabel(u)}</span>
                </li>`)}
            </ul>`}
        </div>
        <label class="visually-hidden" for="add-member-role">Role</label>
        <select id="add-member-role" value=${role} onChange=${(e) => setRole(e.currentTarget.value)}>
          ${roles.map((r) => html`<option key=${r} value=${r}>${r}</option>`)}
        </select>
        <button type="submit" class="btn btn-primary" aria-disabled=${busy ? 'true' : undefined}>Add</button>
      </div>
      <p class="form-error" id="add-member-error" role=${error ? 'alert' : undefined} data-testid="add-member-error">${error}</p>
      ${done && html`<p class="muted" role="status">${done}</p>`}
    </form>`;
}
