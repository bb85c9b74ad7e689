// Helpers for the browser test: start/stop the real server, REST calls,
// and a Chromium launched through playwright-core.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const screenshotDir = path.join(repoRoot, 'target', 'e2e-screenshots');

/**
 * The one wait budget of the suite (ms), from `E2E_WAIT_MS`: how long any wait for something
 * to show, arrive or answer may take before the test fails. Generous, so a loaded machine is
 * slow but never wrong; raise it rather than adding sleeps.
 */
export const WAIT_MS = Number(process.env.E2E_WAIT_MS) > 0 ? Number(process.env.E2E_WAIT_MS) : 30000;
/** `WAIT_MS` as Playwright options: `locator.waitFor(WAIT)`, `{ state: 'detached', ...WAIT }`. */
export const WAIT = { timeout: WAIT_MS };

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run'];

export const huddleBin = () => process.env.HUDDLE_BIN || path.join(repoRoot, 'target', 'debug', 'huddle');

/** The only variables a test server inherits: no `DATABASE_URL`, `REDIS_URL` or `HUDDLE_*`. */
const INHERITED = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TMPDIR', 'TZ', 'RUST_BACKTRACE'];

/**
 * Budgets lifted for every test server unless it asks for `limits: 'default'`: setup traffic
 * (60 or 5,000 messages, history pages, uploads) never races a limit. Tests about a limit start
 * their server with the production values and assert the limiter's answer.
 */
export const LIFTED_LIMITS = {
  HUDDLE_REALTIME__EVENTS_PER_SECOND: '100000',
  HUDDLE_REALTIME__EVENTS_PER_MINUTE: '1000000',
  HUDDLE_REALTIME__READS_PER_SECOND: '100000',
  HUDDLE_REALTIME__READS_PER_MINUTE: '1000000',
  HUDDLE_ATTACHMENTS__UPLOADS_PER_MINUTE: '0', // 0: no limit
  HUDDLE_ATTACHMENTS__UPLOAD_BYTES_PER_MINUTE: '0',
};

/** Lines of each server's log kept in memory, and how many of them a failed run prints. */
const LOG_KEEP = 2000;
const LOG_TAIL = 60;
const servers = [];

// A failed test file prints the end of every server log it started (the tests' own output says
// which test failed) and keeps the whole logs in target/e2e-logs/. `exit` also covers a failing
// `before` hook and a file ended by `--test-timeout` (whose runner stops listening: only the
// files are left then).
export const logDir = path.join(repoRoot, 'target', 'e2e-logs');
process.on('exit', (code) => {
  if (!code && !process.exitCode) return;
  const file = path.basename(process.argv[1] || 'test').replace(/\.test\.mjs$/, '');
  servers.forEach((s, i) => {
    const saved = path.join(logDir, `${file}-server-${i + 1}.log`);
    try {
      mkdirSync(logDir, { recursive: true });
      writeFileSync(saved, `${s.lines.join('\n')}\n`);
    } catch { /* the tail below is what matters */ }
    const lines = s.lines.slice(-LOG_TAIL);
    process.stderr.write(`\n--- last ${lines.length} lines of the log of the server at ${s.url || '(not started)'}`
      + ` (all of it: ${saved}) ---\n${lines.join('\n')}\n--- end of server log ---\n`);
  });
});

// `node --test --test-timeout` ends a file that runs too long with SIGTERM; Playwright's own
// SIGTERM handler only closes the browsers, and the server's pipes would keep this process (and
// so the runner waiting for it) alive. Exit instead: the `exit` hooks stop the servers and print
// their logs.
process.once('SIGTERM', () => {
  process.stderr.write('SIGTERM (the test timed out?): stopping the test servers\n');
  process.exit(1);
});

/**
 * Starts the server with a clean environment (see `INHERITED`), the budgets lifted (see
 * `LIFTED_LIMITS`; `limits: 'default'` keeps the production ones) and `env` on top (e.g.
 * `HUDDLE_REALTIME__PING_INTERVAL_SECS`).
 */
