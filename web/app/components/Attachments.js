// A message's attachments: images as thumbnails (fetched with the token into
// blob: URLs, sized up front so rows do not jump), other files as chips that
// download with the token. Clicking a thumbnail calls onOpen (the lightbox).
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { FileIcon } from './Icons.js';
import { download, fetchBlob, formatSize, thumbSize } from '../chat/files.js';

/** A blob: URL for `url` (fetched with the token), revoked on unmount. */
export function useBlobUrl(url) {
  const [state, setState] = useState({ src: null, error: false });
  useEffect(() => {
    if (!url) return undefined;
    let alive = true;
    let made = null;
    setState({ src: null, error: false });
    fetchBlob(url).then((blob) => {
      if (!alive) return;
      made = URL.createObjectURL(blob);
      setState({ src: made, error: false });
    }).catch(() => { if (alive) setState({ src: null, error: true }); });
    return () => { alive = false; if (made) URL.revokeObjectURL(made); };
  }, [url]);
  return state;
}

function Thumb({ att, onOpen }) {
  const { src, error } = useBlobUrl(att.thumbnail_url);
  const { width, height } = thumbSize(att);
  return html`
    <button type="button" class="att-thumb" onClick=${() => onOpen(att)} aria-label=${`Open image ${att.file_name}`}
      data-testid="attachment-image">
      ${src ? html`<img src=${src} width=${width} height=${height} alt=${att.file_name} />`
        : html`<span class="att-placeholder" ref=${(el) => { if (el) { el.style.width = `${width}px`; el.style.height = `${height}px`; } }}>
            ${error ? 'Image unavailable' : 'Loading…'}</span>`}
    </button>`;
}

function FileChip({ att }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  async function save() {
    setBusy(true); setError('');
    try { await download(att); } catch (e) { setError(e.message); }
    setBusy(false);
  }
  // The chip keeps one line and its own height; a long name is cut with "…"
  // (the full name is its tooltip), an error shows below it.
  return html`
    <div class="att-file-item">
      <span class="att-file" data-testid="attachment-file" title=${att.file_name}>
        <${FileIcon} />
        <span class="att-name">${att.file_name}</span>
        <span class="att-size muted">${formatSize(att.size)}</span>
        <button type="button" class="btn btn-small" onClick=${save} disabled=${busy}
          aria-label=${`Download ${att.file_name}`}>${busy ? 'Downloading…' : 'Download'}</button>
      </span>
      ${error && html`<p class="upload-error att-error" role="alert">${error}</p>`}
    </div>`;
}

export function Attachments({ list, onOpen }) {
  if (!list || !list.length) return null;
  return html`
    <div class="attachments">
      ${list.map((att) => (att.thumbnail_url
        ? html`<${Thumb} key=${att.attachment_id} att=${att} onOpen=${onOpen || (() => {})} />`
        : html`<${FileChip} key=${att.attachment_id} att=${att} />`))}
    </div>`;
}
