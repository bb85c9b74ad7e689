// Admin-only form: POST /api/projects {name, description?}.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';

const NAME_RE = /^[a-z0-9_-]{1,64}$/;

export function NewProjectForm({ onCreated, onCancel }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const nameRef = useRef(null);
  useEffect(() => { nameRef.current && nameRef.current.focus(); }, []);

  const valid = NAME_RE.test(name);

  async function submit(ev) {
    ev.preventDefault();
    if (!valid) {
      setError('Use 1–64 lowercase letters, digits, "-" or "_".');
      return;
    }
    setBusy(true);
    setError('');
    try {
      const project = await api.createProject(name, description.trim());
      await onCreated(project);
    } catch (e) {
      setError(e.status === 409 ? `A project named "${name}" already exists.`
        : [e.message, e.hint].filter(Boolean).join(' '));
    } finally {
      setBusy(false);
    }
  }

  return html`
    <form class="new-project" onSubmit=${submit} aria-labelledby="new-project-title" novalidate>
      <h1 id="new-project-title">New project</h1>
      <label class="field">
        <span>Name</span>
        <input ref=${nameRef} name="name" value=${name} maxlength="64" required
          pattern="[a-z0-9_\\-]{1,64}" aria-describedby="name-help" autocomplete="off"
          onInput=${(e) => setName(e.currentTarget.value)} />
        <small id="name-help" class="muted">Lowercase letters, digits, "-" and "_" (up to 64).</small>
      </label>
      <label class="field">
        <span>Description <span class="muted">(optional)</span></span>
        <textarea name="description" rows="3" value=${description}
          onInput=${(e) => setDescription(e.currentTarget.value)}></textarea>
      </label>
      <p class="form-error" role="alert">${error}</p>
      <div class="form-actions">
        <button class="btn btn-primary" type="submit" disabled=${busy}>${busy ? 'Creating…' : 'Create project'}</button>
        <button class="btn" type="button" onClick=${onCancel}>Cancel</button>
      </div>
    </form>`;
}
