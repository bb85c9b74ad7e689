// Full-size image viewer: the image is fetched with the token into a blob:
// URL. Esc, the close button or a click outside closes it; focus returns.
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import { html } from '../html.js';
import { useBlobUrl } from './Attachments.js';

export function Lightbox({ att, onClose }) {
  const { src, error } = useBlobUrl(att.url);
  const closeRef = useRef(null);
  const opener = useRef(document.activeElement);
  useLayoutEffect(() => {
    if (closeRef.current) closeRef.current.focus();
    const back = opener.current;
    return () => { if (back && back.focus && document.contains(back)) back.focus(); };
  }, []);
  useEffect(() => {
    const onKey = (e) => { if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); onClose(); } };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [onClose]);
  return html`
    <div class="modal-scrim lightbox-scrim" onMouseDown=${(e) => { if (e.target === e.currentTarget) onClose(); }}>
      <div class="lightbox" role="dialog" aria-modal="true" aria-label=${att.file_name} data-testid="lightbox">
        <div class="lightbox-bar">
          <span class="att-name">${att.file_name}</span>
          <button type="button" class="btn btn-icon" ref=${closeRef} aria-label="Close image" onClick=${onClose}>
            <span aria-hidden="true">×</span></button>
        </div>
        ${src ? html`<img class="lightbox-img" src=${src} alt=${att.file_name} />`
          : html`<p class="muted" role="status">${error ? 'The image could not be loaded.' : 'Loading…'}</p>`}
      </div>
    </div>`;
}
