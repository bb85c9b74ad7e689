// A channel: header, virtualised message list, typing indicator, composer,
// and the thread side panel. Owns edit/reply state and the Esc handling.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { messageLink, openChannel } from '../router.js';
import { channelKey, threadKey } from '../chat/store.js';
import { MessageList } from './MessageList.js';
import { TypingIndicator } from './TypingIndicator.js';
import { Composer } from './Composer.js';
import { ThreadPanel } from './ThreadPanel.js';
import { SearchPanel } from './SearchPanel.js';
import { Lightbox } from './Lightbox.js';
import { SearchIcon, UsersIcon } from './Icons.js';
import { ChatHeading } from './ChatHeading.js';
import { MissingChat } from './MissingChat.js';
import { useUploads } from '../chat/useUploads.js';
import { channelLabel, directOf, peerOf } from '../chat/direct.js';

const STATUS_TEXT = {
  connecting: 'Connecting to chat…', reconnecting: 'Reconnecting… messages will catch up.',
  offline: 'Offline.',
  closed: 'Chat was closed here, probably because it is open in too many tabs.',
};

export function ChatView({ chat, project, channel, focusId, members, announce }) {
  const { state, actions } = chat;
  const [thread, setThread] = useState(null);
  const [edit, setEdit] = useState(null);
  const [reply, setReply] = useState(null);
  const [search, setSearch] = useState(false);
  const [image, setImage] = useState(null);
  const [dropping, setDropping] = useState(false);
  const uploads = useUploads(project, announce, state.limits);

  useEffect(() => {
    actions.openChannel(channel);
    setThread(null); setEdit(null); setReply(null); uploads.clear();
    return () => chat.store.setViewing(null);
  }, [channel]);
  // A channel listed only after it was opened here (a direct message opened
  // from a link, a channel just created) loads once it is listed.
  const info = state.channels.find((c) => c.name === channel);
  const listed = useRef(Boolean(info));
  useEffect(() => {
    if (info && !listed.current) actions.openChannel(channel);
    listed.current = Boolean(info);
  }, [Boolean(info)]);

  useEffect(() => {
    const onKey = (e) => {
      if (e.key === 'Escape' && !e.defaultPrevented && thread) { e.preventDefault(); setThread(null); }
      if ((e.ctrlKey || e.metaKey) && e.shiftKey && (e.key === 'F' || e.key === 'f')) {
        e.preventDefault(); setThread(null); setSearch(true);
        requestAnimationFrame(() => { const el = document.getElementById('search-q'); if (el) el.focus(); });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [thread]);
  // The tab says where you are and how many mentions wait: "(3) #general · demo · Huddle".
  const mentions = state.channels.reduce((n, c) => n + (c.mention_count || 0), 0);
  const here = channelLabel(info || channel, state.me && state.me.username);
  useEffect(() => {
    document.title = `${mentions > 0 ? `(${mentions}) ` : ''}${here} · ${project} · Huddle`;
  }, [mentions, here, project]);
  useEffect(() => () => { document.title = 'Huddle'; }, []);
  const hasFiles = (e) => e.dataTransfer && Array.from(e.dataTransfer.types || []).includes('Files');
  const drop = {
    onDragOver: (e) => { if (hasFiles(e) && actions.canWrite()) { e.preventDefault(); setDropping(true); } },
    onDragLeave: (e) => { if (!e.currentTarget.contains(e.relatedTarget)) setDropping(false); },
    onDrop: (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault(); setDropping(false);
      if (actions.canWrite()) uploads.add(e.dataTransfer.files);
    },
  };

  const me = state.me && state.me.username;
  function lastOwnIn(key) {
    const ids = chat.store.list(key).ids;
    for (let i = ids.length - 1; i >= 0; i -= 1) {
      const m = state.messages.get(ids[i]);
      if (m && m.author_name === me && !m.deleted && m.type !== 'command') return m;
    }
    return null;
  }

  const pendingKey = (p) => (p.thread_id ? threadKey(p.thread_id) : channelKey(p.channel));
  const on = useMemo(() => ({
    reply: (m) => setReply(m),
    thread: (m) => { setSearch(false); setThread(m.message_id); },
    openImage: (att) => setImage(att),
    edit: (m) => setEdit(m),
    remove: (m) => actions.remove(m.message_id),
    react: (m, e) => actions.toggleReaction(m.message_id, e),
    pin: (m) => actions.pin(m.message_id, m.pinned),
    retry: (p) => actions.retry(pendingKey(p), p),
    discard: (p) => actions.discard(pendingKey(p), p),
    jump: (m) => openChannel(project, m.channel, m.message_id),
    copyLink: async (m) => {
      try {
        await navigator.clipboard.writeText(messageLink(project, m.channel, m.message_id));
        announce('Link copied');
      } catch {
        announce('Could not copy the link');
      }
    },
  }), [actions, project]);
  const ctx = {
    state, me, on, inThread: false, canWrite: actions.canWrite(), isMaintainer: actions.isMaintainer(),
  };

  if (state.status === 'forbidden') {
    return html`<section class="chat chat-closed"><p class="form-error" role="alert">You are not a member of ${project}, so you cannot read its chat.</p></section>`;
  }
  const direct = directOf(info || channel);
  const peer = direct && peerOf(direct, me);
  const label = channelLabel(info || channel, me);
  if (state.ready && !info) {
    return html`<${MissingChat} key=${channel} chat=${chat} project=${project} channel=${channel} members=${members} />`;
  }
  const note = STATUS_TEXT[state.status];
  const membersOpen = Boolean(state.membersOpen);
  return html`
    <section class=${`chat${dropping ? ' dropping' : ''}`} aria-labelledby="channel-title" data-testid="chat-view"
      onDragOver=${drop.onDragOver} onDragLeave=${drop.onDragLeave} onDrop=${drop.onDrop}>
      <header class="chat-head">
        <${ChatHeading} channel=${channel} peer=${peer} members=${members} state=${state} />
        ${info && info.description && html`<p class="chat-topic muted">${info.description}</p>`}
        <span class="topbar-spacer"></span>
        ${info && info.archived && html`<span class="tag">archived</span>`}
        <button type="button" class="btn btn-icon" aria-label="Search messages" title="Search (Ctrl+Shift+F)"
          aria-pressed=${search ? 'true' : 'false'} data-testid="search-button"
          onClick=${() => { setThread(null); setSearch(!search); }}><${SearchIcon} /></button>
        <button type="button" class="btn btn-icon members-button" aria-label=${peer ? 'Profile' : 'Members'}
          title=${peer ? `About @${peer}` : 'Members'} aria-controls="member-panel" aria-expanded=${membersOpen ? 'true' : 'false'}
          data-testid="members-button" onClick=${() => chat.store.setMembersOpen(!membersOpen)}><${UsersIcon} /></button>
      </header>
      ${note && html`<p class="chat-status" role="status">${note}
        ${state.status === 'closed' && html` <button type="button" class="btn btn-small" onClick=${actions.reconnect}>Reconnect</button>`}</p>`}
      <div class="chat-body">
        <div class="chat-main">
          <${MessageList} key=${channel} chat=${chat} channel=${channel} peer=${peer} ctx=${ctx} focusId=${focusId} />
          <${TypingIndicator} chat=${chat} channel=${channel} />
          <${Composer} chat=${chat} channel=${channel} label=${`Message ${label}`} members=${members}
            edit=${edit} setEdit=${setEdit} reply=${reply} setReply=${setReply} uploads=${uploads}
            lastOwn=${() => lastOwnIn(channelKey(channel))} />
        </div>
        ${thread && html`<${ThreadPanel} key=${thread} chat=${chat} channel=${channel} label=${label} rootId=${thread}
          ctx=${ctx} members=${members} onClose=${() => setThread(null)} lastOwnIn=${lastOwnIn} />`}
        ${search && !thread && html`<${SearchPanel} chat=${chat} project=${project} channels=${state.channels}
          members=${members} onClose=${() => setSearch(false)} />`}
      </div>
      ${dropping && html`<div class="drop-hint" aria-hidden="true">Drop files to attach them</div>`}
      ${image && html`<${Lightbox} att=${image} onClose=${() => setImage(null)} />`}
    </section>`;
}
