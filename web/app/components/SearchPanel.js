// Right-side search panel: a query (debounced), optional channel and author
// filters, results newest first with the server's snippet_html (escaped, hits
// in <mark>). A result opens its deep link, which scrolls to the message.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { fullTimeOf } from '../chat/format.js';
import { openChannel } from '../router.js';
import { channelLabel, directOf } from '../chat/direct.js';
import { CloseIcon } from './Icons.js';

const DEBOUNCE_MS = 250;

export function SearchPanel({ chat, project, channels, members, onClose }) {
  const me = chat.state.me && chat.state.me.username;
  const shown = (c) => (directOf(c) ? channelLabel(c, me) : `# ${typeof c === 'string' ? c : c.name}`);
  const [q, setQ] = useState('');
  const [channel, setChannel] = useState('');
  const [author, setAuthor] = useState('');
  const [res, setRes] = useState({ status: 'idle', results: [], error: '' });
  const input = useRef(null);
  const turn = useRef(0);

  useLayoutEffect(() => { if (input.current) input.current.focus(); }, []);
  useEffect(() => {
    const query = q.trim();
    turn.current += 1;
    const mine = turn.current;
    if (!query) { setRes({ status: 'idle', results: [], error: '' }); return undefined; }
    const t = setTimeout(async () => {
      setRes((r) => ({ ...r, status: 'loading' }));
      const req = { q: query, limit: 25 };
      if (channel) req.channel = channel;
      if (author.trim()) req.author = author.trim();
      const ack = await chat.actions.search(req);
      if (mine !== turn.current) return;
      if (!ack.ok) {
        const e = ack.error || {};
        setRes({ status: 'error', results: [], error: [e.message || 'Search failed.', e.hint].filter(Boolean).join(' ') });
        return;
      }
      const results = (ack.results || []).slice()
        .sort((a, b) => Date.parse(b.message.timestamp) - Date.parse(a.message.timestamp));
      setRes({ status: 'done', results, error: '' });
    }, DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [q, channel, author]);

  function onKeyDown(e) {
    if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); onClose(); }
  }
  const n = res.results.length;
  return html`
    <aside class="search-panel" aria-labelledby="search-title" data-testid="search-panel" onKeyDown=${onKeyDown}>
      <header class="thread-head">
        <h2 id="search-title">Search <span class="muted">${project}</span></h2>
        <button type="button" class="btn btn-icon" aria-label="Close search" title="Close (Esc)" onClick=${onClose}>
          <${CloseIcon} /></button>
      </header>
      <form class="search-form" role="search" onSubmit=${(e) => e.preventDefault()}>
        <label class="visually-hidden" for="search-q">Search messages</label>
        <input id="search-q" ref=${input} type="search" class="input" value=${q} placeholder="Search messages"
          autocomplete="off" onInput=${(e) => setQ(e.currentTarget.value)} />
        <div class="search-filters">
          <label class="visually-hidden" for="search-channel">Channel</label>
          <select id="search-channel" class="input" value=${channel} onChange=${(e) => setChannel(e.currentTarget.value)}>
            <option value="">All channels</option>
            ${channels.map((c) => html`<option key=${c.name} value=${c.name}>${shown(c)}</option>`)}
          </select>
          <label class="visually-hidden" for="search-author">Author</label>
          <input id="search-author" class="input" list="search-authors" value=${author} placeholder="Author"
            autocomplete="off" onInput=${(e) => setAuthor(e.currentTarget.value)} />
          <datalist id="search-authors">${(members || []).map((m) => (typeof m === 'string' ? m : m.username)).map((u) => html`<option key=${u} value=${u} />`)}</datalist>
        </div>
      </form>
      <p class="search-status muted" role="status" aria-live="polite">
        ${res.status === 'loading' ? 'Searching…'
          : res.status === 'done' ? (n ? `${n} ${n === 1 ? 'result' : 'results'}` : 'No messages match.')
            : res.status === 'idle' ? 'Type to search messages in this project.' : ''}
      </p>
      ${res.status === 'error' && html`<p class="form-error" role="alert">${res.error}</p>`}
      <ul class="search-results" aria-label="Search results">
        ${res.results.map(({ message: m, snippet_html: snip }) => html`
          <li key=${m.message_id}>
            <button type="button" class="search-result" data-testid="search-result"
              onClick=${() => openChannel(project, m.channel, m.message_id)}>
              <span class="search-meta"><strong>${shown(m.channel)}</strong> · ${m.author_name}
                <time datetime=${m.timestamp}>${fullTimeOf(m.timestamp)}</time></span>
              <span class="search-snippet" dangerouslySetInnerHTML=${{ __html: snip }}></span>
            </button>
          </li>`)}
      </ul>
    </aside>`;
}
