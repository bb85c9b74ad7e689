// Helpers shared by the chat-namespace tests (chat, chat_more, direct): test users by key with
// lazily renewed tokens, fresh projects, a connected and paced chat socket (`Chat`), and the
// check of a refused ack.
import assert from 'node:assert/strict';
import { rand, sleep, cliUserAdd, login, createProject, addMember, chatSocket } from './harness.js';

/**
 * Creates a user for each of `keys` with the CLI (username `<key><random>`) and records it in
 * `users` (key -> { username, password }), plus the built-in `admin` of `server`.
 */
export async function addUsers(server, users, keys) {
  for (const key of keys) {
    const username = `${key}${rand(3)}`;
    const password = `pw-${rand(8)}`;
    await cliUserAdd(server, username, password);
    users[key] = { username, password };
  }
  users.admin = { username: 'admin', password: server.adminPassword };
}

/**
 * The helpers of one test file, bound to its server and its users table
 * (key -> { username, password, token, at, ttl }). `getServer` is called on each use, since
 * the server is started in `before`. Each helper takes another server and users table as
 * optional last arguments (e.g. a second server started with other settings).
 */
export function chatHelpers(getServer, users) {
  /** A user's access token on `srv`, renewed after half of its lifetime. */
  async function tokenOf(key, srv = getServer(), table = users) {
    const u = table[key];
    if (!u.token || Date.now() - u.at > (u.ttl * 1000) / 2) {
      const j = await login(srv, u.username, u.password);
      Object.assign(u, { token: j.access_token, at: Date.now(), ttl: Number(j.expires_in) || 60 });
    }
    return u.token;
  }

  const nameOf = (key, table = users) => table[key].username;

  /** A fresh project with admin (role admin) and the given members. */
  async function freshProject(prefix, members = { bob: 'contributor' }, srv = getServer(), table = users) {
    const token = await tokenOf('admin', srv, table);
    const project = `${prefix}-${rand(4)}`;
    await createProject(srv, token, project); // admin owns it: its admin member
    for (const [key, role] of Object.entries(members)) {
      await addMember(srv, token, project, nameOf(key, table), role);
    }
    return project;
  }

  /** A `Chat` of user `key` on `/chat/<project>` (extraAuth may carry since_seq). */
  async function openChat(transport, key, project, extraAuth = {}, srv = getServer(), table = users) {
    return Chat.open(srv, transport, project, key, await tokenOf(key, srv, table), extraAuth);
  }

  return { tokenOf, nameOf, freshProject, openChat };
}

/** A connected chat socket plus its chat_ready; requests are paced under the rate limit. */
export class Chat {
  /** Connects to `/chat/<project>` on `server` as `key` (with `token`) and waits for chat_ready. */
  static async open(server, transport, project, key, token, extraAuth = {}) {
    const rec = chatSocket(server, transport, project, { token, ...extraAuth });
    await rec.connected();
    const ev = await rec.waitFor('chat_ready', `chat_ready on /chat/${project} for ${key}`);
    return new Chat(rec, ev.args[0], project, key);
  }

  constructor(rec, ready, project, key) {
    this.rec = rec;
    this.ready = ready;
    this.project = project;
    this.key = key;
    this.sent = []; // emit times, for pacing
  }

  /** Stays at <= 8 requests in any 1.2 s (the server allows 10/s per socket). */
  async pace() {
    for (;;) {
      const now = Date.now();
      this.sent = this.sent.filter((t) => now - t < 1200);
      if (this.sent.length < 8) break;
      await sleep(1200 - (now - this.sent[0]) + 5);
    }
    this.sent.push(Date.now());
  }

  async req(name, payload) {
    await this.pace();
    return this.rec.emitWithAck(name, payload);
  }

  /** send_message that must succeed; returns the acked message. */
  async send(content, extra = {}) {
    const ack = await this.req('send_message', { content, ...extra });
    assert.equal(ack?.ok, true, `send_message ${JSON.stringify(content).slice(0, 80)} ack: ${JSON.stringify(ack)}`);
    assert.equal(typeof ack.message?.message_id, 'string', `ack.message: ${JSON.stringify(ack)}`);
    return ack.message;
  }

  /** Payloads of an event name received so far (optionally after an index mark). */
  got(name, from = 0) {
    return this.rec.events.slice(from).filter((e) => e.name === name).map((e) => e.args[0]);
  }

  mark() {
    return this.rec.events.length;
  }

  /** [event, message_id] received since `mark`, without presence (connects of other sockets). */
  after(mark) {
    return this.rec.events
      .slice(mark)
      .filter((e) => e.name !== 'presence')
      .map((e) => [e.name, e.args[0]?.message_id]);
  }

  async waitMessage(id, name = 'message_received') {
    const e = await this.rec.waitFor(name, `${name} ${id} on ${this.key}`, (p) => p?.message_id === id);
    return e.args[0];
  }

  /** Waits until `n` events named `name` matching `pred` arrived; returns them. */
  async waitCount(name, n, pred = () => true, what = `${n} × ${name}`) {
    await this.rec.waitUntil((evs) => evs.filter((e) => e.name === name && pred(e.args[0])).length >= n, `${what} on ${this.key}`);
    return this.got(name).filter(pred);
  }

  /** Waits for an event `name` after index `from` matching `pred`; returns its payload. */
  async waitAfter(from, name, pred, what) {
    const e = await this.rec.waitUntil(
      (evs) => evs.slice(from).find((x) => x.name === name && pred(x.args[0])),
      `${what} on ${this.key}`,
    );
    return e.args[0];
  }

  close() {
    this.rec.close();
  }
}

/** The ack of a request that must be refused with error `code` (and a message). */
export function expectRefused(ack, code, what) {
  assert.equal(ack?.ok, false, `${what}: must be refused, ack: ${JSON.stringify(ack)}`);
  assert.equal(ack.error?.code, code, `${what}: error code, ack: ${JSON.stringify(ack)}`);
  assert.equal(typeof ack.error?.message, 'string', `${what}: error.message, ack: ${JSON.stringify(ack)}`);
}
