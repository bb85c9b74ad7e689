// Username/password form with clear, specific error messages.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { login } from '../api.js';

function messageFor(err) {
  if (err.status === 0) return "Can't reach the server.";
  if (err.status === 401) return 'Wrong username or password.';
  return err.message || 'Sign-in failed.';
}

export function LoginForm({ onLoggedIn, notice }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [lockedUntil, setLockedUntil] = useState(0);
  const [now, setNow] = useState(Date.now());
  const userRef = useRef(null);

  useEffect(() => { userRef.current && userRef.current.focus(); }, []);

  // Count the 429 lock-out down once per second.
  useEffect(() => {
    if (lockedUntil <= Date.now()) return undefined;
    const t = setInterval(() => {
      setNow(Date.now());
      if (Date.now() >= lockedUntil) clearInterval(t);
    }, 1000);
    return () => clearInterval(t);
  }, [lockedUntil]);

  const secondsLeft = Math.max(0, Math.ceil((lockedUntil - now) / 1000));
  const locked = secondsLeft > 0;
  let shown = error;
  if (locked) shown = `Too many attempts — try again in ${secondsLeft} s.`;
  else if (lockedUntil && error.startsWith('Too many attempts')) shown = '';

  async function submit(ev) {
    ev.preventDefault();
    if (busy || locked) return;
    setBusy(true);
    setError('');
    try {
      await login(username.trim(), password);
      await onLoggedIn();
    } catch (err) {
      setPassword('');
      if (err.status === 429) {
        const secs = err.retryAfter ?? 60;
        setLockedUntil(Date.now() + secs * 1000);
        setNow(Date.now());
        setError(`Too many attempts — try again in ${secs} s.`);
      } else {
        setError(messageFor(err));
      }
    } finally {
      setBusy(false);
    }
  }

  return html`
    <main class="login" id="main">
      <form class="login-card" onSubmit=${submit} aria-labelledby="login-title" novalidate>
        <h1 id="login-title" class="login-title">Sign in to Huddle</h1>
        ${notice && !shown && html`<p class="login-notice" role="status">${notice}</p>`}
        <label class="field">
          <span>Username</span>
          <input ref=${userRef} name="username" autocomplete="username" required
            value=${username} onInput=${(e) => setUsername(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>Password</span>
          <input name="password" type="password" autocomplete="current-password" required
            value=${password} onInput=${(e) => setPassword(e.currentTarget.value)} />
        </label>
        <p class="form-error" role="alert" data-testid="login-error">${shown}</p>
        <button class="btn btn-primary" type="submit" disabled=${busy || locked || !username || !password}>
          ${busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>`;
}