export async function startServer({ timeoutMs = 60000, env = {}, limits = 'lifted' } = {}) {
  if (limits !== 'lifted' && limits !== 'default') throw new Error(`limits: 'lifted' or 'default', not ${limits}`);
  const bin = huddleBin();
  if (!existsSync(bin)) throw new Error(`server binary not found: ${bin} (set HUDDLE_BIN)`);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'huddle-e2e-'));
  const adminPassword = randomBytes(18).toString('base64url');
  const base = Object.fromEntries(INHERITED.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]));
  if (process.env.E2E_RUST_LOG) base.RUST_LOG = process.env.E2E_RUST_LOG;
  const child = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir], {
    env: { ...base, ...(limits === 'lifted' ? LIFTED_LIMITS : {}), HUDDLE_ADMIN_PASSWORD: adminPassword, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killOnExit = () => {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.on('exit', killOnExit);

  const record = { url: null, lines: [] };
  servers.push(record);
  let partial = '';
  const ANSI = /\x1b\[[0-9;]*m/g;
  const keep = (text) => {
    const parts = (partial + text).split('\n');
    partial = parts.pop();
    record.lines.push(...parts);
    if (record.lines.length > LOG_KEEP) record.lines.splice(0, record.lines.length - LOG_KEEP);
  };
  const log = () => record.lines.join('\n') + (partial ? `\n${partial}` : '');
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not report "listening on" within ${timeoutMs} ms\n${log()}`)), timeoutMs);
    const bufs = { stdout: '', stderr: '' };
    let found = false;
    const watch = (name) => (chunk) => {
      const text = chunk.toString().replace(ANSI, '');
      keep(text);
      if (found) return;
      bufs[name] += text;
      // The contract says stdout; stderr is watched too so a misrouted log line
      // gives a clear message instead of a timeout.
      const m = /listening on (http:\/\/[^\s"',]+)/.exec(bufs[name]);
      if (!m) return;
      found = true;
      bufs.stdout = ''; bufs.stderr = '';
      clearTimeout(timer);
      if (name !== 'stdout') process.stderr.write('note: "listening on" came on stderr, not stdout\n');
      resolve(m[1].replace(/\/$/, ''));
    };
    child.stdout.on('data', watch('stdout'));
    child.stderr.on('data', watch('stderr'));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (code ${code}, signal ${signal})\n${log()}`));
    });
  }).catch(async (err) => {
    process.off('exit', killOnExit);
    child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  });
  record.url = url;

  async function stop() {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    await rm(dataDir, { recursive: true, force: true });
  }
  return { url, adminPassword, dataDir, stop, log, pid: child.pid };
}

/**
 * Polls `check` (sync or async) until it returns a truthy value, which it resolves to; fails
 * after `timeout` (the wait budget) saying `what`. For state outside the page (REST, counters
 * of requests); inside the page use Playwright's own waits.
 */
export async function waitUntil(check, what, { timeout = WAIT_MS, every = 50 } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`waited ${timeout} ms for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** Resolves once `page` has drawn `n` more frames: what a layout change or a scroll settles in. */
export function frames(page, n = 2) {
  return page.evaluate(async (k) => {
    for (let i = 0; i < k; i += 1) await new Promise((r) => requestAnimationFrame(r));
  }, n);
}

/**
 * A screenshot helper for one test file: `shot(page, 'thread')` saves
 * `target/e2e-screenshots/<file>-thread.png`, so files never overwrite each other's.
 */
export function screenshots(moduleUrl) {
  const file = path.basename(fileURLToPath(moduleUrl)).replace(/\.test\.mjs$/, '');
  return async (page, name) => {
    await mkdir(screenshotDir, { recursive: true });
    await page.screenshot({ path: path.join(screenshotDir, `${file}-${name}.png`) });
  };
}

/** Runs `huddle <args…> --data-dir <dir>` against the running server's data. */
async function cli(server, args) {
  try {
    await promisify(execFile)(huddleBin(), [...args, '--data-dir', server.dataDir], { timeout: 60000 });
  } catch (e) {
    const shown = args.map((a, i) => (args[i - 1] === '--password' ? '…' : a)).join(' ');
    throw new Error(`huddle ${shown} failed: ${e.message}\n${e.stdout || ''}${e.stderr || ''}`);
  }
}

/** `huddle user add <name> --password <pw> --data-dir <dir>`. */
export function addUser(server, username, password) {
  return cli(server, ['user', 'add', username, '--password', password]);
}

/** `huddle agent add <name> --role <role> --password <pw> --data-dir <dir>`. */
export function addAgent(server, name, role, password) {
  return cli(server, ['agent', 'add', name, '--role', role, '--password', password]);
}

export async function rest(base, method, urlPath, { body, token } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(base + urlPath, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  return { status: res.status, headers: res.headers, json, text };
}

function expectStatus(r, statuses, what) {
  if (!statuses.includes(r.status)) throw new Error(`${what}: ${r.status} ${r.text}`);
  return r;
}

/** The access token of `username` (the login must succeed). */
export async function loginToken(server, username, password) {
  const r = await rest(server.url, 'POST', '/auth/login', { body: { username, password } });
  return expectStatus(r, [200], `login ${username}`).json.access_token;
}

/** Creates project `name` as the admin holding `token`. */
export async function createProject(server, token, name, description = '') {
  const r = await rest(server.url, 'POST', '/api/projects', { token, body: { name, description } });
  expectStatus(r, [201], `create project ${name}`);
}

/** Adds `username` to `project` with `role` (or changes their role). */
export async function addMember(server, token, project, username, role = 'contributor') {
  const r = await rest(server.url, 'POST', `/api/projects/${project}/members`, { token, body: { username, role } });
  expectStatus(r, [200, 201], `add ${username} to ${project}`);
}

/** Closes the browser and stops the server, echoing its log when E2E_SERVER_LOG is set. */
export async function shutDown(browser, server) {
  if (browser) await browser.close().catch(() => {});
  if (server) {
    await server.stop();
    if (process.env.E2E_SERVER_LOG) process.stderr.write(server.log());
  }
}

/** Chromium; every context it opens waits at most `WAIT_MS` for an action or a wait. */
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    context.setDefaultTimeout(WAIT_MS);
    return context;
  };
  return browser;
}

/** Signs `username` in on a fresh context at `#/p/<project>/c/general`, collecting CSP violations and page errors. */
export async function openChatUser(browser, server, username, password, problems, project = 'demo') {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective}: ${e.blockedURI}`);
    });
  });
  const page = await context.newPage();
  page.on('dialog', (d) => { problems.push(`${username}: dialog "${d.message()}"`); d.dismiss().catch(() => {}); });
  page.on('pageerror', (err) => problems.push(`${username}: page error ${err}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && msg.text().includes('Content Security Policy')) problems.push(`${username}: ${msg.text()}`);
  });
  await page.goto(`${server.url}/#/p/${project}/c/general`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('chat-view').waitFor(WAIT);
  return { context, page };
}

