// Helpers for the browser test: start/stop the real server, REST calls,
// and a Chromium launched through playwright-core.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const screenshotDir = path.join(repoRoot, 'target', 'e2e-screenshots');

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run'];

export const huddleBin = () => process.env.HUDDLE_BIN || path.join(repoRoot, 'target', 'debug', 'huddle');

/** Starts the server; `env` adds variables (e.g. `HUDDLE_REALTIME__EVENTS_PER_SECOND`) to its environment. */
export async function startServer({ timeoutMs = 60000, env = {} } = {}) {
  const bin = huddleBin();
  if (!existsSync(bin)) throw new Error(`server binary not found: ${bin} (set HUDDLE_BIN)`);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'huddle-e2e-'));
  const adminPassword = randomBytes(18).toString('base64url');
  const child = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir], {
    env: { ...process.env, HUDDLE_ADMIN_PASSWORD: adminPassword, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);

  let log = '';
  const ANSI = /\x1b\[[0-9;]*m/g;
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not report "listening on" within ${timeoutMs} ms\n${log}`)), timeoutMs);
    const bufs = { stdout: '', stderr: '' };
    const watch = (name) => (chunk) => {
      const text = chunk.toString().replace(ANSI, '');
      log += text;
      bufs[name] += text;
      // The contract says stdout; stderr is watched too so a misrouted log line
      // gives a clear message instead of a timeout.
      const m = /listening on (http:\/\/[^\s"',]+)/.exec(bufs[name]);
      if (!m) return;
      clearTimeout(timer);
      if (name !== 'stdout') process.stderr.write('note: "listening on" came on stderr, not stdout\n');
      resolve(m[1].replace(/\/$/, ''));
    };
    child.stdout.on('data', watch('stdout'));
    child.stderr.on('data', watch('stderr'));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited early (code ${code}, signal ${signal})\n${log}`));
    });
  }).catch(async (err) => {
    process.off('exit', killOnExit);
    child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  });

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
  return { url, adminPassword, dataDir, stop, log: () => log, pid: child.pid };
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

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
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
  await page.getByTestId('chat-view').waitFor({ timeout: 20000 });
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
  await page.getByTestId('user-menu-button').waitFor({ timeout: 20000 });
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
 * `token`, `concurrency` at a time; resolves to the acks in order. With
 * `keepOpen` the socket stays connected (the user stays online) until
 * `page.evaluate(() => window.__heldSockets.forEach((s) => s.close()))`.
 */
export function socketCalls(page, token, calls, { project = 'demo', concurrency = 1, keepOpen = false } = {}) {
  return page.evaluate(async ({ t, list, proj, n, keep }) => {
    const { io } = await import('socket.io-client');
    const s = io(`/chat/${proj}`, { auth: { token: t }, forceNew: true, transports: ['websocket'] });
    await new Promise((r, j) => { s.once('chat_ready', r); s.once('connect_error', j); });
    const acks = new Array(list.length);
    let next = 0;
    const worker = async () => {
      while (next < list.length) {
        const i = next;
        next += 1;
        acks[i] = await s.emitWithAck(list[i][0], list[i][1]);
      }
    };
    await Promise.all(Array.from({ length: n }, worker));
    if (keep) (window.__heldSockets ||= []).push(s); else s.close();
    return acks;
  }, { t: token, list: calls, proj: project, n: concurrency, keep: keepOpen });
}
