// Dark/light theme: stored choice in localStorage, else the OS preference.
// The resolved theme is always written to <html data-theme="…">.
const KEY = 'huddle.theme';
const lightQuery = () => window.matchMedia('(prefers-color-scheme: light)');

function stored() {
  try {
    const t = localStorage.getItem(KEY);
    return t === 'light' || t === 'dark' ? t : null;
  } catch {
    return null;
  }
}

export function systemTheme() {
  return lightQuery().matches ? 'light' : 'dark';
}

export function currentTheme() {
  return document.documentElement.dataset.theme || systemTheme();
}

function apply(theme) {
  document.documentElement.dataset.theme = theme;
}

export function setTheme(theme) {
  try {
    localStorage.setItem(KEY, theme);
  } catch {
    /* private mode: keep it for this page only */
  }
  apply(theme);
}

/** "dark" | "light" | "system" (no stored choice: follow the OS). */
export function themeChoice() {
  return stored() ?? 'system';
}

export function chooseTheme(choice) {
  if (choice === 'light' || choice === 'dark') { setTheme(choice); return; }
  try {
    localStorage.removeItem(KEY);
  } catch {
    /* nothing stored */
  }
  apply(systemTheme());
}

export function initTheme() {
  apply(stored() ?? systemTheme());
  // Follow the OS while the user has not picked a theme explicitly.
  lightQuery().addEventListener('change', () => {
    if (!stored()) apply(systemTheme());
  });
}
