// Shows how the live connection is doing: Real-time, Polling,
// Reconnecting… or Offline.
import { html } from '../html.js';

const HINTS = {
  realtime: 'Connected over WebSocket',
  polling: 'Connected over HTTP long-polling',
  reconnecting: 'Connection lost, retrying',
  offline: 'No connection',
};

export function ConnectionBadge({ state, text }) {
  return html`
    <span class=${`badge badge-${state}`} data-testid="connection-badge"
      data-state=${state} title=${HINTS[state]}>
      <span class="badge-dot" aria-hidden="true"></span>${text}
    </span>`;
}
