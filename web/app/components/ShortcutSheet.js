// Ctrl+/ opens a dialog listing every keyboard
// shortcut; Escape or Close shuts it and focus goes back where it was.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { Dialog } from './Dialog.js';

export const SHORTCUTS = [
  ['Anywhere', [
    [['Ctrl', 'K'], 'Switch channel or open a direct message'],
    [['Ctrl', 'Shift', 'F'], 'Search messages'],
    [['Ctrl', '/'], 'Show this list of shortcuts'],
    [['Esc'], 'Close a thread, search, dialog or the unread bar'],
  ]],
  ['Composer', [
    [['Enter'], 'Send'],
    [['Shift', 'Enter'], 'New line'],
    [['↑'], 'Edit your last message (in an empty box)'],
    [['Esc'], 'Cancel an edit or a reply'],
    [['/'], 'Commands'],
    [['@'], 'Mention someone'],
    [[':'], 'Emoji by name'],
  ]],
  ['Message list', [
    [['Tab'], 'Go to the messages (one stop), then on to the composer'],
    [['↑'], 'Previous message'],
    [['↓'], 'Next message'],
    [['Home'], 'First loaded message'],
    [['End'], 'Latest message'],
    [['Enter'], "Open the message's actions (← → move along them)"],
    [['E'], 'Edit your message'],
    [['R'], 'Reply'],
    [['T'], 'Open the thread'],
    [['Esc'], 'Back to the composer'],
  ]],
];

export function ShortcutSheet() {
  const [open, setOpen] = useState(null); // the element focus returns to, when open
  useEffect(() => {
    const onKey = (e) => {
      if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === '/' || e.code === 'Slash')) {
        e.preventDefault();
        setOpen((o) => (o ? null : document.activeElement || document.body));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  if (!open) return null;
  const close = () => {
    const back = open;
    setOpen(null);
    requestAnimationFrame(() => { if (back && back.focus && document.contains(back)) back.focus(); });
  };
  return html`
    <${Dialog} title="Keyboard shortcuts" onClose=${close} testId="shortcut-sheet" className="shortcut-sheet">
      ${SHORTCUTS.map(([group, rows]) => html`
        <section class="shortcut-group" key=${group}>
          <h3>${group}</h3>
          <dl>
            ${rows.map(([keys, what]) => html`
              <div class="shortcut" key=${what}>
                <dt>${keys.map((k, i) => html`${i > 0 ? '+' : ''}<kbd>${k}</kbd>`)}</dt>
                <dd>${what}</dd>
              </div>`)}
          </dl>
        </section>`)}
    <//>`;
}
