// A modal dialog: role="dialog" + aria-modal, labelled by its title, focus
// moved inside on open and kept there (Tab wraps), Escape or the close button
// or a click on the backdrop closes it. Focus goes back to the opener (see
// dialogs.js) when it closes.
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { html } from '../html.js';
import { CloseIcon } from './Icons.js';

let seq = 0;
const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), '
  + 'select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

function focusables(root) {
  return Array.from(root.querySelectorAll(FOCUSABLE)).filter((el) => el.offsetParent !== null || el === document.activeElement);
}

export function Dialog({ title, onClose, children, testId, className = '', describedBy }) {
  const ref = useRef(null);
  const ids = useRef(null);
  if (!ids.current) { seq += 1; ids.current = `dialog-title-${seq}`; }

  useLayoutEffect(() => {
    const root = ref.current;
    if (!root) return;
    const first = root.querySelector('[data-autofocus]') || focusables(root).find((el) => !el.classList.contains('dialog-close'));
    (first || root).focus();
  }, []);

  // Escape also when the focus has slipped out (to the page behind, or nowhere).
  useEffect(() => {
    const onKey = (e) => {
      if (e.key !== 'Escape' || e.defaultPrevented || (ref.current && ref.current.contains(e.target))) return;
      e.preventDefault();
      onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  function onKeyDown(e) {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onClose();
      return;
    }
    if (e.key !== 'Tab') return;
    const list = focusables(ref.current);
    if (list.length === 0) { e.preventDefault(); return; }
    const first = list[0];
    const last = list[list.length - 1];
    const inside = ref.current.contains(document.activeElement);
    if (e.shiftKey && (document.activeElement === first || !inside)) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && (document.activeElement === last || !inside)) { e.preventDefault(); first.focus(); }
  }

  return html`
    <div class="modal-scrim dialog-scrim" onMouseDown=${(e) => { if (e.target === e.currentTarget) onClose(); }}>
      <div class=${`dialog ${className}`} role="dialog" aria-modal="true" aria-labelledby=${ids.current}
        aria-describedby=${describedBy} ref=${ref} tabindex="-1" onKeyDown=${onKeyDown} data-testid=${testId}>
        <header class="dialog-head">
          <h2 id=${ids.current}>${title}</h2>
          <button type="button" class="btn btn-icon dialog-close" aria-label="Close" title="Close (Esc)"
            onClick=${onClose}><${CloseIcon} /></button>
        </header>
        <div class="dialog-body">${children}</div>
      </div>
    </div>`;
}

/** One field with its label, and its error right under it (linked for screen readers). */
export function Field({ id, label, error, hint, children }) {
  return html`
    <div class="field">
      <label for=${id}>${label}</label>
      ${children}
      ${hint && html`<small id=${`${id}-hint`} class="muted">${hint}</small>`}
      <p class="field-error" id=${`${id}-error`} role=${error ? 'alert' : undefined}>${error || ''}</p>
    </div>`;
}

/** aria props for an input with a Field around it. */
export const fieldAria = (id, error, hint) => ({
  id,
  'aria-invalid': error ? 'true' : undefined,
  'aria-describedby': [hint && `${id}-hint`, `${id}-error`].filter(Boolean).join(' '),
});

/** "Are you sure?" inside a dialog: the confirming button takes the focus; Cancel hands it back to the dialog. */
export function ConfirmBar({ label, children, action, busy, onConfirm, onCancel }) {
  const ref = useRef(null);
  useLayoutEffect(() => { if (ref.current) ref.current.focus(); }, []);
  function cancel(e) {
    const dialog = e.currentTarget.closest('[role="dialog"]');
    onCancel();
    if (dialog) dialog.focus();
  }
  return html`
    <div class="confirm" role="group" aria-label=${label}>
      <span>${children}</span>
      <button type="button" class="btn btn-danger btn-small" ref=${ref} aria-disabled=${busy ? 'true' : undefined} onClick=${onConfirm}>${action}</button>
      <button type="button" class="btn btn-small" onClick=${cancel}>Cancel</button>
    </div>`;
}
