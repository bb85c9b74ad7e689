// Chat state of one project: channels, messages (one map for all), ordered
// id lists per channel ("c:<name>") and per thread ("t:<root id>"), pending
// sends, command results, typing and presence. Mutable inside, with a `rev`
// per list and a global `version` so views re-render cheaply.
const TYPING_TTL_MS = 8000;

export const channelKey = (name) => `c:${name}`;
export const threadKey = (id) => `t:${id}`;
export const keyOf = (m) => (m.thread_id ? threadKey(m.thread_id) : channelKey(m.channel));

function newList() {
  return { ids: [], has: new Set(), early: [], hasMore: true, loaded: false, loading: false, rev: 0 };
}

export function createStore() {
  const listeners = new Set();
  const s = {
    version: 0,
    status: 'connecting', // connecting | connected | reconnecting | forbidden | offline
    ready: false,
    role: null,
    me: null,
    channels: [],
    online: [],
    idle: [],
    viewing: null, // channel shown in the main pane
    messages: new Map(),
    lists: new Map(),
    pending: new Map(), // list key -> [{client_id, content, status, error, …}]
    results: new Map(), // command message_id -> command_result
    typing: new Map(), // channel -> Map(username -> expiresAt)
    // channel -> {lastRead, count}: what was unread when the channel was opened
    // (its counts are cleared on opening), for the "NEW" divider.
    unreadMarks: new Map(),
    membersOpen: false, // the member list opened as a drawer (narrow screens, side panels)
  };

  function changed() {
    s.version += 1;
    for (const fn of listeners) fn(s.version);
  }
  function list(key) {
    let l = s.lists.get(key);
    if (!l) { l = newList(); s.lists.set(key, l); }
    return l;
  }
  function bump(key) { const l = s.lists.get(key); if (l) l.rev += 1; }
  function channel(name) { return s.channels.find((c) => c.name === name); }
  /** Remembers what was unread in `c` as it is opened (before its counts are cleared). */
  function markUnread(c) {
    if (c && c.unread_count > 0) {
      s.unreadMarks.set(c.name, { lastRead: c.last_read_message_id || null, count: c.unread_count });
    }
  }

  /** Replaces a known message (edit, delete, pin, reactions…). */
  function put(m) {
    const prev = s.messages.get(m.message_id);
    s.messages.set(m.message_id, prev ? { ...prev, ...m } : m);
    bump(keyOf(m));
  }

  /** Appends a live message to its list when that list is loaded. */
  function append(m) {
    const key = keyOf(m);
    const l = s.lists.get(key);
    s.messages.set(m.message_id, m);
    dropPending(key, m.client_id);
    if (l && !l.loaded && l.loading) { l.early.push(m.message_id); return; }
    if (!l || !l.loaded || l.has.has(m.message_id)) { bump(key); return; }
    l.ids.push(m.message_id);
    l.has.add(m.message_id);
    l.rev += 1;
  }

  function dropPending(key, clientId) {
    if (!clientId) return;
    const arr = s.pending.get(key);
    if (!arr) return;
    const next = arr.filter((p) => p.client_id !== clientId);
    if (next.length !== arr.length) { s.pending.set(key, next); bump(key); }
  }

  return {
    state: s,
    list,
    channel,
    subscribe(fn) { listeners.add(fn); return () => listeners.delete(fn); },
    changed,
    setStatus(st) { s.status = st; changed(); },
    setViewing(name) {
      s.viewing = name;
      const c = channel(name);
      s.unreadMarks.clear();
      markUnread(c);
      if (c) { c.unread_count = 0; c.mention_count = 0; }
      changed();
    },
    ready(p) {
      s.ready = true;
      s.role = p.role;
      s.me = p.me;
      s.limits = p.limits || null; // {max_file_bytes, max_attachments, max_message_chars}
      s.online = p.online || [];
      s.idle = p.idle || [];
      markUnread((p.channels || []).find((c) => c.name === s.viewing));
      s.channels = (p.channels || []).map((c) => (c.name === s.viewing ? { ...c, unread_count: 0, mention_count: 0 } : c));
      changed();
    },
    setChannels(chs) {
      // Direct messages the list does not carry (they came from chat_ready or
      // channel_created) stay.
      const kept = s.channels.filter((c) => c.direct && !chs.some((x) => x.name === c.name));
      s.channels = chs.concat(kept).map((c) => (c.name === s.viewing ? { ...c, unread_count: 0, mention_count: 0 } : c));
      changed();
    },
    /** Adds a channel (a new direct message) or refreshes a known one, keeping its live counts. */
    upsertChannel(c) {
      const prev = s.channels.find((x) => x.name === c.name || (c.channel_id && x.channel_id === c.channel_id));
      const next = prev ? { ...c, unread_count: prev.unread_count, mention_count: prev.mention_count } : c;
      if (next.name === s.viewing) { next.unread_count = 0; next.mention_count = 0; }
      s.channels = prev ? s.channels.map((x) => (x === prev ? next : x)) : [...s.channels, next];
      changed();
    },
    /** Forget all messages (after resync_required); lists reload on demand. */
    reset() {
      s.messages.clear();
      s.lists.clear();
      s.results.clear();
      changed();
    },
    /** A history page (newest first) goes in front of what the list holds. */
    page(key, messages, hasMore) {
      const l = list(key);
      const older = [];
      for (let i = messages.length - 1; i >= 0; i -= 1) {
        const m = messages[i];
        if (!s.messages.has(m.message_id)) s.messages.set(m.message_id, m);
        if (!l.has.has(m.message_id)) { older.push(m.message_id); l.has.add(m.message_id); }
      }
      l.ids = older.concat(l.ids);
      if (!l.loaded) {
        // Live messages that arrived while the first page was on its way.
        for (const id of l.early) if (!l.has.has(id)) { l.ids.push(id); l.has.add(id); }
        l.early = [];
      }
      l.hasMore = hasMore;
      l.loaded = true;
      l.loading = false;
      l.rev += 1;
      changed();
    },
    setLoading(key, v) { list(key).loading = v; changed(); },
    setMembersOpen(v) { s.membersOpen = v; changed(); },
    addPending(key, item) {
      s.pending.set(key, [...(s.pending.get(key) || []), item]);
      bump(key); changed();
    },
    updatePending(key, clientId, patch) {
      const arr = s.pending.get(key) || [];
      s.pending.set(key, arr.map((p) => (p.client_id === clientId ? { ...p, ...patch } : p)));
      bump(key); changed();
    },
    removePending(key, clientId) { dropPending(key, clientId); changed(); },
    /** Our own send was acknowledged: the message replaces the pending one. */
    sent(m) { append(m); changed(); },
    put(m) { put(m); changed(); },
    /** Applies one server event; returns the message when it is a new one. */
    apply(event, p) {
      switch (event) {
        case 'message_received': {
          const fresh = !s.messages.has(p.message_id);
          append(p);
          stopTyping(p.channel, p.author_name);
          const c = !p.thread_id && channel(p.channel);
          const mine = s.me && p.author_name === s.me.username;
          if (fresh && c && !mine && p.channel !== s.viewing) {
            c.unread_count = (c.unread_count || 0) + 1;
            if (s.me && (p.mentions || []).includes(s.me.username)) c.mention_count = (c.mention_count || 0) + 1;
            s.channels = [...s.channels];
          }
          if (c) c.last_message_at = p.timestamp;
          changed();
          return fresh ? p : null;
        }
        case 'message_updated':
        case 'message_deleted':
          put(p); changed(); return null;
        case 'reaction_updated': {
          const m = s.messages.get(p.message_id);
          if (m) put({ ...m, reactions: p.reactions || [] });
          changed(); return null;
        }
        case 'thread_updated': {
          const m = s.messages.get(p.thread_id);
          if (m) {
            put({ ...m, thread: { reply_count: p.message_count, last_reply_at: p.last_message_at, participants: p.participants || [] } });
          }
          changed(); return null;
        }
        case 'command_result': {
          s.results.set(p.message_id, p);
          const m = s.messages.get(p.message_id);
          if (m) bump(keyOf(m));
          changed(); return null;
        }
        case 'presence':
          s.online = p.online || []; s.idle = p.idle || []; changed(); return null;
        case 'member_added':
        case 'member_role_changed':
        case 'member_removed':
          // A change of one's own role reaches the composer, buttons and dialogs at once.
          if (s.me && (p.username === s.me.username || (p.user_id && p.user_id === s.me.user_id))) {
            s.role = event === 'member_removed' ? null : p.role;
            changed();
          }
          return null;
        case 'typing_start': {
          if (s.me && p.username === s.me.username) return null;
          if (!s.typing.has(p.channel)) s.typing.set(p.channel, new Map());
          s.typing.get(p.channel).set(p.username, Date.now() + TYPING_TTL_MS);
          changed(); return null;
        }
        case 'typing_stop':
          stopTyping(p.channel, p.username); changed(); return null;
        default:
          return null;
      }
    },
    /** Who is typing in a channel now (expired entries dropped). */
    typers(name) {
      const m = s.typing.get(name);
      if (!m) return [];
      const now = Date.now();
      for (const [u, t] of m) if (t <= now) m.delete(u);
      return [...m.keys()];
    },
  };

  function stopTyping(name, username) {
    const m = s.typing.get(name);
    if (m) m.delete(username);
  }
}
