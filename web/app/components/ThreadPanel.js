// Thread side panel: the root message, its replies (loaded with
// request_message_history {channel, thread_id}) and a composer that sends
// `thread_reply` messages.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { threadKey } from '../chat/store.js';
import { buildRows } from '../chat/format.js';
import { MessageItem } from './MessageItem.js';
import { Composer } from './Composer.js';
import { CloseIcon } from './Icons.js';

export function ThreadPanel({ chat, channel, label, rootId, ctx, members, onClose, lastOwnIn }) {
  const { state, store, actions } = chat;
  const key = threadKey(rootId);
  const list = store.list(key);
  const root = state.messages.get(rootId);
  const [edit, setEdit] = useState(null);
  const bodyRef = useRef(null);
  const closeRef = useRef(null);

  useEffect(() => { actions.openThread(channel, rootId); }, [channel, rootId, state.ready]);
  useEffect(() => { if (closeRef.current) closeRef.current.focus(); }, [rootId]);
  useLayoutEffect(() => {
    const el = bodyRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [list.rev, rootId]);

  const replies = [];
  for (const id of list.ids) { const m = state.messages.get(id); if (m && !m.deleted) replies.push(m); }
  const rows = buildRows(replies.concat(state.pending.get(key) || [])).filter((r) => r.type === 'msg');
  const tctx = { ...ctx, inThread: true, on: { ...ctx.on, edit: setEdit } };
  const n = root && root.thread ? root.thread.reply_count : replies.length;

  return html`
    <aside class="thread-panel" aria-labelledby="thread-title" data-testid="thread-panel">
      <header class="thread-head">
        <h2 id="thread-title">Thread <span class="muted">${label || `#${channel}`}</span></h2>
        <button type="button" class="btn btn-icon" ref=${closeRef} aria-label="Close thread" title="Close (Esc)" onClick=${onClose}>
          <${CloseIcon} /></button>
      </header>
      <div class="thread-body" ref=${bodyRef} tabindex="0" role="region" aria-label="Thread messages">
        ${root ? html`<div class="thread-root"><${MessageItem} m=${root} head=${true} ctx=${tctx} /></div>`
          : html`<p class="muted">The thread's first message is not loaded.</p>`}
        <p class="thread-count muted">${n} ${n === 1 ? 'reply' : 'replies'}</p>
        ${list.hasMore && list.loaded && html`<button type="button" class="btn btn-small"
          onClick=${() => actions.loadOlderReplies(channel, rootId)}>Load older replies</button>`}
        ${!list.loaded && html`<p class="muted">Loading replies…</p>`}
        ${rows.map((r) => html`<${MessageItem} key=${r.key} m=${r.m} head=${r.head} ctx=${tctx} />`)}
      </div>
      <${Composer} chat=${chat} channel=${channel} threadId=${rootId} label="Reply in thread"
        members=${members} edit=${edit} setEdit=${setEdit} lastOwn=${() => lastOwnIn(key)} />
    </aside>`;
}
