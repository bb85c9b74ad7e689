// Which modal dialog is open (one at a time). Any view can open one by kind;
// the DialogHost in the shell renders it with the data it needs.
import { useEffect, useState } from 'preact/hooks';

let current = null;
const listeners = new Set();

function set(next) {
  current = next;
  for (const fn of listeners) fn(current);
}

/**
 * Opens dialog `kind` ("profile", "password", "members", "create-channel",
 * "channel-settings") with `props`; focus goes back to `opener` on close.
 */
export function openDialog(kind, props = {}, opener = document.activeElement) {
  set({ kind, props, opener });
}

export function closeDialog() {
  const was = current;
  set(null);
  const back = was && was.opener;
  if (back && back.focus && document.contains(back)) requestAnimationFrame(() => back.focus());
}

export function useOpenDialog() {
  const [d, setD] = useState(current);
  useEffect(() => {
    listeners.add(setD);
    return () => listeners.delete(setD);
  }, []);
  return d;
}
