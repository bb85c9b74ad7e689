// Says how the live connection is doing, only when it matters: nothing while
// connected, "Reconnecting…" / "Offline" when it is lost, and "Slow connection
// (polling)" when it stays on HTTP long-polling (every connection starts on
// polling for a moment before it upgrades, so that is shown only after a while).
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';

export const CONNECTION_TEXT = {
  realtime: '', polling: 'Slow connection (polling)', reconnecting: 'Reconnecting…', offline: 'Offline',
};
const HINTS = {
  polling: 'Connected, but over HTTP long-polling: updates may arrive a little later.',
  reconnecting: 'The connection was lost; trying again. Nothing you send is lost.',
  offline: 'No connection to the server.',
};
const POLLING_GRACE_MS = 4000;

export function ConnectionBadge({ state }) {
  const [slow, setSlow] = useState(false);
  useEffect(() => {
    setSlow(false);
    if (state !== 'polling') return undefined;
    const t = setTimeout(() => setSlow(true), POLLING_GRACE_MS);
    return () => clearTimeout(t);
  }, [state]);
  const shown = state === 'polling' ? (slow ? state : null) : (CONNECTION_TEXT[state] ? state : null);
  if (!shown) return null;
  return html`
    <span class=${`badge badge-${shown}`} data-testid="connection-badge" data-state=${shown} title=${HINTS[shown]}>
      <span class="badge-dot" aria-hidden="true"></span>${CONNECTION_TEXT[shown]}
    </span>`;
}
