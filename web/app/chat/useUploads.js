// Composer uploads: each file starts uploading at once; the list keeps
// progress, the resulting attachment or the error, per file. Files over the
// server's size limit, or past its per-message count, are refused here,
// before any byte is sent.
import { useCallback, useRef, useState } from 'preact/hooks';
import { refusal, uploadFile, uploadLimits } from './files.js';

let next = 0;

export function useUploads(project, announce, serverLimits) {
  const [items, setItems] = useState([]);
  const [notice, setNotice] = useState('');
  const live = useRef(items);
  live.current = items;
  const limits = uploadLimits(serverLimits);
  const max = limits.maxFiles;

  const patch = (id, p) => setItems((xs) => xs.map((x) => (x.id === id ? { ...x, ...p } : x)));

  const add = useCallback((fileList) => {
    const files = Array.from(fileList || []);
    if (!files.length) return;
    const room = max - live.current.length;
    const over = room <= 0 || files.length > room;
    setNotice(over ? `At most ${max} files per message; ${files.length - Math.max(0, room)} not added.` : '');
    if (over) announce(`At most ${max} files per message.`);
    const taken = files.slice(0, Math.max(0, room)).map((file) => {
      next += 1;
      const name = file.name || 'pasted-image.png';
      const why = refusal(file, name, limits);
      return {
        id: `up-${next}`, file, name, size: file.size, progress: 0,
        status: why ? 'error' : 'uploading', error: why || undefined,
      };
    });
    if (!taken.length) return;
    live.current = live.current.concat(taken);
    setItems(live.current);
    for (const it of taken) {
      if (it.status === 'error') { announce(it.error); continue; }
      const named = it.file.name ? it.file : new File([it.file], it.name, { type: it.file.type });
      uploadFile(project, named, (p) => patch(it.id, { progress: p }))
        .then((att) => { patch(it.id, { status: 'done', progress: 1, attachment: att }); announce(`${it.name} uploaded`); })
        .catch((e) => { patch(it.id, { status: 'error', error: e.message }); announce(`${it.name}: ${e.message}`); });
    }
  }, [project, announce, max, limits.maxFileBytes]);

  const remove = useCallback((id) => { setNotice(''); setItems((xs) => xs.filter((x) => x.id !== id)); }, []);
  const clear = useCallback(() => { setNotice(''); setItems([]); }, []);
  const ids = items.filter((x) => x.status === 'done').map((x) => x.attachment.attachment_id);
  const busy = items.some((x) => x.status === 'uploading');
  return { items, notice, add, remove, clear, ids, busy, full: items.length >= max, limits };
}
