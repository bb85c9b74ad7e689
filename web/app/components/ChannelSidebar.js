// Channel sidebar: project name and placeholder channels (chat comes later).
import { html } from '../html.js';

const CHANNELS = ['general', 'workflow', 'agents', 'errors'];

export function ChannelSidebar({ project }) {
  return html`
    <aside class="sidebar" id="channel-sidebar" aria-label="Channels">
      <h2 class="sidebar-title">${project ? project.name : 'Huddle'}</h2>
      ${project && html`
        <p class="sidebar-note" id="channels-note">Channels arrive with chat</p>
        <ul class="channel-list" aria-describedby="channels-note">
          ${CHANNELS.map((c) => html`
            <li key=${c} class="channel" aria-disabled="true">
              <span aria-hidden="true">#</span> ${c}
            </li>`)}
        </ul>`}
    </aside>`;
}
