// One message: avatar and author line (group head), reply preview, content
// (or tombstone / pending text), edited marker, command result, reactions,
// thread summary and the hover actions.
import { html } from '../html.js';
import { avatarText, fullTimeOf, hueOf, plainText, timeOf } from '../chat/format.js';
import { MessageContent } from './MessageContent.js';
import { Reactions } from './Reactions.js';
import { CommandResult } from './CommandResult.js';
import { MessageActions } from './MessageActions.js';
import { Attachments } from './Attachments.js';
import { BotIcon, GearIcon, PinIcon, ReplyIcon } from './Icons.js';

function Avatar({ name, type }) {
  const style = { backgroundColor: `hsl(${hueOf(name)} 45% 42%)` };
  const face = type === 'agent' ? html`<${BotIcon} size=${22} />` : type === 'system' ? html`<${GearIcon} size=${22} />` : avatarText(name);
  return html`<span class="avatar" aria-hidden="true" data-kind=${type || 'user'} style=${style}>${face}</span>`;
}

function ReplyPreview({ id, ctx }) {
  const r = ctx.state.messages.get(id);
  const text = !r ? 'Original message not loaded' : r.deleted ? 'message deleted'
    : plainText(r.content_html) || plainText(r.content);
  return html`
    <button type="button" class="reply-preview" onClick=${() => r && ctx.on.jump(r)}
      aria-label=${`Reply to ${r ? r.author_name : 'a message'}: ${text}`}>
      <span aria-hidden="true" class="reply-icon"><${ReplyIcon} size=${14} /></span>
      ${r && html`<strong class="reply-author">@${r.author_name}</strong>`} <span class="reply-text" data-testid="reply-text">${text}</span>
    </button>`;
}

function ThreadSummary({ m, ctx }) {
  const n = m.thread.reply_count;
  const label = `${n} ${n === 1 ? 'reply' : 'replies'}`;
  return html`
    <button type="button" class="thread-summary" data-testid="thread-summary" onClick=${() => ctx.on.thread(m)}>
      ${label}
      ${m.thread.last_reply_at && html`<span class="muted"> · last ${timeOf(m.thread.last_reply_at)}</span>`}
    </button>`;
}

function PendingState({ p, ctx }) {
  if (p.status === 'failed') {
    return html`
      <div class="pending-failed" role="alert">
        <span>Not sent: ${p.error || 'unknown error'}</span>
        <button type="button" class="btn btn-small" onClick=${() => ctx.on.retry(p)}>Retry</button>
        <button type="button" class="btn btn-small" onClick=${() => ctx.on.discard(p)}>Discard</button>
      </div>`;
  }
  return html`<span class="pending-note muted">Sending…</span>`;
}

/** The hover toolbar sits above the message, or below it when that would leave the list. */
function placeActions(e) {
  const art = e.currentTarget;
  const list = art.closest('.msg-scroll, .thread-body');
  if (!list) return;
  const room = art.getBoundingClientRect().top - list.getBoundingClientRect().top;
  art.classList.toggle('actions-below', room < 36);
}

export function MessageItem({ m, head, ctx, focused }) {
  const pending = !m.message_id;
  const me = ctx.me;
  const mine = pending || (me && m.author_name === me);
  const mentioned = me && (m.mentions || []).includes(me);
  const cls = ['msg', head && 'msg-head', mine && 'mine', pending && `pending pending-${m.status}`,
    mentioned && 'mentioned', m.deleted && 'deleted', m.pinned && 'pinned', focused && 'focused',
    m.type === 'command' && 'command'].filter(Boolean).join(' ');
  const author = pending ? me : m.author_name;
  const ts = m.timestamp;
  return html`
    <article class=${cls} data-message-id=${m.message_id || undefined} data-client-id=${m.client_id || undefined}
      aria-label=${`${author}, ${fullTimeOf(ts)}`} tabindex="-1" onPointerEnter=${placeActions} onFocusIn=${placeActions}>
      ${head ? html`<${Avatar} name=${author} type=${m.author_type} />`
        : html`<time class="msg-gutter-time" datetime=${ts} title=${fullTimeOf(ts)}>${timeOf(ts)}</time>`}
      <div class="msg-main">
        ${m.reply_to && html`<${ReplyPreview} id=${m.reply_to} ctx=${ctx} />`}
        ${head && html`
          <div class="msg-meta">
            <strong class="msg-author">${author}</strong>
            ${m.author_type && m.author_type !== 'user' && html`<span class="tag">${m.author_type}</span>`}
            <time datetime=${ts} title=${fullTimeOf(ts)}>${timeOf(ts)}</time>
            ${m.pinned && html`<span class="pin-mark" title="Pinned"><${PinIcon} size=${12} /><span class="visually-hidden">pinned</span></span>`}
          </div>`}
        ${m.deleted ? html`<p class="tombstone" data-testid="tombstone">This message was deleted.</p>`
          : pending ? html`<div class="msg-content msg-plain">${m.content}</div>`
            : html`<${MessageContent} htmlText=${m.content_html} me=${me} edited=${m.edited_at ? fullTimeOf(m.edited_at) : null} />`}
        ${pending && html`<${PendingState} p=${m} ctx=${ctx} />`}
        ${m.type === 'command' && !m.deleted && html`<${CommandResult} result=${ctx.state.results.get(m.message_id)} />`}
        ${!m.deleted && !pending && html`<${Attachments} list=${m.attachments} onOpen=${ctx.on.openImage} />`}
        ${!m.deleted && html`<${Reactions} reactions=${m.reactions} me=${me} disabled=${!ctx.canWrite}
          onToggle=${(e) => ctx.on.react(m, e)} />`}
        ${!ctx.inThread && m.thread && m.thread.reply_count > 0 && html`<${ThreadSummary} m=${m} ctx=${ctx} />`}
      </div>
      ${!pending && html`<${MessageActions} m=${m} mine=${mine} canWrite=${ctx.canWrite}
        isMaintainer=${ctx.isMaintainer} inThread=${ctx.inThread} on=${ctx.on} />`}
    </article>`;
}
