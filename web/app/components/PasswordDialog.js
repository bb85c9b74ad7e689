// "Change password": current, new and confirm. Each problem is shown under its
// field; on success the dialog says so and this tab stays signed in (the
// server answers with a fresh login and ends every other session).
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { changePassword } from '../api.js';
import { Dialog, Field, fieldAria } from './Dialog.js';

const MIN = 8;
const MAX = 256;

export function PasswordDialog({ onClose }) {
  const [values, setValues] = useState({ current: '', next: '', confirm: '' });
  const [errors, setErrors] = useState({});
  const [general, setGeneral] = useState('');
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const set = (k) => (e) => { setValues({ ...values, [k]: e.currentTarget.value }); setErrors({ ...errors, [k]: '' }); };

  function check() {
    const e = {};
    if (!values.current) e.current = 'Enter your current password.';
    if (values.next.length < MIN) e.next = `Use at least ${MIN} characters.`;
    else if (values.next.length > MAX) e.next = `Use at most ${MAX} characters.`;
    if (!e.next && values.confirm !== values.next) e.confirm = 'This does not match the new password.';
    return e;
  }

  async function submit(ev) {
    ev.preventDefault();
    if (busy) return;
    const e = check();
    setErrors(e);
    setGeneral('');
    if (Object.keys(e).length) return;
    setBusy(true);
    try {
      await changePassword(values.current, values.next);
      setDone(true);
    } catch (err) {
      if (err.code === 'wrong_password' || err.status === 403) setErrors({ current: 'That is not your current password.' });
      else if (err.code === 'invalid_password') setErrors({ next: [err.message, err.hint].filter(Boolean).join(' ') });
      else setGeneral([err.message, err.hint].filter(Boolean).join(' '));
    } finally {
      setBusy(false);
    }
  }

  if (done) {
    return html`
      <${Dialog} title="Change password" onClose=${onClose} testId="password-dialog">
        <p role="status" data-testid="password-changed">Your password was changed. You stay signed in here;
          everywhere else you will have to sign in again with the new password.</p>
        <div class="form-actions"><button type="button" class="btn btn-primary" data-autofocus onClick=${onClose}>Done</button></div>
      <//>`;
  }
  return html`
    <${Dialog} title="Change password" onClose=${onClose} testId="password-dialog">
      <form onSubmit=${submit} novalidate>
        <${Field} id="pw-current" label="Current password" error=${errors.current}>
          <input type="password" autocomplete="current-password" value=${values.current} onInput=${set('current')}
            ...${fieldAria('pw-current', errors.current)} />
        <//>
        <${Field} id="pw-new" label="New password" error=${errors.next} hint=${`At least ${MIN} characters.`}>
          <input type="password" autocomplete="new-password" value=${values.next} onInput=${set('next')}
            ...${fieldAria('pw-new', errors.next, true)} />
        <//>
        <${Field} id="pw-confirm" label="Confirm new password" error=${errors.confirm}>
          <input type="password" autocomplete="new-password" value=${values.confirm} onInput=${set('confirm')}
            ...${fieldAria('pw-confirm', errors.confirm)} />
        <//>
        ${general && html`<p class="form-error" role="alert">${general}</p>`}
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" aria-disabled=${busy ? 'true' : undefined}>${busy ? 'Changing…' : 'Change password'}</button>
          <button type="button" class="btn" onClick=${onClose}>Cancel</button>
        </div>
      </form>
    <//>`;
}
