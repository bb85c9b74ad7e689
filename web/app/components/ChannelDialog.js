// "Create channel" and "Channel settings" (maintainers and admins). The name
// typed ("Release Notes") is shown live as the channel's name
// ("release-notes"); the server's refusals (a taken or invalid name) appear
// under the name. Settings rename, describe or archive (after a
// confirmation); the channel list then updates for everyone.
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { openChannel } from '../router.js';
import { slugify, validName } from '../slug.js';
import { ConfirmBar, Dialog, Field, fieldAria } from './Dialog.js';

const TYPES = [
  ['general', 'Discussion'], ['workflow', 'Workflow updates'], ['agent', 'Agent work'], ['error', 'Errors and alerts'],
];
const errorText = (e) => [e.message, e.hint].filter(Boolean).join(' ');

function nameError(e, slug) {
  if (e.status === 409 || e.code === 'conflict') return `There is already a channel named #${slug}.`;
  if (e.code === 'invalid_name') return errorText(e);
  return '';
}

function NameField({ value, onInput, error, slug, autofocus }) {
  const hint = slug ? `The channel will be called #${slug}.` : 'Letters, digits, "-" and "_".';
  return html`
    <${Field} id="channel-name" label="Channel name" error=${error} hint=${hint}>
      <input autocomplete="off" maxlength="80" value=${value} data-autofocus=${autofocus ? '' : undefined}
        onInput=${onInput} ...${fieldAria('channel-name', error, true)} />
    <//>`;
}

function DescriptionField({ value, onInput }) {
  return html`
    <div class="field">
      <label for="channel-description">Description <span class="muted">(optional)</span></label>
      <textarea id="channel-description" rows="2" maxlength="500" value=${value} onInput=${onInput}></textarea>
    </div>`;
}

export function CreateChannelDialog({ project, chat, onClose }) {
  const [name, setName] = useState('');
  const [type, setType] = useState('general');
  const [description, setDescription] = useState('');
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const slug = slugify(name);

  async function submit(ev) {
    ev.preventDefault();
    if (busy) return;
    if (!validName(slug)) { setErrors({ name: 'Give the channel a name with at least one letter or digit.' }); return; }
    setBusy(true);
    setErrors({});
    try {
      const body = { name: slug, type };
      if (description.trim()) body.description = description.trim();
      const channel = await api.createChannel(project, body);
      if (chat) chat.store.upsertChannel(channel);
      onClose();
      openChannel(project, channel.name);
    } catch (e) {
      const n = nameError(e, slug);
      setErrors(n ? { name: n } : { form: errorText(e) });
    } finally {
      setBusy(false);
    }
  }

  return html`
    <${Dialog} title="Create channel" onClose=${onClose} testId="channel-dialog">
      <form onSubmit=${submit} novalidate>
        <${NameField} value=${name} slug=${slug} error=${errors.name} autofocus
          onInput=${(e) => { setName(e.currentTarget.value); setErrors({}); }} />
        <div class="field">
          <label for="channel-type">Kind</label>
          <select id="channel-type" value=${type} onChange=${(e) => setType(e.currentTarget.value)}>
            ${TYPES.map(([v, l]) => html`<option key=${v} value=${v}>${l}</option>`)}
          </select>
        </div>
        <${DescriptionField} value=${description} onInput=${(e) => setDescription(e.currentTarget.value)} />
        ${errors.form && html`<p class="form-error" role="alert">${errors.form}</p>`}
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" aria-disabled=${busy ? 'true' : undefined}>${busy ? 'Creating…' : 'Create channel'}</button>
          <button type="button" class="btn" onClick=${onClose}>Cancel</button>
        </div>
      </form>
    <//>`;
}

export function ChannelSettingsDialog({ project, chat, channel, onClose }) {
  // Followed by its id, so a rename keeps this dialog on the same channel.
  const find = (pred) => (chat ? chat.state.channels.find(pred) : null);
  const [id] = useState(() => { const c = find((x) => x.name === channel); return c && c.channel_id; });
  const [current, setCurrent] = useState(channel);
  const info = find((c) => (id ? c.channel_id === id : c.name === current)) || { name: current, description: '' };
  const [name, setName] = useState(info.name);
  const [description, setDescription] = useState(info.description || '');
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState('');
  const [confirm, setConfirm] = useState(false);
  const slug = slugify(name);

  async function patch(body) {
    const c = await api.updateChannel(project, info.name, body);
    if (chat) chat.store.upsertChannel(c);
    setCurrent(c.name);
    return c;
  }

  async function save(ev) {
    ev.preventDefault();
    if (busy) return;
    const body = {};
    if (slug !== info.name) body.name = slug;
    if (description.trim() !== (info.description || '')) body.description = description.trim();
    if (body.name !== undefined && !validName(slug)) { setErrors({ name: 'Give the channel a name with at least one letter or digit.' }); return; }
    if (!Object.keys(body).length) { setSaved('Nothing changed.'); return; }
    setBusy(true);
    setErrors({});
    setSaved('');
    try {
      const before = info.name;
      const c = await patch(body);
      setSaved('Saved.');
      if (c.name !== before) openChannel(project, c.name);
    } catch (e) {
      const n = nameError(e, slug);
      setErrors(n ? { name: n } : { form: errorText(e) });
    } finally {
      setBusy(false);
    }
  }

  async function archive() {
    if (busy) return;
    setBusy(true);
    try {
      await patch({ archived: true });
      onClose();
      openChannel(project, 'general');
    } catch (e) {
      setErrors({ archive: errorText(e) });
      setBusy(false);
    }
  }

  return html`
    <${Dialog} title=${`Settings of #${info.name}`} onClose=${onClose} testId="channel-dialog">
      <form onSubmit=${save} novalidate>
        <${NameField} value=${name} slug=${slug} error=${errors.name}
          onInput=${(e) => { setName(e.currentTarget.value); setErrors({}); setSaved(''); }} />
        <${DescriptionField} value=${description} onInput=${(e) => { setDescription(e.currentTarget.value); setSaved(''); }} />
        ${errors.form && html`<p class="form-error" role="alert">${errors.form}</p>`}
        <p class="muted" role="status">${saved}</p>
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" aria-disabled=${busy ? 'true' : undefined}>Save changes</button>
          <button type="button" class="btn" onClick=${onClose}>Close</button>
        </div>
      </form>
      <section class="danger-zone" aria-labelledby="archive-title">
        <h3 class="dialog-sub" id="archive-title">Archive</h3>
        <p class="muted">An archived channel leaves everyone's channel list; nobody can write in it any more.</p>
        ${confirm ? html`
          <${ConfirmBar} label="Confirm archiving" action=${`Archive #${info.name}`} busy=${busy}
            onConfirm=${archive} onCancel=${() => setConfirm(false)}>
            Archive <strong>#${info.name}</strong> for everyone?
          <//>` : html`<button type="button" class="btn btn-danger" onClick=${() => setConfirm(true)}>Archive channel</button>`}
        ${errors.archive && html`<p class="form-error" role="alert">${errors.archive}</p>`}
      </section>
    <//>`;
}
