// Polite screen-reader announcements (connection changes, live events…).
import { html } from '../html.js';

export function LiveRegion({ message }) {
  return html`<div class="visually-hidden" aria-live="polite" aria-atomic="true"
    data-testid="live-region">${message}</div>`;
}
