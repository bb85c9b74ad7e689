// Full-size image viewer: the image is fetched with the token into a blob:
// URL; "Download original" saves the full file under its name. Esc, the
// close button or a click outside closes it; Tab stays inside; focus returns.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { useBlobUrl } from './Attachments.js';
import { download, formatSize } from '../chat/files.js';

export function Lightbox({ att, onClose }) {
  const { src, error } = useBlobUrl(att.url);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState('');
  const ref = useRef(null);
  const closeRef = useRef(null);
  const opener = useRef(document.activeElement);
  useLayoutEffect(() => {
    if (closeRef.current) closeRef.current.focus();
    const back = opener.current;
    return () => { if (back && back.focus && document.contains(back)) back.focus(); };
  }, []);
  useEffect(() => {
    const onKey = (e) => {
      if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); onClose(); return; }
      if (e.key !== 'Tab' || !ref.current) return;
      const all = [...ref.current.querySelectorAll('button:not([disabled])')];
      if (!all.length) return;
      const i = all.indexOf(document.activeElement);
      e.preventDefault();
      all[e.shiftKey ? (i <= 0 ? all.length - 1 : i - 1) : (i + 1) % all.length].focus();
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [onClose]);
  async function save() {
    setSaving(true); setSaveError('');
    try { await download(att); } catch (e) { setSaveError(e.message); }
    setSaving(false);
  }
  return html`
    <div class="modal-scrim lightbox-scrim" onMouseDown=${(e) => { if (e.target === e.currentTarget) onClose(); }}>
      <div class="lightbox" role="dialog" aria-modal="true" aria-label=${att.file_name} data-testid="lightbox" ref=${ref}>
        <div class="lightbox-bar">
          <span class="att-name">${att.file_name}</span>
          ${Number.isFinite(att.size) && html`<span class="lightbox-size">${formatSize(att.size)}</span>`}
          <span class="lightbox-spacer"></span>
          <button type="button" class="btn btn-small" onClick=${save} disabled=${saving}>
            ${saving ? 'Downloading…' : 'Download original'}</button>
          <button type="button" class="btn btn-icon" ref=${closeRef} aria-label="Close image" onClick=${onClose}>
            <span aria-hidden="true">×</span></button>
        </div>
        ${saveError && html`<p class="form-error" role="alert">${saveError}</p>`}
        ${src ? html`<img class="lightbox-img" src=${src} alt=${att.file_name} />`
          : html`<p class="muted" role="status">${error ? 'The image could not be loaded.' : 'Loading…'}</p>`}
      </div>
    </div>`;
}
