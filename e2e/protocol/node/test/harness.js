// Shared harness for the Huddle protocol tests: starts a real server process,
// talks REST to it with fetch, creates users with the CLI, and wraps real
// socket.io-client sockets with an event recorder that can be awaited.
//
// Importing it also registers, for the importing test file, a hook that prints the log tail of
// every server still running when a test fails, and it exports `it` with a per-test timeout.
import { it as nodeIt, afterEach } from 'node:test';
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { io } from 'socket.io-client';

const execFileP = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..', '..', '..');

export const HUDDLE_BIN = process.env.HUDDLE_BIN || path.join(repoRoot, 'target', 'debug', 'huddle');
/** The one wait budget: how long any wait for something that must happen may take. */
export const WAIT_MS = Number(process.env.E2E_WAIT_MS || 20000);
/** Each test fails after this long. (`--test-timeout` in package.json bounds a whole file in Node 20.) */
export const TEST_TIMEOUT_MS = Number(process.env.E2E_TEST_TIMEOUT_MS || 180000);
export const TRANSPORTS = ['websocket', 'polling'];

/** `it` of node:test with the per-test timeout (`TEST_TIMEOUT_MS`) unless options say otherwise. */
export function it(name, options, fn) {
  if (typeof options === 'function') return nodeIt(name, { timeout: TEST_TIMEOUT_MS }, options);
  return nodeIt(name, { timeout: TEST_TIMEOUT_MS, ...options }, fn);
}

/** Servers started and not stopped yet: their log tails are printed when a test fails. */
const liveServers = new Set();
const LOG_TAIL_LINES = 80;

afterEach((t) => {
  if (t.passed) return;
  for (const server of liveServers) {
    const tail = server.log.slice(-LOG_TAIL_LINES);
    process.stderr.write(
      `--- "${t.fullName}" failed; last ${tail.length} lines of the server at ${server.base} (${server.label}) ---\n` +
        `${tail.join('\n')}\n--- end of server log ---\n`,
    );
  }
});

/**
 * Per-user budgets the servers of these tests get unless a test asks for the production
 * defaults (`limits: 'default'`): test traffic (setup, several sockets of one user) never races
 * them. The limiter itself is tested on servers started with `limits: 'default'`.
 */
export const LIFTED_LIMITS = {
  HUDDLE_REALTIME__EVENTS_PER_SECOND: '10000',
  HUDDLE_REALTIME__EVENTS_PER_MINUTE: '1000000',
  HUDDLE_REALTIME__READS_PER_SECOND: '10000',
  HUDDLE_REALTIME__READS_PER_MINUTE: '1000000',
};

/** Variables the server inherits from this process; nothing else (no DATABASE_URL, REDIS_URL, HUDDLE_*). */
const BASIC_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR'];

