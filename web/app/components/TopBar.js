// Top bar: menu button (phones), brand, user, connection badge, theme, logout.
import { html } from '../html.js';
import { ConnectionBadge } from './ConnectionBadge.js';
import { ThemeToggle } from './ThemeToggle.js';

export function TopBar({ user, connState, badgeText, navOpen, onToggleNav, onLogout }) {
  return html`
    <header class="topbar">
      <button class="btn btn-icon menu-button" type="button" aria-controls="project-rail channel-sidebar"
        aria-expanded=${navOpen ? 'true' : 'false'} onClick=${onToggleNav}
        data-testid="menu-button">
        <span aria-hidden="true">☰</span><span class="visually-hidden">Menu</span>
      </button>
      <span class="brand">Huddle</span>
      <span class="topbar-spacer"></span>
      <${ConnectionBadge} state=${connState} text=${badgeText} />
      <${ThemeToggle} />
      <span class="topbar-user" data-testid="current-user" title=${`Signed in as ${user.username}`}>
        ${user.username}${user.is_admin ? html` <span class="tag">admin</span>` : ''}
      </span>
      <button class="btn" type="button" onClick=${onLogout}>Log out</button>
    </header>`;
}
