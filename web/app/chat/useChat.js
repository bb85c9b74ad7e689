// One project's chat: the socket, the store and the actions the views use.
const offline = () => Promise.resolve({ ok: false, error: { message: 'Not connected.' } });
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, expireSession } from '../api.js';
import { createChatSocket } from './chatSocket.js';
import { createStore, channelKey, threadKey, keyOf } from './store.js';
import { isDirect } from './direct.js';

const PAGE = 100;
const MAINTAINERS = new Set(['maintainer', 'admin']);
const WRITERS = new Set(['contributor', 'maintainer', 'admin']);

function errorText(ack) {
  const e = (ack && ack.error) || {};
  return [e.message || 'Request failed.', e.hint].filter(Boolean).join(' ');
}
const uuid = () => (crypto.randomUUID ? crypto.randomUUID()
  : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`);
/** The channel object of a channel event, without the event envelope. */
function channelOf(p) {
  const { seq: _s, project_name: _p, kind: _k, actor: _a, timestamp: _t, ...channel } = p;
  return channel;
}
function plain(m) {
  const text = (m.content || '').replace(/\s+/g, ' ').trim();
  return text.length > 140 ? `${text.slice(0, 140)}…` : text;
}
export function useChat(project, { announce }) {
  const store = useMemo(() => (project ? createStore() : null), [project]);
  const [, setVersion] = useState(0);

  const actions = useMemo(() => {
    let sendChain = Promise.resolve();
    if (!store) return null;
    const s = store.state;
    let sock = null;

    const loadChannels = () => api.channels(project)
      .then((r) => store.setChannels(r.channels || []))
      .catch(() => {});

    async function loadPage(key, { channel, threadId, before } = {}) {
      const l = store.list(key);
      if (l.loading) return;
      store.setLoading(key, true);
      const req = { channel, limit: PAGE };
      if (threadId) req.thread_id = threadId;
      if (before) req.before = before;
      // A page refused with rate_limited is asked for again after the wait, never dropped.
    const ack = await sock.request('request_message_history', req, { untilServed: true });
      if (!ack.ok) { store.setLoading(key, false); announce(errorText(ack)); return; }
      store.page(key, ack.messages || [], Boolean(ack.has_more));
    }

    function onEvent(event, p) {
      if (p.project_name && p.project_name !== project) return;
      switch (event) {
        case 'chat_ready':
          store.ready(p);
          // On a resume the replay brings loaded lists up to date.
          if (s.viewing) a.openChannel(s.viewing);
          return;
        case 'resync_required':
          store.reset();
          loadChannels();
          if (s.viewing) a.openChannel(s.viewing);
          return;
        case 'channel_created':
        case 'channel_updated':
          // A direct message only reaches its two participants: take it as is.
          if (p.direct) { store.upsertChannel(channelOf(p)); return; }
          // The event's `kind` is the event name (envelope), not the channel kind:
          // take the channel list from REST instead.
          loadChannels();
          return;
        case 'rate_limited':
          // Requests with an ack are retried by chatSocket; nothing to show.
          return;
        case 'error':
          announce(p.message || 'The server refused a request.');
          return;
        default: {
          const fresh = store.apply(event, p);
          if (!fresh || !s.me || fresh.author_name === s.me.username || fresh.thread_id) return;
          if (fresh.channel === s.viewing) {
            announce(`${fresh.author_name}: ${plain(fresh)}`);
            if (!document.hidden) a.markRead(fresh.channel, fresh.message_id);
          } else if (isDirect(store.channel(fresh.channel))) {
            announce(`New direct message from ${fresh.author_name}`);
          }
        }
      }
    }

    let readTimer = null;
    // Hidden tab → idle, visible again → online (and catch up on reading).
    function onVisibility() {
      if (!sock) return;
      sock.send('set_presence', { status: document.hidden ? 'idle' : 'online' });
      const ids = s.viewing ? store.list(channelKey(s.viewing)).ids : [];
      if (!document.hidden && ids.length) a.markRead(s.viewing, ids[ids.length - 1]);
    }
    const a = {
      start() {
        sock = createChatSocket(project, {
          onEvent,
          onStatus: (st) => store.setStatus(st),
          onAuthFailed: expireSession,
        });
        sock.connect();
        document.addEventListener('visibilitychange', onVisibility);
      },
      stop() {
        clearTimeout(readTimer);
        document.removeEventListener('visibilitychange', onVisibility);
        if (sock) sock.close();
      },
      reconnect() { if (sock) sock.reconnect(); },
      canWrite: () => WRITERS.has(s.role),
      isMaintainer: () => MAINTAINERS.has(s.role),
      openChannel(name) {
        store.setViewing(name);
        const key = channelKey(name);
        const l = store.list(key);
        // Not listed (yet): nothing to load; ChatView asks again once it is.
        if (!sock || !sock.connected || !s.ready || !store.channel(name)) return;
        if (!l.loaded) {
          loadPage(key, { channel: name }).then(() => {
            const ids = store.list(key).ids;
            if (ids.length) a.markRead(name, ids[ids.length - 1]);
          });
        } else if (l.ids.length) a.markRead(name, l.ids[l.ids.length - 1]);
      },
      loadOlder(name) {
        const l = store.list(channelKey(name));
        if (!l.loaded || !l.hasMore || l.loading) return;
        loadPage(channelKey(name), { channel: name, before: l.ids[0] });
      },
      openThread(channel, rootId) {
        const key = threadKey(rootId);
        const l = store.list(key);
        if (!l.loaded && !l.loading) loadPage(key, { channel, threadId: rootId });
      },
      loadOlderReplies(channel, rootId) {
        const l = store.list(threadKey(rootId));
        if (!l.loaded || !l.hasMore || l.loading) return;
        loadPage(threadKey(rootId), { channel, threadId: rootId, before: l.ids[0] });
      },
      markRead(channel, messageId) {
        clearTimeout(readTimer);
        readTimer = setTimeout(() => sock && sock.send('mark_read', { channel, message_id: messageId }), 400);
      },
      async send(content, { channel, threadId, replyTo, attachments } = {}) {
        const item = {
          client_id: uuid(), content, channel, thread_id: threadId || null, attachment_ids: attachments || [],
          reply_to: replyTo || null, status: 'pending', timestamp: new Date().toISOString(),
        };
        const key = threadId ? threadKey(threadId) : channelKey(channel);
        store.addPending(key, item);
        return a.deliver(key, item);
      },
      async deliver(key, item) {
        store.updatePending(key, item.client_id, { status: 'pending', error: null });
        const req = { content: item.content, channel: item.channel, client_id: item.client_id };
        if (item.thread_id) { req.thread_id = item.thread_id; req.type = 'thread_reply'; }
        if (item.reply_to) req.reply_to = item.reply_to;
        if (item.attachment_ids.length) req.attachments = item.attachment_ids;
        // One send at a time, in the order typed: a send held back by the rate limit must not
        // be overtaken by a later one.
        const turn = sendChain.then(() => sock.request('send_message', req));
        sendChain = turn.catch(() => {});
        const ack = await turn;
        if (ack.ok && ack.message) { store.sent(ack.message); return true; }
        store.updatePending(key, item.client_id, { status: 'failed', error: errorText(ack) });
        return false;
      },
      retry(key, item) { return a.deliver(key, item); },
      discard(key, item) { store.removePending(key, item.client_id); },
      async edit(messageId, content) {
        const ack = await sock.request('edit_message', { message_id: messageId, content });
        if (ack.ok && ack.message) store.put(ack.message); else announce(errorText(ack));
        return ack.ok;
      },
      async remove(messageId) {
        const ack = await sock.request('delete_message', { message_id: messageId });
        if (ack.ok && ack.message) store.put(ack.message); else announce(errorText(ack));
      },
      async toggleReaction(messageId, emoji) {
        const m = s.messages.get(messageId);
        const me = s.me && s.me.username;
        const r = m && (m.reactions || []).find((x) => x.emoji === emoji);
        const mine = Boolean(r && me && (r.users || []).includes(me));
        const ack = await sock.request(mine ? 'remove_reaction' : 'add_reaction', { message_id: messageId, emoji });
        if (ack.ok && m) store.put({ ...s.messages.get(messageId), reactions: ack.reactions || [] });
        else if (!ack.ok) announce(errorText(ack));
      },
      async pin(messageId, pinned) {
        const ack = await sock.request(pinned ? 'unpin_message' : 'pin_message', { message_id: messageId });
        if (ack.ok && ack.message) { store.put(ack.message); announce(pinned ? 'Unpinned' : 'Pinned'); } else announce(errorText(ack));
      },
      /** Opens (creates if missing) the direct message with `{agent}` or, for an agent, `{user}`. */
      async openDirect(req) {
        const ack = sock ? await sock.request('open_direct_message', req) : await offline();
        if (ack.ok && ack.channel) { store.upsertChannel(ack.channel); return { channel: ack.channel }; }
        return { error: errorText(ack) };
      },
      search: (req) => (sock ? sock.request('search_messages', req) : offline()),
      preview: (content) => (sock ? sock.request('preview_markdown', { content }) : offline()),
      typing(channel, on) { if (sock) sock.send(on ? 'typing_start' : 'typing_stop', { channel }); },
      keyOf,
    };
    return a;
  }, [store]);

  useEffect(() => {
    if (!store) return undefined;
    const off = store.subscribe(setVersion);
    actions.start();
    return () => { off(); actions.stop(); };
  }, [store]);

  return useMemo(() => (store ? { store, state: store.state, actions } : null), [store]);
}