/** The environment of a server and its CLI: the basics, then the harness's settings, then `extra`. */
function cleanEnv(dataDir, extra) {
  const env = {};
  for (const k of BASIC_ENV) if (process.env[k] !== undefined) env[k] = process.env[k];
  return {
    ...env,
    RUST_LOG: 'info',
    // No huddle.toml from the working directory: a file that does not exist is skipped.
    HUDDLE_CONFIG: path.join(dataDir, 'no-huddle.toml'),
    ...extra,
  };
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

export function rand(n = 6) {
  return randomBytes(n).toString('hex');
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

export function withTimeout(promise, ms, what) {
  let t;
  const timeout = new Promise((_, rej) => {
    t = setTimeout(() => rej(new Error(`timeout after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(t));
}

/**
 * Starts `huddle serve` on an ephemeral port with a fresh data dir and a clean environment
 * (nothing inherited but PATH, HOME, locale, TZ and TMPDIR). The per-user send and read budgets
 * are lifted (`LIFTED_LIMITS`) unless `limits` is `'default'`; `env` adds or overrides
 * variables (e.g. `HUDDLE_REALTIME__REPLAY_LIMIT`).
 */
export async function startServer({ env: extraEnv = {}, limits = 'lifted' } = {}) {
  if (!existsSync(HUDDLE_BIN)) {
    throw new Error(`HUDDLE_BIN not found: ${HUDDLE_BIN}`);
  }
  if (limits !== 'lifted' && limits !== 'default') throw new Error(`limits: 'lifted' or 'default', not ${limits}`);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'huddle-e2e-node-'));
  const adminPassword = `pw-${rand(12)}`;
  const env = cleanEnv(dataDir, {
    ...(limits === 'lifted' ? LIFTED_LIMITS : {}),
    HUDDLE_ADMIN_PASSWORD: adminPassword,
    ...extraEnv,
  });
  const child = spawn(HUDDLE_BIN, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir], {
    env,
    cwd: dataDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = [];
  const keep = (src) => (line) => {
    log.push(`[${src}] ${line}`);
    if (log.length > 2000) log.shift();
    if (process.env.E2E_SERVER_LOG) process.stderr.write(`[huddle ${src}] ${line}\n`);
  };
  const onErr = keep('stderr');
  createInterface({ input: child.stderr }).on('line', onErr);
  const stdoutLines = createInterface({ input: child.stdout });

  const addr = await withTimeout(
    new Promise((resolve, reject) => {
      const onLine = (raw) => {
        keep('stdout')(raw);
        const m = /listening on http:\/\/(\S+)/.exec(raw.replace(ANSI, ''));
        if (m) resolve(m[1]);
      };
      stdoutLines.on('line', onLine); // keeps draining stdout for the whole run
      child.once('exit', (code, sig) =>
        reject(new Error(`server exited early (code ${code}, signal ${sig}):\n${log.join('\n')}`)),
      );
      child.once('error', reject);
    }),
    Math.max(WAIT_MS, 30000), // start-up hashes the admin password: slow in a debug build
    'server "listening on http://..." line',
  ).catch((e) => {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`${e.message}\n--- server output ---\n${log.join('\n')}`);
  });

  const label = Object.entries(extraEnv).concat(limits === 'default' ? [['limits', 'default']] : [])
    .map(([k, v]) => `${k}=${v}`)
    .join(' ') || 'harness defaults';
  const server = {
    child,
    dataDir,
    adminPassword,
    env,
    log,
    label,
    base: `http://${addr}`,
    async stop() {
      liveServers.delete(server);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  liveServers.add(server);
  return server;
}

/** Creates a user with the CLI against the running server's data dir. */
export async function cliUserAdd(server, username, password) {
  try {
    await execFileP(
      HUDDLE_BIN,
      ['user', 'add', username, '--password', password, '--data-dir', server.dataDir],
      { env: server.env, cwd: server.dataDir, timeout: 30000 },
    );
  } catch (e) {
    throw new Error(`huddle user add ${username} failed: ${e.message}\nstdout: ${e.stdout}\nstderr: ${e.stderr}`);
  }
}

/**
 * Creates an agent account with the CLI against the running server's data dir; `role` is one of
 * orchestrator, design, code, qa, data. The agent logs in like a person.
 */
export async function cliAgentAdd(server, name, role, password) {
  try {
    await execFileP(
      HUDDLE_BIN,
      ['agent', 'add', name, '--role', role, '--password', password, '--data-dir', server.dataDir],
      { env: server.env, cwd: server.dataDir, timeout: 30000 },
    );
  } catch (e) {
    throw new Error(`huddle agent add ${name} failed: ${e.message}\nstdout: ${e.stdout}\nstderr: ${e.stderr}`);
  }
}

export async function rest(server, method, urlPath, { token, body } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(server.base + urlPath, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(Math.max(WAIT_MS, 30000)), // login hashing is slow in debug builds
  });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, json, text };
}

export async function expectStatus(promise, status, what) {
  const r = await promise;
  if (r.status !== status) {
    throw new Error(`${what}: expected HTTP ${status}, got ${r.status}: ${r.text}`);
  }
  return r.json;
}

export async function login(server, username, password) {
  const j = await expectStatus(
    rest(server, 'POST', '/auth/login', { body: { username, password } }),
    200,
    `login ${username}`,
  );
  return j;
}

export async function createProject(server, token, name) {
  return expectStatus(
    rest(server, 'POST', '/api/projects', { token, body: { name, description: 'e2e protocol test' } }),
    201,
    `create project ${name}`,
  );
}

export async function addMember(server, token, project, username, role) {
  return expectStatus(
    rest(server, 'POST', `/api/projects/${encodeURIComponent(project)}/members`, {
      token,
      body: { username, role },
    }),
    201,
    `add member ${username} to ${project}`,
  );
}

export async function removeMember(server, token, project, username) {
  return expectStatus(
    rest(server, 'DELETE', `/api/projects/${encodeURIComponent(project)}/members/${encodeURIComponent(username)}`, {
      token,
    }),
    204,
    `remove member ${username} from ${project}`,
  );
}

/** All events with seq > afterSeq, following has_more pagination. */
export async function restEvents(server, token, project, afterSeq = 0) {
  const events = [];
  let after = afterSeq;
  let lastSeq = null;
  for (let page = 0; page < 100; page++) {
    const j = await expectStatus(
      rest(server, 'GET', `/api/projects/${encodeURIComponent(project)}/events?after_seq=${after}&limit=100`, {
        token,
      }),
      200,
      `events of ${project}`,
    );
    events.push(...j.events);
    lastSeq = j.last_seq;
    if (!j.has_more || j.events.length === 0) break;
    after = j.events[j.events.length - 1].seq;
  }
  return { events, lastSeq };
}

/**
 * A real socket.io-client socket on /portal, restricted to one transport,
 * with no reconnection, plus a recorder of every incoming event.
 */
export function portalSocket(server, transport, auth, options = {}) {
  return nsSocket(server, transport, '/portal', auth, options);
}

/** The same on the chat namespace `/chat/<project>` (auth may carry since_seq). */
export function chatSocket(server, transport, project, auth, options = {}) {
  return nsSocket(server, transport, `/chat/${project}`, auth, options);
}

/** A recorded socket.io-client socket on namespace `ns`, one transport, no reconnection. */
export function nsSocket(server, transport, ns, auth, { onConnect } = {}) {
  const opts = {
    path: '/socket.io/',
    transports: [transport],
    upgrade: false,
    reconnection: false,
    forceNew: true,
    timeout: WAIT_MS,
  };
  if (auth !== undefined) opts.auth = auth;
  const socket = io(`${server.base}${ns}`, opts);
  const rec = new Recorder(socket);
  if (onConnect) socket.on('connect', () => onConnect(socket));
  return rec;
}

export class Recorder {
  constructor(socket) {
    this.socket = socket;
    this.events = []; // { name, args, at }
    // Every packet of this namespace as decoded by the connection (the Manager), also those
    // socket.io-client would not hand to the socket (events before it is connected).
    this.packets = []; // { type, data }
    this.waiters = [];
    socket.io.on('packet', (p) => {
      if (p.nsp === socket.nsp) this.packets.push({ type: p.type, data: p.data });
    });
    socket.onAny((name, ...args) => this.push(name, args));
    socket.on('connect', () => this.push('$connect', []));
    socket.on('connect_error', (err) => this.push('$connect_error', [err]));
    socket.on('disconnect', (reason) => this.push('$disconnect', [reason]));
  }

  push(name, args) {
    this.events.push({ name, args, at: Date.now() });
    for (const w of [...this.waiters]) w();
  }

  /** Waits until pred(events) returns a truthy value, which is returned. */
  waitUntil(pred, what, ms = WAIT_MS) {
    return new Promise((resolve, reject) => {
      const check = () => {
        let v;
        try {
          v = pred(this.events);
        } catch (e) {
          cleanup();
          reject(e);
          return;
        }
        if (v) {
          cleanup();
          resolve(v);
        }
      };
      const t = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `timeout after ${ms} ms waiting for ${what}; received so far: ${JSON.stringify(
              this.events.map((e) => [e.name, e.name === '$connect_error' ? String(e.args[0]?.message) : e.args]),
            ).slice(0, 4000)}`,
          ),
        );
      }, ms);
      const cleanup = () => {
        clearTimeout(t);
        this.waiters = this.waiters.filter((w) => w !== check);
      };
      this.waiters.push(check);
      check();
    });
  }

  waitFor(name, what = `event "${name}"`, filter = () => true, ms = WAIT_MS) {
    return this.waitUntil((evs) => evs.find((e) => e.name === name && filter(...e.args)), what, ms);
  }

  named(name) {
    return this.events.filter((e) => e.name === name);
  }

  async connected() {
    const e = await this.waitUntil(
      (evs) => evs.find((x) => x.name === '$connect' || x.name === '$connect_error'),
      'connect',
    );
    if (e.name === '$connect_error') {
      throw new Error(`connect_error: ${e.args[0]?.message}`);
    }
  }

  emitWithAck(name, payload, ms = WAIT_MS) {
    return withTimeout(
      new Promise((resolve) => this.socket.emit(name, payload, (ack) => resolve(ack))),
      ms,
      `ack of ${name}`,
    );
  }

  close() {
    this.socket.disconnect();
  }
}

/** Names of event kinds the tests generate. */
export const MEMBER_KINDS = new Set(['member_added', 'member_removed']);
