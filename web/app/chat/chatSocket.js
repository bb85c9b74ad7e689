// Socket.IO connection to the /chat/<project> namespace. Shares the engine
// (and its back-off) with /portal through socket.io-client's multiplexing.
// Every (re)connect sends the current token and the last seq seen, so the
// server replays what was missed.
import { io } from 'socket.io-client';
import { getAccessToken, refresh } from '../api.js';

const ACK_TIMEOUT_MS = 15000;

export function createChatSocket(project, { onEvent, onStatus, onAuthFailed }) {
  let lastSeq = null;
  let authRetried = false;
  let closed = false;

  const socket = io(`/chat/${encodeURIComponent(project)}`, {
    auth: (cb) => {
      const auth = { token: getAccessToken() };
      if (lastSeq !== null) auth.since_seq = lastSeq;
      cb(auth);
    },
    transports: ['polling', 'websocket'],
    autoConnect: false,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 30000,
    randomizationFactor: 0.5,
  });

  // Why the server is about to close this socket, when it says (session_ended).
  let sessionEnd = null;
  socket.on('session_ended', (p) => { sessionEnd = (p && p.reason) || 'ended'; });
  socket.on('connect', () => { authRetried = false; sessionEnd = null; onStatus('connected'); });
  socket.on('disconnect', async (reason) => {
    if (closed) return;
    if (reason === 'io server disconnect' && sessionEnd) {
      // The access token ran out, or the session this socket started with ended (the password
      // was changed — from this tab too, which already holds a fresh session): come back with
      // a fresh token, resuming from lastSeq. A refresh that fails means signed out for good.
      onStatus('reconnecting');
      try {
        await refresh();
        if (!closed) socket.connect();
      } catch {
        onStatus('offline');
        onAuthFailed();
      }
      return;
    }
    // The server closes the oldest of a user's chat sockets past the per-user
    // cap (connection_closed). Coming back on our own would close another tab's
    // socket in turn, so wait for the user to ask (see reconnect()).
    onStatus(reason === 'io server disconnect' ? 'closed' : 'reconnecting');
  });
  socket.on('connect_error', async (err) => {
    if (closed) return;
    const msg = err && err.message;
    if (msg === 'Forbidden') { onStatus('forbidden'); return; }
    if (msg === 'Authentication failed') {
      if (authRetried) { onStatus('offline'); onAuthFailed(); return; }
      authRetried = true;
      try {
        await refresh();
        if (!closed) socket.connect();
      } catch {
        onStatus('offline');
        onAuthFailed();
      }
      return;
    }
    onStatus('reconnecting');
  });

  socket.onAny((event, payload) => {
    const p = payload || {};
    if (typeof p.seq === 'number' && (lastSeq === null || p.seq > lastSeq)) lastSeq = p.seq;
    // A first connect has nothing to replay: start from the server's last seq.
    // (On a resume the replay that follows chat_ready advances lastSeq itself.)
    if (event === 'chat_ready' && lastSeq === null && typeof p.last_seq === 'number') {
      lastSeq = p.last_seq;
    }
    if (event === 'rate_limited' && typeof p.retry_after === 'number') lastRetryAfter = p.retry_after;
    onEvent(event, p);
  });

  let lastRetryAfter = 1;

  /** Seconds to wait after a rate_limited refusal. */
  function retryAfter(error) {
    if (typeof error.retry_after === 'number') return error.retry_after;
    const m = /wait ([\d.]+) ?s/.exec(error.message || '');
    return m ? Number(m[1]) : lastRetryAfter;
  }

  /**
   * Emits with an ack; resolves to the ack ({ok:false, error} on timeout too).
   * A request refused with rate_limited changed nothing, so it is sent again
   * after the wait the server asks for (send_message is idempotent anyway).
   * `{ untilServed: true }` (history reads) keeps retrying for as long as the
   * server keeps asking to wait: a page the reader scrolled to is never dropped.
   */
  async function request(event, payload, { untilServed = false } = {}) {
    for (let attempt = 0; ; attempt += 1) {
      const ack = await requestOnce(event, payload);
      const err = ack && !ack.ok && ack.error;
      if (!err || err.code !== 'rate_limited' || (attempt >= 4 && !untilServed) || closed) return ack;
      await new Promise((r) => setTimeout(r, Math.min(10, retryAfter(err)) * 1000 + 50));
    }
  }

  function requestOnce(event, payload) {
    return new Promise((resolve) => {
      if (!socket.connected) {
        resolve({ ok: false, error: { code: 'offline', message: 'Not connected.' } });
        return;
      }
      socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, (err, ack) => {
        if (err) resolve({ ok: false, error: { code: 'timeout', message: 'The server did not answer.' } });
        else resolve(ack || { ok: false, error: { code: 'no_ack', message: 'Empty answer.' } });
      });
    });
  }

  return {
    connect() { socket.connect(); },
    async reconnect() {
      try { await refresh(); } catch { /* connect_error handles a dead session */ }
      if (!closed) { onStatus('reconnecting'); socket.connect(); }
    },
    close() { closed = true; socket.disconnect(); },
    request,
    /** Fire-and-forget (typing, mark_read). */
    send(event, payload) { if (socket.connected) socket.emit(event, payload); },
    get connected() { return socket.connected; },
    get lastSeq() { return lastSeq; },
    set lastSeq(v) { lastSeq = v; },
  };
}
