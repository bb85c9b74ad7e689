// The top bar's user menu: a button with the person's initial and name that
// opens Profile, Change password, Theme (dark / light / system) and Log out.
// Arrow keys move between items, Escape closes and returns to the button.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { chooseTheme, themeChoice } from '../theme.js';
import { openDialog } from '../dialogs.js';
import { ChevronDownIcon } from './Icons.js';

const THEMES = [['dark', 'Dark'], ['light', 'Light'], ['system', 'Same as the system']];

export function Avatar({ name, className = '' }) {
  return html`<span class=${`user-avatar ${className}`} aria-hidden="true">${(name || '?').slice(0, 1).toUpperCase()}</span>`;
}

export function UserMenu({ user, onLogout }) {
  const [open, setOpen] = useState(false);
  const [theme, setThemeChoice] = useState(themeChoice);
  const button = useRef(null);
  const menu = useRef(null);

  const items = () => Array.from(menu.current ? menu.current.querySelectorAll('[role^="menuitem"]') : []);
  useLayoutEffect(() => {
    if (open) { const first = items()[0]; if (first) first.focus(); }
  }, [open]);
  useEffect(() => {
    if (!open) return undefined;
    const onDown = (e) => {
      if (!menu.current || menu.current.contains(e.target) || button.current.contains(e.target)) return;
      setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  function close(refocus = true) {
    setOpen(false);
    if (refocus) button.current.focus();
  }
  function onKeyDown(e) {
    const list = items();
    const at = list.indexOf(document.activeElement);
    if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); close(); }
    else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const n = list.length;
      list[(at + (e.key === 'ArrowDown' ? 1 : n - 1) + n) % n].focus();
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      list[e.key === 'Home' ? 0 : list.length - 1].focus();
    } else if (e.key === 'Tab') close(false);
  }
  function show(kind) {
    setOpen(false);
    openDialog(kind, {}, button.current);
  }
  function pickTheme(choice) {
    chooseTheme(choice);
    setThemeChoice(choice);
    close();
  }

  return html`
    <div class="user-menu">
      <button type="button" class="user-button" ref=${button} data-testid="user-menu-button"
        aria-haspopup="menu" aria-expanded=${open ? 'true' : 'false'} aria-controls="user-menu"
        onClick=${() => setOpen(!open)} onKeyDown=${(e) => { if (e.key === 'ArrowDown') { e.preventDefault(); setOpen(true); } }}>
        <${Avatar} name=${user.username} />
        <span class="user-name" data-testid="current-user">${user.username}</span>
        <${ChevronDownIcon} />
      </button>
      ${open && html`
        <div class="menu" id="user-menu" role="menu" aria-label=${`${user.username}'s menu`} ref=${menu} onKeyDown=${onKeyDown}>
          <p class="menu-caption">Signed in as <strong>${user.username}</strong>${user.is_admin ? ' · server admin' : ''}</p>
          <button type="button" role="menuitem" tabindex="-1" class="menu-item" onClick=${() => show('profile')}>Profile</button>
          <button type="button" role="menuitem" tabindex="-1" class="menu-item" onClick=${() => show('password')}>Change password</button>
          <div role="group" aria-labelledby="theme-caption" class="menu-group">
            <p class="menu-caption" id="theme-caption">Theme</p>
            ${THEMES.map(([value, label]) => html`
              <button key=${value} type="button" role="menuitemradio" tabindex="-1" class="menu-item"
                aria-checked=${theme === value ? 'true' : 'false'} onClick=${() => pickTheme(value)}>
                <span class="menu-check" aria-hidden="true">${theme === value ? '✓' : ''}</span>${label}
              </button>`)}
          </div>
          <div class="menu-sep" role="separator"></div>
          <button type="button" role="menuitem" tabindex="-1" class="menu-item" onClick=${() => { setOpen(false); onLogout(); }}>Log out</button>
        </div>`}
    </div>`;
}
