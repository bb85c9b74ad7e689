// Socket.IO connection manager for the /portal namespace. It asks only for `events` (the
// project-level kinds the shell shows); chat traffic reaches the tab once, on /chat/{name}.
// States: "realtime" | "polling" | "reconnecting" | "offline".
import { io } from 'socket.io-client';
import { getAccessToken, refresh } from './api.js';

export function createConnection({ onAuthFailed, events }) {
  const stateListeners = new Set();
  const messageListeners = new Set();
  const lastSeq = new Map(); // project name -> highest seq seen
  let state = navigator.onLine === false ? 'offline' : 'reconnecting';
  let joined = null; // project name we want to be in
  let authRetried = false;
  let closed = false;

  const socket = io('/portal', {
    // A function so every (re)connect sends the current access token.
    auth: (cb) => cb({ token: getAccessToken() }),
    transports: ['polling', 'websocket'],
    autoConnect: false,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 30000,
    randomizationFactor: 0.5,
  });

  function setState(next) {
    if (next === state) return;
    state = next;
    for (const fn of stateListeners) fn(state);
  }

  function transportState() {
    const name = socket.io.engine && socket.io.engine.transport && socket.io.engine.transport.name;
    return name === 'websocket' || name === 'webtransport' ? 'realtime' : 'polling';
  }

  function emitJoin() {
    if (!joined || !socket.connected) return;
    const msg = { project_name: joined };
    if (lastSeq.has(joined)) msg.since_seq = lastSeq.get(joined);
    socket.emit('join_project', msg);
  }

  // A fresh engine is created on every (re)connection: watch its upgrade.
  socket.io.on('open', () => {
    socket.io.engine.on('upgrade', () => {
      if (socket.connected) setState('realtime');
    });
  });
  socket.io.on('reconnect_attempt', () => {
    if (navigator.onLine !== false) setState('reconnecting');
  });
  socket.io.on('reconnect_failed', () => setState('offline'));

  socket.on('connect', () => {
    authRetried = false;
    setState(transportState());
    // Re-join after a reconnect, resuming from the last seq, once the subscription holds.
    if (events) socket.emit('subscribe_to_events', { events: [...events] }, () => emitJoin());
    else emitJoin();
  });

  socket.on('disconnect', async (reason) => {
    if (closed) return;
    setState(navigator.onLine === false ? 'offline' : 'reconnecting');
    if (reason === 'io server disconnect') {
      // The server dropped us (e.g. token expired): refresh, then come back.
      try {
        await refresh();
        socket.connect();
      } catch {
        onAuthFailed();
      }
    }
  });

  socket.on('connect_error', async (err) => {
    if (closed) return;
    if (err && err.message === 'Authentication failed') {
      if (authRetried) {
        setState('offline');
        onAuthFailed();
        return;
      }
      authRetried = true;
      try {
        await refresh();
        socket.connect();
      } catch {
        setState('offline');
        onAuthFailed();
      }
      return;
    }
    setState(navigator.onLine === false ? 'offline' : 'reconnecting');
  });

  socket.onAny((event, payload) => {
    if (payload && typeof payload.seq === 'number' && payload.project_name) {
      noteSeq(payload.project_name, payload.seq);
    }
    for (const fn of messageListeners) fn(event, payload || {});
  });

  const onOffline = () => setState('offline');
  const onOnline = () => {
    if (socket.connected) setState(transportState());
    else {
      setState('reconnecting');
      socket.connect();
    }
  };
  window.addEventListener('offline', onOffline);
  window.addEventListener('online', onOnline);

  function noteSeq(project, seq) {
    if (!(lastSeq.get(project) >= seq)) lastSeq.set(project, seq);
  }

  return {
    get state() { return state; },
    connect() { socket.connect(); },
    close() {
      closed = true;
      window.removeEventListener('offline', onOffline);
      window.removeEventListener('online', onOnline);
      socket.disconnect();
    },
    /** Join a project's room; sinceSeq = last event already shown. */
    join(project, sinceSeq) {
      if (joined && joined !== project && socket.connected) {
        socket.emit('leave_project', { project_name: joined });
      }
      joined = project;
      if (project && typeof sinceSeq === 'number') noteSeq(project, sinceSeq);
      emitJoin();
    },
    leave() {
      if (joined && socket.connected) socket.emit('leave_project', { project_name: joined });
      joined = null;
    },
    noteSeq,
    lastSeq: (project) => lastSeq.get(project),
    onState(fn) { stateListeners.add(fn); return () => stateListeners.delete(fn); },
    onMessage(fn) { messageListeners.add(fn); return () => messageListeners.delete(fn); },
  };
}
