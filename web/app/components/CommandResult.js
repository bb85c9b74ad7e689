// The answer to a /command, shown under the command message.
import { html } from '../html.js';

function resultBody(result) {
  if (result == null) return null;
  if (typeof result === 'string') return html`<p class="cmd-text">${result}</p>`;
  if (Array.isArray(result.commands)) {
    return html`
      <ul class="cmd-list">
        ${result.commands.map((c) => html`<li key=${c.name}><code>${c.usage || c.name}</code> — ${c.description}</li>`)}
      </ul>`;
  }
  if (typeof result.text === 'string') return html`<p class="cmd-text">${result.text}</p>`;
  return html`<pre class="cmd-json">${JSON.stringify(result, null, 2)}</pre>`;
}

export function CommandResult({ result }) {
  if (!result) return html`<p class="cmd-result cmd-waiting muted">Running command…</p>`;
  // Only a slow command says how long it took ("took 1.2 s"); a quick one says nothing.
  const t = result.execution_time;
  const took = typeof t === 'number' && t >= 1000 ? `took ${(t / 1000).toFixed(1)} s` : '';
  if (!result.success) {
    return html`
      <div class="cmd-result cmd-error" role="status" data-testid="command-result">
        <p><strong>${result.command || 'Command'} failed:</strong> ${result.error || 'Unknown error'}</p>
        ${result.hint && html`<p class="muted">${result.hint}</p>`}
      </div>`;
  }
  return html`
    <div class="cmd-result cmd-ok" role="status" data-testid="command-result">
      <p class="cmd-head"><strong>${result.command}</strong>${took && html` <span class="muted">${took}</span>`}</p>
      ${resultBody(result.result)}
    </div>`;
}
