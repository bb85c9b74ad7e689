// Top level: restores a stored session, otherwise shows the login form.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api, hasSession, logout, onSessionExpired } from '../api.js';
import { LoginForm } from './LoginForm.js';
import { Shell } from './Shell.js';
import { LiveRegion } from './LiveRegion.js';

export function App() {
  const [phase, setPhase] = useState(hasSession() ? 'booting' : 'login');
  const [me, setMe] = useState(null);
  const [notice, setNotice] = useState('');
  const [message, setMessage] = useState('');

  const announce = useCallback((text) => setMessage(text), []);

  const loadMe = useCallback(async () => {
    const data = await api.me();
    setMe(data);
    setPhase('ready');
  }, []);

  useEffect(() => {
    if (phase !== 'booting') return;
    loadMe().catch((e) => {
      setNotice(e.status === 0 ? "Can't reach the server." : '');
      setPhase('login');
    });
  }, []);

  useEffect(() => onSessionExpired(() => {
    setMe(null);
    setNotice('Your session has ended. Please sign in again.');
    setPhase('login');
  }), []);

  const onLoggedIn = useCallback(async () => {
    setNotice('');
    await loadMe();
    announce('Signed in');
  }, [loadMe]);

  const onLogout = useCallback(async () => {
    await logout();
    setMe(null);
    setNotice('');
    setPhase('login');
    announce('Signed out');
  }, []);

  let body;
  if (phase === 'booting') body = html`<p class="boot">Loading Huddle…</p>`;
  else if (phase === 'login' || !me) {
    body = html`<${LoginForm} onLoggedIn=${onLoggedIn} notice=${notice} />`;
  } else {
    body = html`<${Shell} me=${me} onLogout=${onLogout} announce=${announce} />`;
  }
  return html`${body}<${LiveRegion} message=${message} />`;
}
