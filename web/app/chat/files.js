// Attachments: uploads (XMLHttpRequest, for progress), authorised downloads
// (fetch with the bearer token → blob: URL) and small formatting helpers.
import { getAccessToken, refresh } from '../api.js';

/** The server's limits until chat_ready brings its own (`limits` in the payload). */
export const DEFAULT_LIMITS = { max_file_bytes: 10 * 1024 * 1024, max_attachments: 5 };

/** The limits in effect: the server's where it sent them, else the defaults. */
export function uploadLimits(server) {
  const l = server || {};
  const num = (v, d) => (Number.isFinite(v) && v > 0 ? v : d);
  return {
    maxFileBytes: num(l.max_file_bytes, DEFAULT_LIMITS.max_file_bytes),
    maxFiles: num(l.max_attachments, DEFAULT_LIMITS.max_attachments),
  };
}

async function token() {
  if (!getAccessToken()) { try { await refresh(); } catch { /* the request fails with 401 */ } }
  return getAccessToken();
}

export function formatSize(n) {
  if (!Number.isFinite(n)) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10240 ? 1 : 0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** A limit in round words: 10485760 → "10 MB". */
export function formatLimit(n) {
  if (n >= 1024 * 1024) return `${+(n / 1024 / 1024).toFixed(1)} MB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}

/** Why `file` may not be sent, in plain words, or null when it may. */
export function refusal(file, name, limits) {
  if (file.size <= limits.maxFileBytes) return null;
  return `${name} is ${formatSize(file.size)}; files can be at most ${formatLimit(limits.maxFileBytes)}, so it was not uploaded.`;
}

function xhrOnce(project, file, tok, onProgress) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/projects/${encodeURIComponent(project)}/attachments`);
    if (tok) xhr.setRequestHeader('Authorization', `Bearer ${tok}`);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onload = () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch { data = null; }
      resolve({ status: xhr.status, data });
    };
    xhr.onerror = () => resolve({ status: 0, data: null });
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}

/** Uploads one file; resolves to the Attachment or throws an Error with the server's message. */
export async function uploadFile(project, file, onProgress) {
  let r = await xhrOnce(project, file, await token(), onProgress);
  if (r.status === 401) {
    try { await refresh(); } catch { /* reported below */ }
    r = await xhrOnce(project, file, getAccessToken(), onProgress);
  }
  const att = r.data && r.data.attachments && r.data.attachments[0];
  if (r.status >= 200 && r.status < 300 && att) return att;
  if (r.status === 0) throw new Error("Can't reach the server.");
  const e = (r.data && r.data.error) || {};
  if (r.status === 413 && !e.message) throw new Error('The file is too large.');
  throw new Error([e.message || `Upload failed (HTTP ${r.status}).`, e.hint].filter(Boolean).join(' '));
}

/** Fetches an attachment URL with the token; resolves to a Blob. */
export async function fetchBlob(url) {
  let res = await fetch(url, { headers: { Authorization: `Bearer ${await token()}` } });
  if (res.status === 401) {
    await refresh();
    res = await fetch(url, { headers: { Authorization: `Bearer ${getAccessToken()}` } });
  }
  if (!res.ok) throw new Error(`Could not load the file (HTTP ${res.status}).`);
  return res.blob();
}

/** Downloads an attachment and saves it under its name via a temporary <a download>. */
export async function download(att) {
  const blob = await fetchBlob(att.url);
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = att.file_name || 'download';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10000);
}

/** Thumbnail box for an image attachment (thumbnails fit in `max` px). */
export function thumbSize(att, max = 320) {
  const w = att.width || max;
  const h = att.height || max;
  const k = Math.min(1, max / Math.max(w, h));
  return { width: Math.max(1, Math.round(w * k)), height: Math.max(1, Math.round(h * k)) };
}
