// Per-project data for the main pane: project, members, activity, presence.
// Activity = recent events from REST, then live events from the socket.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api.js';

const MAX_EVENTS = 200;
// The activity list shows what happened to the project, not its chat traffic.
export const ACTIVITY = new Set(['project_created', 'member_added', 'member_role_changed', 'member_removed',
  'state_changed', 'channel_created', 'channel_updated']);
const SOCKET_META = new Set(['joined_project', 'user_joined', 'user_left',
  'resync_required', 'error']);

export function fromRest(e) {
  return { seq: e.seq, kind: e.kind, actor: e.actor, at: e.created_at, details: e.payload || {} };
}

export function fromSocket(p) {
  const { seq, kind, actor, timestamp, project_name: _p, ...details } = p;
  return { seq, kind, actor, at: timestamp, details };
}

function merge(list, incoming) {
  const bySeq = new Map(list.map((e) => [e.seq, e]));
  for (const e of incoming) bySeq.set(e.seq, e);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq).slice(-MAX_EVENTS);
}

/** Pages through events after `afterSeq`; returns normalised events and last_seq. */
async function fetchEvents(name, afterSeq) {
  let after = afterSeq;
  let all = [];
  for (let page = 0; page < 20; page += 1) {
    const res = await api.events(name, after, 100);
    all = all.concat((res.events || []).filter((e) => ACTIVITY.has(e.kind)).map(fromRest));
    after = typeof res.last_seq === 'number' ? res.last_seq : after;
    if (!res.has_more || !res.events || res.events.length === 0) break;
  }
  return { events: all.slice(-MAX_EVENTS), lastSeq: after };
}

function presenceFrom(activeUsers) {
  if (Array.isArray(activeUsers)) {
    const names = activeUsers.map((u) => (typeof u === 'string' ? u : u.username)).filter(Boolean);
    return { count: activeUsers.length, names };
  }
  if (typeof activeUsers === 'number') return { count: activeUsers, names: null };
  return null;
}

export function useProjectFeed(conn, name, announce) {
  const [project, setProject] = useState(null);
  const [members, setMembers] = useState(null);
  const [events, setEvents] = useState([]);
  const [presence, setPresence] = useState(null);
  const [error, setError] = useState(null);
  const [missing, setMissing] = useState(false);
  const [attempt, setAttempt] = useState(0); // bumped to load again once we are added
  const reload = useRef(() => {});
  const current = useRef(name);
  current.current = name;

  useEffect(() => {
    setProject(null); setMembers(null); setEvents([]); setPresence(null); setError(null); setMissing(false);
    reload.current = () => {};
    if (!name) { conn.leave(); return undefined; }
    let alive = true;
    const stillHere = () => alive && current.current === name;
    // Unknown, or not ours to see: one clear state instead of endless loading.
    const failed = (e) => {
      if (!stillHere()) return true;
      if (e.status === 404 || e.status === 403) { setMissing(true); conn.leave(); alive = false; return true; }
      setError(e.message);
      return false;
    };

    const loadMembers = () => api.members(name)
      .then((r) => stillHere() && setMembers(r.members || []))
      .catch(failed);
    reload.current = loadMembers;

    const resync = (after) => fetchEvents(name, after)
      .then(({ events: evs, lastSeq }) => {
        if (!stillHere()) return;
        setEvents((list) => merge(list, evs));
        conn.noteSeq(name, lastSeq);
      })
      .catch((e) => stillHere() && setError(e.message));

    api.project(name)
      .then((p) => stillHere() && setProject(p))
      .catch(failed);
    loadMembers();
    fetchEvents(name, 0)
      .then(({ events: evs, lastSeq }) => {
        if (!stillHere()) return;
        setEvents((list) => merge(list, evs));
        conn.join(name, lastSeq); // server replays anything newer than lastSeq
      })
      .catch((e) => {
        if (failed(e)) return;
        conn.join(name);
      });

    const off = conn.onMessage((event, p) => {
      if (p.project_name && p.project_name !== name) return;
      if (event === 'added_to_project') { setAttempt((n) => n + 1); return; }
      if (event === 'joined_project' || event === 'user_joined' || event === 'user_left') {
        const pres = presenceFrom(p.active_users);
        if (pres) setPresence(pres);
        if (event === 'joined_project' && p.current_state) {
          setProject((prev) => (prev ? { ...prev, state: p.current_state } : prev));
        }
        if (event === 'user_joined' && p.username) announce(`${p.username} is online`);
        return;
      }
      if (event === 'resync_required') { resync(conn.lastSeq(name) ?? 0); return; }
      if (event === 'error') { announce(p.message || 'The server rejected a request.'); return; }
      if (SOCKET_META.has(event) || typeof p.seq !== 'number') return;
      if (ACTIVITY.has(event)) setEvents((list) => merge(list, [fromSocket({ ...p, kind: event })]));
      if (event === 'member_added' || event === 'member_removed' || event === 'member_role_changed') loadMembers();
      if (event === 'state_changed' && p.state) {
        setProject((prev) => (prev ? { ...prev, state: p.state } : prev));
      }
    });
    return () => { alive = false; off(); };
  }, [conn, name, attempt]);

  const reloadMembers = useCallback(() => reload.current(), []);
  return { project, members, events, presence, error, missing, reloadMembers };
}
