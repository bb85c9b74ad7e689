// Dark/light switch; the choice is persisted in localStorage.
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { currentTheme, setTheme } from '../theme.js';

export function ThemeToggle() {
  const [theme, setLocal] = useState(currentTheme);
  const next = theme === 'dark' ? 'light' : 'dark';
  function toggle() {
    setTheme(next);
    setLocal(next);
  }
  return html`
    <button class="btn btn-icon" type="button" onClick=${toggle} data-testid="theme-toggle"
      aria-label=${`Switch to ${next} theme`} title=${`Switch to ${next} theme`}>
      <span aria-hidden="true">${theme === 'dark' ? '☀' : '☾'}</span>
    </button>`;
}
