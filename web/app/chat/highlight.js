// A tiny syntax highlighter for code blocks: comments, strings, numbers and
// keywords. Works on text and builds DOM nodes (never HTML strings), and adds
// a Copy button to every `pre > code` inside a message.
const KEYWORDS = new Set(('as async await break case catch class const continue def default del do elif else '
  + 'enum export extends false fn for from function if impl import in interface let loop match mod mut '
  + 'new nil None null or and not pass pub raise return self Self static struct super switch this throw '
  + 'trait true True False try type typeof undefined use var void where while with yield').split(' '));

const HASH_COMMENT = new Set(['py', 'python', 'sh', 'bash', 'shell', 'yaml', 'yml', 'toml', 'rb', 'ruby']);
const TOKEN = /(\/\/[^\n]*|\/\*[\s\S]*?\*\/)|(#[^\n]*)|("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`)|(\b\d[\d_]*(?:\.\d+)?\b)|([A-Za-z_][A-Za-z0-9_]*)/g;

export function tokens(text, lang) {
  const out = [];
  const hash = HASH_COMMENT.has(lang);
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    let kind = null;
    if (m[1] && !hash) kind = 'comment';
    else if (m[2] && hash) kind = 'comment';
    else if (m[3]) kind = 'string';
    else if (m[4]) kind = 'number';
    else if (m[5] && KEYWORDS.has(m[5])) kind = 'keyword';
    if (!kind) continue;
    if (m.index > last) out.push([null, text.slice(last, m.index)]);
    out.push([kind, m[0]]);
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push([null, text.slice(last)]);
  return out;
}

function highlight(code) {
  const lang = ((/language-([\w+-]+)/.exec(code.className) || [])[1] || '').toLowerCase();
  const text = code.textContent;
  const frag = document.createDocumentFragment();
  for (const [kind, part] of tokens(text, lang)) {
    if (!kind) { frag.append(part); continue; }
    const span = document.createElement('span');
    span.className = `tok-${kind}`;
    span.textContent = part;
    frag.append(span);
  }
  code.replaceChildren(frag);
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
    highlight(code);
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
