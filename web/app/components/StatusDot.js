// Presence dot: green online, amber idle, grey ring offline. Named for
// screen readers ("code, online") and on hover.
import { html } from '../html.js';

export function StatusDot({ name, status }) {
  const text = `${name}, ${status}`;
  return html`<span class=${`status-dot status-${status}`} role="img" aria-label=${text} title=${text}
    data-testid="status-dot" data-status=${status}></span>`;
}
