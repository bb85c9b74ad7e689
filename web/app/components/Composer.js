// Message composer: Enter sends, Shift+Enter adds a line, Up in an empty box
// edits your last message, Esc cancels an edit/reply. Slash-command and
// @mention suggestions, emoji, a preview toggle and typing notifications.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { COMMANDS } from '../chat/commands.js';
import { Autocomplete, suggest } from './Autocomplete.js';
import { useEmojiData } from '../chat/emojiData.js';
import { EmojiPicker } from './EmojiPicker.js';
import { MarkdownPreview } from './MarkdownPreview.js';
import { UploadList } from './UploadList.js';
import { CloseIcon, EyeIcon, PaperclipIcon, SmileIcon } from './Icons.js';

const MAX = 2000;
const TYPING_EVERY_MS = 3000;
let seq = 0;

export function Composer(props) {
  const { chat, channel, threadId, label, members, edit, setEdit, reply, setReply, lastOwn, uploads } = props;
  const { actions } = chat;
  const [text, setText] = useState('');
  const [ac, setAc] = useState(null);
  const [emoji, setEmoji] = useState(false);
  const [preview, setPreview] = useState(false);
  const [error, setError] = useState('');
  const ta = useRef(null);
  const fileRef = useRef(null);
  const typingAt = useRef(0);
  const ids = useRef(null);
  if (!ids.current) { seq += 1; ids.current = { ac: `ac-${seq}`, help: `composer-help-${seq}` }; }
  const canWrite = actions.canWrite();
  // The emoji data set loads on first use: the picker or a typed ':'.
  const emojiData = useEmojiData(emoji || text.includes(':'));
  useEffect(() => {
    const el = ta.current;
    if (emojiData && el && document.activeElement === el) setAc(suggest(el.value, el.selectionStart, { commands: COMMANDS, members, emoji: emojiData }));
  }, [emojiData]);

  useLayoutEffect(() => {
    if (edit) { setText(edit.content); setAc(null); if (setReply) setReply(null); }
    if (edit || reply) focus();
  }, [edit, reply]);
  useEffect(() => () => stopTyping(), [channel, threadId]);

  function focus() { requestAnimationFrame(() => ta.current && ta.current.focus()); }
  function stopTyping() {
    if (typingAt.current) { typingAt.current = 0; actions.typing(channel, false); }
  }
  function noteTyping(v) {
    if (!v.trim() || v.startsWith('/') || edit) { stopTyping(); return; }
    const now = Date.now();
    if (now - typingAt.current >= TYPING_EVERY_MS) { typingAt.current = now; actions.typing(channel, true); }
  }
  function onInput(e) {
    const v = e.currentTarget.value;
    setText(v);
    setError('');
    setAc(suggest(v, e.currentTarget.selectionStart, { commands: COMMANDS, members, emoji: emojiData }));
    noteTyping(v);
  }
  function pick(i) {
    const it = ac.items[i];
    if (it.picked) it.picked();
    const v = text.slice(0, ac.start) + it.value + text.slice(ac.end);
    setText(v);
    setAc(null);
    const caret = ac.start + it.value.length;
    requestAnimationFrame(() => { if (ta.current) { ta.current.focus(); ta.current.setSelectionRange(caret, caret); } });
  }
  function insert(s) {
    const el = ta.current;
    const a = el ? el.selectionStart : text.length;
    const b = el ? el.selectionEnd : text.length;
    setText(text.slice(0, a) + s + text.slice(b));
    setEmoji(false);
    requestAnimationFrame(() => { if (el) { el.focus(); el.setSelectionRange(a + s.length, a + s.length); } });
  }
  function cancel() { setEdit(null); setText(''); }

  const files = uploads && !edit ? uploads.ids : [];
  async function submit() {
    const body = text.trim();
    if (uploads && !edit && uploads.busy) { setError('Wait for the uploads to finish.'); return; }
    if (!body && !files.length) return;
    if (text.length > MAX) { setError(`Messages can be at most ${MAX} characters.`); return; }
    stopTyping();
    setAc(null);
    setPreview(false);
    if (edit) {
      if (await actions.edit(edit.message_id, text)) cancel();
      return;
    }
    actions.send(text, { channel, threadId, replyTo: reply ? reply.message_id : null, attachments: files });
    setText('');
    if (uploads) uploads.clear();
    if (setReply) setReply(null);
  }

  function onPaste(e) {
    if (!uploads || edit || !e.clipboardData) return;
    const imgs = Array.from(e.clipboardData.files || []).filter((f) => f.type.startsWith('image/'));
    if (imgs.length) { e.preventDefault(); uploads.add(imgs); }
  }

  function onKeyDown(e) {
    if (ac) {
      const n = ac.items.length;
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        setAc({ ...ac, index: (ac.index + (e.key === 'ArrowDown' ? 1 : n - 1)) % n });
        return;
      }
      if (e.key === 'Tab' || (e.key === 'Enter' && !e.shiftKey)) { e.preventDefault(); pick(ac.index); return; }
      if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); setAc(null); return; }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); submit(); return; }
    if (e.key === 'ArrowUp' && text === '' && !edit && lastOwn) {
      const m = lastOwn();
      if (m) { e.preventDefault(); setEdit(m); }
      return;
    }
    if (e.key === 'Escape' && (edit || reply)) {
      e.preventDefault();
      e.stopPropagation();
      if (edit) cancel(); else setReply(null);
    }
  }

  if (!canWrite) {
    return html`<div class="composer composer-readonly"><p class="muted" data-testid="read-only">You can read this channel but not write in it. Ask a maintainer to make you a contributor.</p></div>`;
  }
  const rows = Math.min(10, Math.max(1, text.split('\n').length));
  return html`
    <form class=${`composer${edit ? ' editing' : ''}`} onSubmit=${(e) => { e.preventDefault(); submit(); }}
      data-testid=${threadId ? 'thread-composer' : 'composer'}>
      ${edit && html`<div class="composer-banner" role="status">Editing message — Enter to save, Esc to cancel
        <button type="button" class="btn btn-small" onClick=${cancel}>Cancel</button></div>`}
      ${reply && !edit && html`<div class="composer-banner" role="status">Replying to <strong>@${reply.author_name}</strong>
        <button type="button" class="btn btn-small" aria-label="Cancel reply" title="Cancel reply (Esc)" onClick=${() => setReply(null)}><${CloseIcon} size=${14} /></button></div>`}
      ${preview && html`<${MarkdownPreview} text=${text} actions=${actions} />`}
      ${uploads && !edit && html`<${UploadList} uploads=${uploads} />`}
      <${Autocomplete} id=${ids.current.ac} ac=${ac} onPick=${pick} />
      <div class="composer-row">
        ${uploads && !edit && html`<button type="button" class="btn btn-icon" aria-label="Attach files" title="Attach files (or paste or drop)"
          disabled=${uploads.full} onClick=${() => fileRef.current && fileRef.current.click()}><${PaperclipIcon} /></button>
          <input type="file" multiple hidden ref=${fileRef} data-testid="file-input"
            onChange=${(e) => { uploads.add(e.currentTarget.files); e.currentTarget.value = ''; focus(); }} />`}
        <label class="visually-hidden" for=${`${ids.current.ac}-input`}>${label}</label>
        <textarea id=${`${ids.current.ac}-input`} ref=${ta} class="composer-input" rows=${rows} value=${text}
          placeholder=${label} onInput=${onInput} onPaste=${onPaste} onKeyDown=${onKeyDown} onBlur=${stopTyping}
          aria-describedby=${ids.current.help} aria-autocomplete="list" aria-controls=${ac ? ids.current.ac : undefined}
          aria-activedescendant=${ac ? `${ids.current.ac}-${ac.index}` : undefined}></textarea>
        <button type="button" class="btn btn-icon" aria-label="Insert emoji" aria-expanded=${emoji ? 'true' : 'false'}
          title="Insert emoji" onClick=${() => setEmoji(!emoji)}><${SmileIcon} /></button>
        <button type="button" class="btn btn-icon" aria-label="Preview" aria-pressed=${preview ? 'true' : 'false'} title="Show a preview"
          onClick=${() => setPreview(!preview)}><${EyeIcon} /></button>
        <button type="submit" class="btn btn-primary composer-send" disabled=${!text.trim() && !files.length}>${edit ? 'Save' : 'Send'}</button>
      </div>
      ${emoji && html`<${EmojiPicker} className="picker-composer" label="Insert emoji" onPick=${insert} onClose=${() => setEmoji(false)} />`}
      <p class="composer-help muted" id=${ids.current.help}>
        Enter to send, Shift+Enter for a new line, / for commands, @ to mention, : for emoji.
        ${text.length > MAX - 200 && html` <span class=${text.length > MAX ? 'over' : ''}>${text.length}/${MAX}</span>`}
      </p>
      ${error && html`<p class="form-error" role="alert">${error}</p>`}
    </form>`;
}
