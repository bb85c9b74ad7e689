// The composer's pending uploads: name, size, progress bar or error, remove.
import { html } from '../html.js';
import { formatSize } from '../chat/files.js';

export function UploadList({ uploads }) {
  if (!uploads.items.length) return null;
  return html`
    ${uploads.notice && html`<p class="upload-notice" role="status">${uploads.notice}</p>`}
    <ul class="upload-list" aria-label="Attachments" data-testid="upload-list">
      ${uploads.items.map((u) => html`
        <li key=${u.id} class=${`upload upload-${u.status}`} data-status=${u.status}>
          <span class="upload-name" title=${u.name}>${u.name}</span>
          <span class="upload-size muted">${formatSize(u.size)}</span>
          ${u.status === 'error'
            ? html`<span class="upload-error" role="alert">${u.error}</span>`
            : html`<progress class="upload-progress" max="1" value=${u.progress}
                aria-label=${`Uploading ${u.name}`}>${Math.round(u.progress * 100)}%</progress>`}
          ${u.status === 'done' && html`<span class="upload-ok" aria-hidden="true">✓</span>`}
          <button type="button" class="btn btn-icon btn-small" aria-label=${`Remove ${u.name}`}
            onClick=${() => uploads.remove(u.id)}><span aria-hidden="true">×</span></button>
        </li>`)}
    </ul>`;
}
