// Top bar: menu button (phones), brand, the connection notice (only when
// something is wrong) and the user menu.
import { html } from '../html.js';
import { ConnectionBadge } from './ConnectionBadge.js';
import { UserMenu } from './UserMenu.js';
import { MenuIcon } from './Icons.js';

export function TopBar({ user, connState, navOpen, onToggleNav, onLogout }) {
  return html`
    <header class="topbar">
      <button class="btn btn-icon menu-button" type="button" aria-controls="project-rail channel-sidebar"
        aria-expanded=${navOpen ? 'true' : 'false'} onClick=${onToggleNav}
        data-testid="menu-button">
        <${MenuIcon} size=${20} /><span class="visually-hidden">Menu</span>
      </button>
      <span class="brand">Huddle</span>
      <span class="topbar-spacer"></span>
      <${ConnectionBadge} state=${connState} />
      <${UserMenu} user=${user} onLogout=${onLogout} />
    </header>`;
}