/** A small valid RGB PNG (a gradient), built with zlib. */
export function makePng(width = 48, height = 32) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4); sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 2; // 8-bit RGB
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y += 1) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x += 1) {
      raw[row + 1 + x * 3] = (x * 255) / width; raw[row + 2 + x * 3] = (y * 255) / height; raw[row + 3 + x * 3] = 160;
    }
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * Signs `username` in on a fresh context at `hash` (desktop size unless `viewport`, the OS
 * colour scheme `colorScheme`), collecting CSP violations and page errors in `problems`;
 * resolves once the user menu shows.
 */
export async function signIn(browser, server, username, password, problems, { hash = '#/', viewport, colorScheme } = {}) {
  const context = await browser.newContext({ viewport: viewport || { width: 1280, height: 800 }, colorScheme });
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective}: ${e.blockedURI}`);
    });
  });
  const page = await context.newPage();
  page.on('dialog', (d) => { problems.push(`${username}: dialog "${d.message()}"`); d.dismiss().catch(() => {}); });
  page.on('pageerror', (err) => problems.push(`${username}: page error ${err}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && msg.text().includes('Content Security Policy')) problems.push(`${username}: ${msg.text()}`);
  });
  await page.goto(`${server.url}/${hash}`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('user-menu-button').waitFor(WAIT);
  return { context, page };
}

/** How far the page itself (not a pane inside it) could scroll: 0 when it has no scrollbar. */
export function pageOverflow(page) {
  return page.evaluate(() => ({
    y: document.documentElement.scrollHeight - window.innerHeight,
    x: document.documentElement.scrollWidth - window.innerWidth,
  }));
}

/**
 * Sends `calls` ([event, payload] pairs) on a fresh `/chat/<project>` socket
 * opened inside `page` (the app's own socket.io-client) as the holder of
 * `token`, `concurrency` at a time; resolves to the acks in order. Every wait
 * (the `chat_ready`, each ack) has `timeout` ms and fails at once if the socket
 * is refused or drops, so a lost ack fails the test instead of hanging it. With
 * `keepOpen` the socket stays connected (the user stays online) until
 * `page.evaluate(() => window.__heldSockets.forEach((s) => s.close()))`.
 */
export function socketCalls(page, token, calls, {
  project = 'demo', concurrency = 1, keepOpen = false, timeout = WAIT_MS,
} = {}) {
  return page.evaluate(async ({ t, list, proj, n, keep, ms }) => {
    const { io } = await import('socket.io-client');
    const s = io(`/chat/${proj}`, { auth: { token: t }, forceNew: true, transports: ['websocket'], reconnection: keep });
    let lost;
    const gone = new Promise((_, reject) => { lost = reject; });
    gone.catch(() => {}); // only ever raced
    s.on('connect_error', (e) => lost(new Error(`/chat/${proj} refused the socket: ${e.message}`)));
    s.on('disconnect', (reason) => lost(new Error(`/chat/${proj} socket dropped: ${reason}`)));
    const within = (p, what) => {
      let timer;
      const late = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
      });
      return Promise.race([p, gone, late]).finally(() => clearTimeout(timer));
    };
    try {
      await within(new Promise((r) => s.once('chat_ready', r)), `chat_ready on /chat/${proj}`);
      const acks = new Array(list.length);
      let next = 0;
      const worker = async () => {
        while (next < list.length) {
          const i = next;
          next += 1;
          acks[i] = await within(s.timeout(ms).emitWithAck(list[i][0], list[i][1]), `ack of ${list[i][0]} #${i}`);
        }
      };
      await Promise.all(Array.from({ length: n }, worker));
      if (keep) (window.__heldSockets ||= []).push(s); else s.close();
      return acks;
    } catch (e) {
      s.close();
      throw e;
    }
  }, { t: token, list: calls, proj: project, n: concurrency, keep: keepOpen, ms: timeout });
}

/** The acks that were refused, with their index and error, for `assert.deepEqual(refused(acks), [])`. */
export function refused(acks) {
  return acks.flatMap((a, i) => (a && a.ok ? [] : [{ i, error: a ? a.error : a }]));
}
