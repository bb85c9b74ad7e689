// A small popup of common emoji. Arrow keys move, Enter picks, Esc closes.
import { useEffect, useRef } from 'preact/hooks';
import { html } from '../html.js';
import { EMOJI } from '../chat/emoji.js';

const COLS = 8;

export function EmojiPicker({ onPick, onClose, label = 'Pick an emoji', className = '' }) {
  const ref = useRef(null);
  useEffect(() => {
    const opener = document.activeElement;
    const first = ref.current && ref.current.querySelector('button');
    if (first) first.focus();
    const onDown = (e) => { if (ref.current && !ref.current.contains(e.target)) onClose(); };
    document.addEventListener('mousedown', onDown);
    return () => {
      document.removeEventListener('mousedown', onDown);
      if (opener && opener.focus && document.contains(opener)) opener.focus();
    };
  }, []);

  function onKeyDown(e) {
    const buttons = [...ref.current.querySelectorAll('button')];
    const i = buttons.indexOf(document.activeElement);
    const move = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLS, ArrowUp: -COLS }[e.key];
    if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); onClose(); return; }
    if (move && i >= 0) {
      e.preventDefault();
      const next = buttons[Math.min(buttons.length - 1, Math.max(0, i + move))];
      if (next) next.focus();
    }
  }

  return html`
    <div class=${`emoji-picker ${className}`} ref=${ref} role="group" aria-label=${label}
      onKeyDown=${onKeyDown} data-testid="emoji-picker">
      ${EMOJI.map(([e, name]) => html`
        <button key=${e} type="button" class="emoji-btn" aria-label=${name} title=${name}
          onClick=${() => onPick(e)}>${e}</button>`)}
    </div>`;
}
