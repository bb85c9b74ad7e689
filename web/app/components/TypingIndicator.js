// "alice is typing…" under the message list; entries expire after 8 s.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';

export function typingText(names) {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  if (names.length === 3) return `${names[0]}, ${names[1]} and ${names[2]} are typing…`;
  return 'Several people are typing…';
}

export function TypingIndicator({ chat, channel }) {
  const names = chat.store.typers(channel);
  const [, tick] = useState(0);
  useEffect(() => {
    if (names.length === 0) return undefined;
    const t = setInterval(() => tick((x) => x + 1), 1000);
    return () => clearInterval(t);
  }, [names.length > 0]);
  return html`<div class="typing" data-testid="typing-indicator">${names.length > 0 && html`
    <span class="typing-dots" aria-hidden="true"><span></span><span></span><span></span></span> ${typingText(names)}`}</div>`;
}
