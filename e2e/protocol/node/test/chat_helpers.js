// Helpers shared by the chat-namespace tests (chat, chat_more, direct): test users by key with
// lazily renewed tokens, fresh projects, a connected chat socket (`Chat`), the barrier that
// shows what did not happen, and the check of a refused ack.
import assert from 'node:assert/strict';
import { rand, cliUserAdd, login, createProject, addMember, chatSocket } from './harness.js';

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

/**
 * A connected chat socket plus its chat_ready. Requests are not paced: the harness's servers
 * lift the per-user budgets (they count per user and project, over all of a user's sockets),
 * and the rate-limit tests run on servers with the production limits.
 */
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
  }

  async req(name, payload) {
    return this.rec.emitWithAck(name, payload);
  }

  /** send_message that must succeed; returns the acked message. */
  async send(content, extra = {}) {
    const ack = await this.req('send_message', { content, ...extra });
    assert.equal(ack?.ok, true, `send_message ${JSON.stringify(content).slice(0, 80)} ack: ${JSON.stringify(ack)}`);
    assert.equal(typeof ack.message?.message_id, 'string', `ack.message: ${JSON.stringify(ack)}`);
    return ack.message;
  }

  /** Payloads of an event name received so far (between index marks `from` and `to`). */
  got(name, from = 0, to = undefined) {
    return this.rec.events.slice(from, to).filter((e) => e.name === name).map((e) => e.args[0]);
  }

  mark() {
    return this.rec.events.length;
  }

  /**
   * The index mark of the `message_received` of `message` (a barrier's marker): the events
   * before it are all this socket will ever get of what happened before the marker was sent.
   */
  upTo(message) {
    const i = this.rec.events.findIndex((e) => e.name === 'message_received' && e.args[0]?.message_id === message.message_id);
    assert.ok(i >= 0, `${this.key} has not received ${message.message_id}`);
    return i;
  }

  /** [event, message_id] received since `mark` (up to mark `to`), without presence (connects of other sockets). */
  after(mark, to = undefined) {
    return this.rec.events
      .slice(mark, to)
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

/**
 * The barrier: `sender` posts a marker message (in `channel`) and each of `chats` waits for it.
 * Delivery to a socket is in `seq` order, so whatever a socket received before the marker is all
 * it will ever receive of what happened before the marker was sent: assert on `chat.upTo(marker)`
 * instead of sleeping and hoping that nothing more arrives. Returns the marker message.
 */
export async function barrier(sender, chats, channel = 'general') {
  const marker = await sender.send(`barrier ${rand(4)}`, channel === 'general' ? {} : { channel });
  for (const chat of chats) await chat.waitMessage(marker.message_id);
  return marker;
}

/** The ack of a request that must be refused with error `code` (and a message). */
export function expectRefused(ack, code, what) {
  assert.equal(ack?.ok, false, `${what}: must be refused, ack: ${JSON.stringify(ack)}`);
  assert.equal(ack.error?.code, code, `${what}: error code, ack: ${JSON.stringify(ack)}`);
  assert.equal(typeof ack.error?.message, 'string', `${what}: error.message, ack: ${JSON.stringify(ack)}`);
}
