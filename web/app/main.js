// Entry point: apply the theme before the first paint, then mount the app.
import { render } from 'preact';
import { html } from './html.js';
import { initTheme } from './theme.js';
import { App } from './components/App.js';

initTheme();
const root = document.getElementById('app');
root.textContent = ''; // the "Loading Huddle…" placeholder goes once the app mounts
render(html`<${App} />`, root);
