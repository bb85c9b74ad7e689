// REST client. The access token lives in memory only; the refresh token in
// localStorage ("huddle.refresh"). A 401 triggers one refresh and one retry.
const REFRESH_KEY = 'huddle.refresh';

let accessToken = null;
let refreshing = null;
const expiredListeners = new Set();

export class ApiError extends Error {
  constructor(status, code, message, { hint, retryAfter } = {}) {
    super(message);
    this.status = status; // 0 = network failure
    this.code = code;
    this.hint = hint;
    this.retryAfter = retryAfter; // seconds, from Retry-After
  }
}

function parseRetryAfter(value) {
  if (!value) return undefined;
  const secs = Number.parseInt(value, 10);
  if (Number.isFinite(secs)) return Math.max(0, secs);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, Math.ceil((date - Date.now()) / 1000)) : undefined;
}

async function send(method, path, body, token) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, 'network', "Can't reach the server.");
  }
  const text = res.status === 204 ? '' : await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    const err = (data && data.error) || {};
    throw new ApiError(res.status, err.code || `http_${res.status}`,
      err.message || `Request failed (HTTP ${res.status}).`,
      { hint: err.hint, retryAfter: parseRetryAfter(res.headers.get('Retry-After')) });
  }
  return data;
}

function store(tokens) {
  accessToken = tokens.access_token;
  try {
    localStorage.setItem(REFRESH_KEY, tokens.refresh_token);
  } catch {
    /* storage unavailable: the session ends with the page */
  }
}

function storedRefresh() {
  try {
    return localStorage.getItem(REFRESH_KEY);
  } catch {
    return null;
  }
}

function clearSession() {
  accessToken = null;
  try {
    localStorage.removeItem(REFRESH_KEY);
  } catch {
    /* ignore */
  }
}

export const getAccessToken = () => accessToken;
export const hasSession = () => Boolean(accessToken || storedRefresh());

/** Called when the session is gone for good (refresh rejected). */
export function onSessionExpired(fn) {
  expiredListeners.add(fn);
  return () => expiredListeners.delete(fn);
}

export function expireSession() {
  clearSession();
  for (const fn of expiredListeners) fn();
}

export async function login(username, password) {
  const data = await send('POST', '/auth/login', { username, password });
  store(data);
  return data.user;
}

async function doRefresh() {
  const token = storedRefresh();
  if (!token) throw new ApiError(401, 'no_session', 'Not signed in.');
  try {
    store(await send('POST', '/auth/refresh', { refresh_token: token }));
  } catch (e) {
    // Another tab may have rotated the refresh token in the meantime.
    const now = storedRefresh();
    if (e.status === 401 && now && now !== token) {
      store(await send('POST', '/auth/refresh', { refresh_token: now }));
      return;
    }
    throw e;
  }
}

/** Single-flight refresh: concurrent callers share one request. */
export function refresh() {
  if (!refreshing) refreshing = doRefresh().finally(() => { refreshing = null; });
  return refreshing;
}

async function refreshOrExpire() {
  try {
    await refresh();
  } catch (e) {
    if (e.status === 401) expireSession();
    throw e;
  }
}

export async function request(method, path, body) {
  if (!accessToken) await refreshOrExpire();
  try {
    return await send(method, path, body, accessToken);
  } catch (e) {
    if (e.status !== 401) throw e;
  }
  await refreshOrExpire();
  try {
    return await send(method, path, body, accessToken);
  } catch (e) {
    if (e.status === 401) expireSession();
    throw e;
  }
}

export async function logout() {
  const token = storedRefresh();
  clearSession();
  if (!token) return;
  try {
    await send('POST', '/auth/logout', { refresh_token: token });
  } catch {
    /* the local session is gone either way */
  }
}

/**
 * Changes the signed-in person's password. The server ends every other session
 * and answers with a fresh login for this tab, which replaces the stored one.
 */
export async function changePassword(currentPassword, newPassword) {
  const data = await request('POST', '/api/me/password',
    { current_password: currentPassword, new_password: newPassword });
  if (data && data.access_token) store(data);
  return data;
}

const enc = encodeURIComponent;
export const api = {
  me: () => request('GET', '/api/me'),
  projects: () => request('GET', '/api/projects'),
  createProject: (name, description) =>
    request('POST', '/api/projects', description ? { name, description } : { name }),
  project: (name) => request('GET', `/api/projects/${enc(name)}`),
  members: (name) => request('GET', `/api/projects/${enc(name)}/members`),
  channels: (name) => request('GET', `/api/projects/${enc(name)}/channels`),
  addMember: (name, username, role) =>
    request('POST', `/api/projects/${enc(name)}/members`, { username, role }),
  removeMember: (name, username) =>
    request('DELETE', `/api/projects/${enc(name)}/members/${enc(username)}`),
  users: () => request('GET', '/api/users'),
  /** `{username, kind, agent_role?, is_admin?}` → `{user, password}` (a one-time password). */
  createUser: (body) => request('POST', '/api/users', body),
  resetPassword: (username) => request('POST', `/api/users/${enc(username)}/password`),
  createChannel: (name, body) => request('POST', `/api/projects/${enc(name)}/channels`, body),
  updateChannel: (name, channel, patch) =>
    request('PATCH', `/api/projects/${enc(name)}/channels/${enc(channel)}`, patch),
  events: (name, afterSeq = 0, limit = 100) =>
    request('GET', `/api/projects/${enc(name)}/events?after_seq=${afterSeq}&limit=${limit}`),
};
