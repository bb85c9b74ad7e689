// Code blocks in messages: syntax highlighting with highlight.js (vendored
// under /vendor/highlight.js/, loaded with the first code block, each grammar
// with the first block in its language) and a Copy button on every
// `pre > code`. The server sends `<pre><code class="language-x">`; blocks
// without a language we know stay plain. ```diff blocks mark added and removed
// lines and hunks (styles/code.css).
const VENDOR = '/vendor/highlight.js';

// Fence names agents write → the grammar file that reads them.
const GRAMMAR = {
  rust: 'rust', rs: 'rust',
  python: 'python', py: 'python',
  typescript: 'typescript', ts: 'typescript', tsx: 'typescript',
  javascript: 'javascript', js: 'javascript', jsx: 'javascript', mjs: 'javascript', cjs: 'javascript',
  json: 'json', jsonc: 'json',
  toml: 'ini', ini: 'ini',
  yaml: 'yaml', yml: 'yaml',
  bash: 'bash', sh: 'bash', shell: 'bash', zsh: 'bash',
  console: 'shell', shellsession: 'shell',
  go: 'go', golang: 'go',
  sql: 'sql',
  html: 'xml', xml: 'xml', svg: 'xml',
  css: 'css',
  diff: 'diff', patch: 'diff',
  markdown: 'markdown', md: 'markdown',
  dockerfile: 'dockerfile', docker: 'dockerfile',
};

let core = null;
const grammars = new Map();

function loadCore() {
  if (!core) {
    core = import(`${VENDOR}/core.min.js`).then((m) => m.default)
      .catch((e) => { core = null; throw e; });
  }
  return core;
}

/** highlight.js with the grammar for `file` registered (its name is the file name). */
async function withGrammar(file) {
  const hljs = await loadCore();
  if (!grammars.has(file)) {
    grammars.set(file, import(`${VENDOR}/languages/${file}.min.js`).then((m) => {
      hljs.registerLanguage(file, m.default);
      // The shell grammar hands commands to bash.
      if (file === 'shell') return withGrammar('bash');
      return null;
    }).catch((e) => { grammars.delete(file); throw e; }));
  }
  await grammars.get(file);
  return hljs;
}

/** The grammar file for a `language-x` class, or null. */
export function grammarOf(code) {
  const lang = ((/language-([\w+#-]+)/.exec(code.className) || [])[1] || '').toLowerCase();
  return GRAMMAR[lang] || null;
}

/** Highlights one `<code>` in place; resolves once done (false when its language is unknown). */
export async function highlightBlock(code) {
  const file = grammarOf(code);
  if (!file) return false;
  const text = code.textContent;
  const hljs = await withGrammar(file);
  // The message may have been edited or scrolled away meanwhile.
  if (!code.isConnected || code.textContent !== text) return false;
  // highlight.js escapes the text; its output is only <span class="hljs-…">.
  code.innerHTML = hljs.highlight(text, { language: file, ignoreIllegals: true }).value;
  code.classList.add('hljs');
  code.dataset.highlighted = file;
  return true;
}

async function copy(text) {
  try { await navigator.clipboard.writeText(text); return true; } catch { return false; }
}

/** Highlights code blocks and adds Copy buttons (idempotent). */
export function enhanceCode(root) {
  for (const code of root.querySelectorAll('pre > code')) {
    const pre = code.parentElement;
    if (pre.dataset.enhanced) continue;
    pre.dataset.enhanced = '1';
    highlightBlock(code).catch(() => { /* stays plain text */ });
    const btn = document.createElement('button');
    btn.type = 'button';
    btn.className = 'code-copy';
    btn.textContent = 'Copy';
    btn.setAttribute('aria-label', 'Copy code');
    btn.addEventListener('click', async () => {
      const ok = await copy(code.textContent);
      btn.textContent = ok ? 'Copied' : 'Copy failed';
      setTimeout(() => { btn.textContent = 'Copy'; }, 1500);
    });
    pre.classList.add('has-copy');
    pre.prepend(btn);
  }
}

/** Links keep only safe schemes (the server sanitises too; this is a backstop). */
export function guardLinks(root, me) {
  for (const a of root.querySelectorAll('a[href]')) {
    const href = a.getAttribute('href');
    if (!/^(https?:|mailto:|#|\/)/i.test(href)) a.removeAttribute('href');
    else if (/^https?:/i.test(href)) a.target = '_blank';
  }
  for (const span of root.querySelectorAll('.mention')) {
    span.classList.toggle('mention-me', Boolean(me) && span.dataset.mention === me);
  }
}
