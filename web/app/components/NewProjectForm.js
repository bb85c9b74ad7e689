// Admin-only form: POST /api/projects {name, description?}. The name typed
// ("Demo Project") is shown live as the project's name ("demo-project"); the
// server's refusals (invalid or taken name) appear under the name field.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { slugify, validName } from '../slug.js';
import { Field, fieldAria } from './Dialog.js';

const errorText = (e) => [e.message, e.hint].filter(Boolean).join(' ');

export function NewProjectForm({ onCreated, onCancel }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const nameRef = useRef(null);
  useEffect(() => { nameRef.current && nameRef.current.focus(); }, []);
  const slug = slugify(name);

  async function submit(ev) {
    ev.preventDefault();
    if (!validName(slug)) {
      setErrors({ name: 'Give the project a name with at least one letter or digit.' });
      return;
    }
    setBusy(true);
    setErrors({});
    try {
      const project = await api.createProject(slug, description.trim());
      await onCreated(project);
    } catch (e) {
      if (e.status === 409 || e.code === 'conflict') setErrors({ name: `A project named ${slug} already exists.` });
      else if (e.code === 'invalid_name') setErrors({ name: errorText(e) });
      else setErrors({ form: errorText(e) });
    } finally {
      setBusy(false);
    }
  }

  const hint = slug ? `The project will be called ${slug}.` : 'Letters, digits, spaces, "-" and "_".';
  return html`
    <form class="new-project" onSubmit=${submit} aria-labelledby="new-project-title" novalidate>
      <h1 id="new-project-title">New project</h1>
      <${Field} id="project-name" label="Name" error=${errors.name} hint=${hint}>
        <input ref=${nameRef} name="name" value=${name} maxlength="80" required autocomplete="off"
          onInput=${(e) => { setName(e.currentTarget.value); setErrors({}); }} ...${fieldAria('project-name', errors.name, true)} />
      <//>
      <div class="field">
        <label for="project-description">Description <span class="muted">(optional)</span></label>
        <textarea id="project-description" name="description" rows="3" value=${description}
          onInput=${(e) => setDescription(e.currentTarget.value)}></textarea>
      </div>
      ${errors.form && html`<p class="form-error" role="alert">${errors.form}</p>`}
      <div class="form-actions">
        <button class="btn btn-primary" type="submit" disabled=${busy}>${busy ? 'Creating…' : 'Create project'}</button>
        <button class="btn" type="button" onClick=${onCancel}>Cancel</button>
      </div>
    </form>`;
}
