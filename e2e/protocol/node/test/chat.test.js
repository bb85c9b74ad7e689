// Real socket.io-client (Node) protocol tests for the Huddle chat namespace
// `/chat/<project>` (contract: docs/chat-api.md). Every socket test runs once per
// transport (websocket-only, polling-only).
import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  TRANSPORTS,
  WAIT_MS,
  it,
  rand,
  sleep,
  startServer,
  restEvents,
  chatSocket,
} from './harness.js';
import { addUsers, barrier, chatHelpers, expectRefused } from './chat_helpers.js';

let server;
const users = {}; // key -> { username, password, token, at, ttl }

before(async () => {
  server = await startServer();
  // Users are created once (the CLI and password hashing are slow in debug builds);
  // every test gets its own project.
  await addUsers(server, users, ['bob', 'carol', 'viewer', 'outsider']);
});

after(async () => {
  if (server) await server.stop();
});

const { tokenOf, nameOf, freshProject, openChat } = chatHelpers(() => server, users);

const EVENT_FIELDS = ['seq', 'kind', 'actor', 'timestamp'];
const CONNECT_ERROR = 4; // the Socket.IO packet type of a refused namespace connection
function omit(obj, keys) {
  return Object.fromEntries(Object.entries(obj).filter(([k]) => !keys.includes(k)));
}

function assertLogged(p, name, project) {
  assert.ok(Number.isInteger(p?.seq), `${name}.seq must be an integer: ${JSON.stringify(p)}`);
  assert.equal(p.kind, name, `${name}.kind: ${JSON.stringify(p)}`);
  assert.equal(p.project_name, project, `${name}.project_name: ${JSON.stringify(p)}`);
  assert.ok(p.actor != null && p.timestamp != null, `${name} actor/timestamp: ${JSON.stringify(p)}`);
}

function assertMessage(m, { project, author, content, channel = 'general', type = 'message' }) {
  const j = JSON.stringify(m);
  assert.equal(typeof m.message_id, 'string', j);
  assert.equal(m.project_name, project, `project_name: ${j}`);
  assert.equal(m.channel, channel, `channel: ${j}`);
  assert.equal(m.author_type, 'user', `author_type: ${j}`);
  assert.equal(m.author_name, author, `author_name: ${j}`);
  assert.equal(m.content, content, `content: ${j}`);
  assert.equal(typeof m.content_html, 'string', `content_html: ${j}`);
  assert.equal(m.type, type, `type: ${j}`);
  assert.equal(m.deleted, false, `deleted: ${j}`);
  assert.deepEqual(m.reactions, [], `reactions: ${j}`);
  assert.deepEqual(m.attachments, [], `attachments: ${j}`);
}

/** Markup that a browser would execute must not survive: no script tag, no javascript: URL, no on* attribute. */
function assertSafeHtml(html, what) {
  assert.equal(typeof html, 'string', `${what}: content_html`);
  assert.ok(!/<script/i.test(html), `${what}: <script in ${JSON.stringify(html)}`);
  assert.ok(!/javascript:/i.test(html), `${what}: javascript: in ${JSON.stringify(html)}`);
  for (const tag of html.match(/<[^>]*>/g) || []) {
    assert.ok(!/onerror/i.test(tag), `${what}: onerror attribute in tag ${tag} of ${JSON.stringify(html)}`);
    assert.ok(!/\son\w+\s*=/i.test(tag), `${what}: event-handler attribute in tag ${tag}`);
  }
}

const XSS = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '[x](javascript:alert(1))'];

for (const transport of TRANSPORTS) {
  describe(`chat over ${transport} only`, () => {
    it('1. bad token → "Authentication failed"; non-member and unknown project → "Forbidden"', async () => {
      const project = await freshProject('auth');
      const cases = [
        ['garbage token', project, { token: 'not-a-real-token' }, 'Authentication failed'],
        ['no token', project, {}, 'Authentication failed'],
        ['non-member', project, { token: await tokenOf('outsider') }, 'Forbidden'],
        ['unknown project', `nope-${rand(4)}`, { token: await tokenOf('admin') }, 'Forbidden'],
      ];
      for (const [label, p, auth, message] of cases) {
        const rec = chatSocket(server, transport, p, auth);
        try {
          const e = await rec.waitUntil(
            (evs) => evs.find((x) => x.name === '$connect_error' || x.name === '$connect'),
            `connect outcome (${label})`,
          );
          assert.equal(e.name, '$connect_error', `${label}: the connection must be refused`);
          assert.equal(e.args[0].message, message, `${label}: connect_error message`);
          // The refusal is the server's last packet on this connection (the client closes it
          // then), so whatever the server sent this namespace arrived before it: no waiting.
          // `packets` also holds what socket.io-client would not hand to an unconnected socket.
          assert.deepEqual(
            rec.packets.filter((p) => p.type !== CONNECT_ERROR).map((p) => [p.type, p.data]),
            [],
            `${label}: nothing may be delivered`,
          );
          assert.deepEqual(
            rec.events.filter((x) => !x.name.startsWith('$')).map((x) => x.name),
            [],
            `${label}: nothing may be delivered`,
          );
        } finally {
          rec.close();
        }
      }
    });

    it('2. chat_ready lists general, workflow, agents, errors and the caller', async () => {
      const project = await freshProject('ready');
      const a = await openChat(transport, 'admin', project);
      try {
        const r = a.ready;
        assert.equal(r.project_name, project, JSON.stringify(r));
        assert.equal(r.role, 'admin', JSON.stringify(r));
        assert.equal(r.me?.username, 'admin', JSON.stringify(r));
        assert.equal(typeof r.me?.user_id, 'string', JSON.stringify(r));
        assert.ok(Array.isArray(r.online) && r.online.includes('admin'), `online: ${JSON.stringify(r.online)}`);
        const { lastSeq } = await restEvents(server, await tokenOf('admin'), project, 0);
        assert.equal(r.last_seq, lastSeq, 'chat_ready.last_seq equals REST last_seq');
        assert.deepEqual(
          r.channels.map((c) => [c.name, c.type]).sort(),
          [
            ['agents', 'agent'],
            ['errors', 'error'],
            ['general', 'general'],
            ['workflow', 'workflow'],
          ],
          JSON.stringify(r.channels),
        );
        for (const c of r.channels) {
          assert.equal(typeof c.channel_id, 'string', JSON.stringify(c));
          assert.equal(c.archived, false, JSON.stringify(c));
          assert.equal(c.unread_count, 0, JSON.stringify(c));
          assert.equal(c.mention_count, 0, JSON.stringify(c));
        }
      } finally {
        a.close();
      }
    });

    it('3. two users see each other in send order with increasing seq; acks carry the message; HTML sanitised', async () => {
      const project = await freshProject('two');
      const a = await openChat(transport, 'admin', project);
      const b = await openChat(transport, 'bob', project);
      try {
        const start = a.ready.last_seq;
        assert.equal(b.ready.last_seq, start);
        const plan = [
          [a, 'admin', `hello from admin ${rand(3)}`],
          [b, nameOf('bob'), `hello from bob ${rand(3)}`],
          [a, 'admin', XSS[0]],
          [b, nameOf('bob'), XSS[1]],
          [a, 'admin', XSS[2]],
          [b, nameOf('bob'), '**bold** and `code`'],
        ];
        const acked = [];
        for (const [chat, author, content] of plan) {
          const m = await chat.send(content);
          assertMessage(m, { project, author, content });
          acked.push(m);
        }
        const ids = acked.map((m) => m.message_id);
        assert.equal(new Set(ids).size, ids.length, 'distinct message ids');
        const marker = await barrier(b, [a, b]);
        for (const chat of [a, b]) {
          const got = chat.got('message_received', 0, chat.upTo(marker)).filter((p) => p.project_name === project);
          assert.deepEqual(got.map((p) => p.message_id), ids, `${chat.key}: every message once, in send order`);
          assert.deepEqual(
            got.map((p) => p.seq),
            ids.map((_, i) => start + 1 + i),
            `${chat.key}: seqs increase contiguously from chat_ready.last_seq + 1`,
          );
          got.forEach((p, i) => {
            assertLogged(p, 'message_received', project);
            assert.equal(p.actor, plan[i][1], `actor: ${JSON.stringify(p)}`);
            // `timestamp` is the event's (the log entry's) time, which replaces the message's own.
            assert.deepEqual(
              omit(p, EVENT_FIELDS),
              omit(acked[i], ['timestamp']),
              `${chat.key}: message_received carries the acked message`,
            );
          });
        }
        for (const m of acked.slice(2, 5)) assertSafeHtml(m.content_html, `content ${JSON.stringify(m.content)}`);
        assert.match(acked[5].content_html, /<strong>bold<\/strong>/, acked[5].content_html);
        assert.match(acked[5].content_html, /<code>code<\/code>/, acked[5].content_html);
        // The REST log agrees.
        const { events } = await restEvents(server, await tokenOf('admin'), project, start);
        assert.deepEqual(
          events.map((e) => [e.seq, e.kind, e.payload?.message_id]),
          [...ids, marker.message_id].map((id, i) => [start + 1 + i, 'message_received', id]),
        );
      } finally {
        a.close();
        b.close();
      }
    });

    it('4. send_message is idempotent on client_id (per author)', async () => {
      const project = await freshProject('idem');
      const a = await openChat(transport, 'admin', project);
      const b = await openChat(transport, 'bob', project);
      try {
        const clientId = `cid-${rand(6)}`;
        const content = `once ${rand(3)}`;
        const first = await a.send(content, { client_id: clientId });
        assert.equal(first.client_id, clientId, JSON.stringify(first));
        const retry = await a.send(content, { client_id: clientId });
        assert.equal(retry.message_id, first.message_id, 'the retry returns the original message');
        assert.deepEqual(retry, first, 'the retry returns the original message unchanged');
        // The same client_id from another author is another message.
        const bobs = await b.send(`bob ${rand(3)}`, { client_id: clientId });
        assert.notEqual(bobs.message_id, first.message_id, 'client_id is per author');
        const marker = await barrier(b, [a, b]);
        for (const chat of [a, b]) {
          const got = chat.got('message_received', 0, chat.upTo(marker)).filter((p) => p.project_name === project);
          assert.deepEqual(
            got.map((p) => p.message_id),
            [first.message_id, bobs.message_id],
            `${chat.key}: the retry broadcast nothing`,
          );
        }
        const { events } = await restEvents(server, await tokenOf('admin'), project, a.ready.last_seq);
        assert.deepEqual(
          events.map((e) => [e.kind, e.payload?.message_id]),
          [
            ['message_received', first.message_id],
            ['message_received', bobs.message_id],
            ['message_received', marker.message_id],
          ],
        );
      } finally {
        a.close();
        b.close();
      }
    });

    it('5. resume with auth.since_seq replays exactly the missed messages', async () => {
      const N = 15;
      const project = await freshProject('resume');
      const a = await openChat(transport, 'admin', project);
      let b = await openChat(transport, 'bob', project);
      let b2;
      try {
        const warm = await a.send(`before ${rand(3)}`);
        const seen = await b.waitMessage(warm.message_id);
        const since = seen.seq;
        b.close();
        const sent = [];
        for (let i = 0; i < N; i++) sent.push(await a.send(`missed ${i} ${rand(2)}`));
        const { events: missed, lastSeq } = await restEvents(server, await tokenOf('bob'), project, since);
        assert.deepEqual(
          missed.map((e) => [e.seq, e.kind, e.payload?.message_id]),
          sent.map((m, i) => [since + 1 + i, 'message_received', m.message_id]),
          'REST shows the N messages right after since_seq',
        );
        assert.equal(lastSeq, since + N);

        b2 = await openChat(transport, 'bob', project, { since_seq: since });
        assert.equal(b2.ready.last_seq, lastSeq, 'chat_ready.last_seq is the current last seq');
        // Duplicates, if any, would arrive before a marker sent after the replay.
        const marker = await barrier(a, [b2]);
        const upTo = b2.upTo(marker);
        assert.equal(b2.rec.events[upTo].args[0].seq, lastSeq + 1, 'the marker is the next event after the replay');
        const names = b2.rec.events.map((e) => e.name);
        const readyIdx = names.indexOf('chat_ready');
        const firstReplay = names.indexOf('message_received');
        assert.ok(readyIdx >= 0 && readyIdx < firstReplay, 'chat_ready arrives before the replay');
        const logged = b2.rec.events
          .slice(0, upTo)
          .filter((e) => Number.isInteger(e.args[0]?.seq))
          .map((e) => e.args[0]);
        assert.deepEqual(
          logged.map((p) => [p.seq, p.kind, p.message_id]),
          missed.map((e) => [e.seq, e.kind, e.payload.message_id]),
          'exactly the missed events, in order, nothing duplicated or missing',
        );
        assert.deepEqual(
          logged.map((p) => p.content),
          sent.map((m) => m.content),
        );
        assert.equal(b2.got('resync_required').length, 0, 'no resync_required for a small gap');
      } finally {
        a.close();
        b.close();
        if (b2) b2.close();
      }
    });

    it('6. a viewer reads history but send_message is refused with forbidden and nothing is broadcast', async () => {
      const project = await freshProject('view', { bob: 'contributor', viewer: 'viewer' });
      const a = await openChat(transport, 'admin', project);
      const v = await openChat(transport, 'viewer', project);
      try {
        assert.equal(v.ready.role, 'viewer', JSON.stringify(v.ready));
        const m = await a.send(`for everyone ${rand(3)}`);
        await v.waitMessage(m.message_id);
        await a.waitMessage(m.message_id); // the sender's own copy, before aMark below
        const hist = await v.req('request_message_history', { channel: 'general' });
        assert.equal(hist?.ok, true, JSON.stringify(hist));
        assert.deepEqual(hist.messages.map((x) => x.message_id), [m.message_id], JSON.stringify(hist));

        const aMark = a.mark();
        const content = `viewer tries ${rand(3)}`;
        const ack = await v.req('send_message', { content });
        expectRefused(ack, 'forbidden', 'viewer send_message');
        const react = await v.req('add_reaction', { message_id: m.message_id, emoji: '👍' });
        expectRefused(react, 'forbidden', 'viewer add_reaction');
        // The barrier: what the refused requests could have broadcast comes before the sentinel.
        const sentinel = await barrier(a, [a, v]);
        assert.deepEqual(
          a.after(aMark, a.upTo(sentinel) + 1),
          [['message_received', sentinel.message_id]],
          'the refused requests broadcast nothing',
        );
        const { events } = await restEvents(server, await tokenOf('admin'), project, 0);
        assert.ok(!events.some((e) => e.payload?.content === content), 'nothing stored for the viewer');
        assert.ok(!events.some((e) => e.kind === 'reaction_updated'), 'no reaction stored');
      } finally {
        a.close();
        v.close();
      }
    });

    it('7a. edit: author only; others (even the project admin) are refused', async () => {
      const project = await freshProject('edit');
      const a = await openChat(transport, 'admin', project);
      const b = await openChat(transport, 'bob', project);
      try {
        const m = await a.send('first *draft*');
        const ack = await a.req('edit_message', { message_id: m.message_id, content: 'final **text**' });
        assert.equal(ack?.ok, true, JSON.stringify(ack));
        assert.equal(ack.message.message_id, m.message_id);
        assert.equal(ack.message.content, 'final **text**');
        assert.match(ack.message.content_html, /<strong>text<\/strong>/);
        assert.ok(ack.message.edited_at, `edited_at must be set: ${JSON.stringify(ack.message)}`);
        const upd = await b.waitMessage(m.message_id, 'message_updated');
        assertLogged(upd, 'message_updated', project);
        assert.equal(upd.content, 'final **text**');
        assert.equal(upd.content_html, ack.message.content_html);

        await a.waitMessage(m.message_id, 'message_updated');
        const bMark = b.mark();
        const aMark = a.mark();
        expectRefused(
          await b.req('edit_message', { message_id: m.message_id, content: 'hijacked' }),
          'forbidden',
          "bob edits admin's message",
        );
        const bm = await b.send('bob wrote this');
        await a.waitMessage(bm.message_id);
        expectRefused(
          await a.req('edit_message', { message_id: bm.message_id, content: 'admin rewrites' }),
          'forbidden',
          "admin edits bob's message",
        );
        const sentinel = await barrier(a, [a, b]);
        assert.deepEqual(
          b.got('message_updated', bMark, b.upTo(sentinel)),
          [],
          'refused edits broadcast nothing',
        );
        assert.deepEqual(a.got('message_updated', aMark, a.upTo(sentinel)), []);
        const hist = await b.req('request_message_history', { channel: 'general' });
        assert.equal(hist?.ok, true, JSON.stringify(hist));
        const byId = Object.fromEntries(hist.messages.map((x) => [x.message_id, x]));
        assert.equal(byId[m.message_id].content, 'final **text**');
        assert.equal(byId[bm.message_id].content, 'bob wrote this');
      } finally {
        a.close();
        b.close();
      }
    });

    it('7b. delete: tombstone with deleted=true, empty content and no reactions', async () => {
      const project = await freshProject('del');
      const a = await openChat(transport, 'admin', project);
      const b = await openChat(transport, 'bob', project);
      try {
        const before_ = await a.send('before');
        const m = await a.send('to be deleted');
        const after_ = await a.send('after');
        await b.waitMessage(after_.message_id);
        const r = await b.req('add_reaction', { message_id: m.message_id, emoji: '👍' });
        assert.equal(r?.ok, true, JSON.stringify(r));
        expectRefused(await b.req('delete_message', { message_id: m.message_id }), 'forbidden', 'bob deletes admin message');
        const ack = await a.req('delete_message', { message_id: m.message_id });
        assert.equal(ack?.ok, true, JSON.stringify(ack));
        for (const t of [ack.message, await b.waitMessage(m.message_id, 'message_deleted')]) {
          assert.equal(t.message_id, m.message_id);
          assert.equal(t.deleted, true, JSON.stringify(t));
          assert.equal(t.content, '', JSON.stringify(t));
          assert.equal(t.content_html, '', JSON.stringify(t));
          assert.deepEqual(t.reactions, [], JSON.stringify(t));
        }
        assertLogged(b.got('message_deleted')[0], 'message_deleted', project);
        const hist = await b.req('request_message_history', { channel: 'general' });
        assert.equal(hist?.ok, true, JSON.stringify(hist));
        assert.deepEqual(
          hist.messages.map((x) => [x.message_id, x.deleted, x.content]),
          [
            [after_.message_id, false, 'after'],
            [m.message_id, true, ''],
            [before_.message_id, false, 'before'],
          ],
          'the tombstone keeps its place in history',
        );
      } finally {
        a.close();
        b.close();
      }
    });

    it('7c. reactions: the same user counts once; remove', async () => {
      const project = await freshProject('react');
      const a = await openChat(transport, 'admin', project);
      const b = await openChat(transport, 'bob', project);
      const bob = nameOf('bob');
      try {
        const m = await a.send('react to me');
        await b.waitMessage(m.message_id);
        const r1 = await b.req('add_reaction', { message_id: m.message_id, emoji: '👍' });
        assert.equal(r1?.ok, true, JSON.stringify(r1));
        assert.deepEqual(r1.reactions, [{ emoji: '👍', count: 1, users: [bob] }]);
        const r2 = await b.req('add_reaction', { message_id: m.message_id, emoji: '👍' });
        assert.equal(r2?.ok, true, JSON.stringify(r2));
        assert.deepEqual(r2.reactions, [{ emoji: '👍', count: 1, users: [bob] }], 'a second add by the same user counts once');
        const r3 = await a.req('add_reaction', { message_id: m.message_id, emoji: '👍' });
        assert.equal(r3?.ok, true, JSON.stringify(r3));
        assert.equal(r3.reactions.length, 1, JSON.stringify(r3));
        assert.equal(r3.reactions[0].count, 2, JSON.stringify(r3));
        assert.deepEqual([...r3.reactions[0].users].sort(), [bob, 'admin'].sort());
        const ru = await a.waitCount('reaction_updated', 1, (p) => p.message_id === m.message_id && p.reactions?.[0]?.count === 2);
        const last = ru[ru.length - 1];
        assertLogged(last, 'reaction_updated', project);
        assert.equal(last.channel, 'general');
        assert.equal(last.thread_id, null);
        const r4 = await b.req('remove_reaction', { message_id: m.message_id, emoji: '👍' });
        assert.equal(r4?.ok, true, JSON.stringify(r4));
        assert.deepEqual(r4.reactions, [{ emoji: '👍', count: 1, users: ['admin'] }]);
        const r5 = await a.req('remove_reaction', { message_id: m.message_id, emoji: '👍' });
        assert.equal(r5?.ok, true, JSON.stringify(r5));
        assert.deepEqual(r5.reactions, [], 'no reaction left');
        await b.waitCount('reaction_updated', 1, (p) => p.message_id === m.message_id && p.reactions?.length === 0);
        const updates = b.got('reaction_updated').filter((p) => p.message_id === m.message_id);
        assert.deepEqual(
          updates.map((p) => p.reactions.map((x) => x.count)),
          updates.length === 4 ? [[1], [2], [1], []] : [[1], [1], [2], [1], []],
          `reaction_updated sequence: ${JSON.stringify(updates.map((p) => p.reactions))}`,
        );
        const hist = await a.req('request_message_history', { channel: 'general' });
        assert.deepEqual(hist.messages[0].reactions, []);
      } finally {
        a.close();
        b.close();
      }
    });

    it('7d. thread replies: thread_created once, thread_updated with message_count', async () => {
      const project = await freshProject('thread');
      const a = await openChat(transport, 'admin', project);
      const b = await openChat(transport, 'bob', project);
      const bob = nameOf('bob');
      try {
        const root = await a.send('thread root');
        await b.waitMessage(root.message_id);
        const r1 = await b.send('first reply', { thread_id: root.message_id });
        assert.equal(r1.thread_id, root.message_id, JSON.stringify(r1));
        assert.equal(r1.type, 'thread_reply', JSON.stringify(r1));
        const created = await a.rec.waitFor('thread_created', 'thread_created');
        const tc = created.args[0];
        assertLogged(tc, 'thread_created', project);
        assert.equal(tc.thread_id, root.message_id);
        assert.equal(tc.parent_message_id, root.message_id);
        assert.equal(tc.channel, 'general');
        assert.equal(tc.created_by, bob);
        await a.waitCount('thread_updated', 1);
        const r2 = await a.send('second reply', { thread_id: root.message_id });
        const ups = await a.waitCount('thread_updated', 2);
        assert.deepEqual(ups.map((p) => [p.thread_id, p.channel, p.message_count]), [
          [root.message_id, 'general', 1],
          [root.message_id, 'general', 2],
        ]);
        assertLogged(ups[1], 'thread_updated', project);
        assert.deepEqual([...ups[1].participants].sort(), [bob, 'admin'].sort());
        assert.ok(ups[1].last_message_at, JSON.stringify(ups[1]));
        await b.waitCount('thread_updated', 2);
        // A reply is not a thread root, and unknown ids are not either.
        for (const bad of [r1.message_id, `no-such-${rand(4)}`]) {
          expectRefused(
            await a.req('send_message', { content: 'nested', thread_id: bad }),
            'invalid_thread',
            `thread_id ${bad}`,
          );
        }
        const page = await a.req('request_message_history', { channel: 'general' });
        assert.deepEqual(page.messages.map((x) => x.message_id), [root.message_id], 'replies are not in the channel page');
        assert.equal(page.messages[0].thread?.reply_count, 2, JSON.stringify(page.messages[0]));
        const tp = await a.req('request_message_history', { channel: 'general', thread_id: root.message_id });
        assert.equal(tp?.ok, true, JSON.stringify(tp));
        assert.equal(tp.thread_id, root.message_id);
        assert.deepEqual(tp.messages.map((x) => x.message_id), [r2.message_id, r1.message_id], 'thread page, newest first');
        assert.equal(tp.has_more, false);
        // Neither the second reply nor the refused ones made another thread_created: they would
        // arrive before a marker sent after them.
        const marker = await barrier(a, [a, b]);
        for (const chat of [a, b]) {
          assert.equal(chat.got('thread_created', 0, chat.upTo(marker)).length, 1, `${chat.key}: thread_created exactly once`);
        }
      } finally {
        a.close();
        b.close();
      }
    });

    it('7e. history pages with before: newest first, no duplicates, has_more false at the end', async () => {
      const N = 25;
      const project = await freshProject('hist');
      const a = await openChat(transport, 'admin', project);
      const b = await openChat(transport, 'bob', project);
      try {
        const sent = [];
        for (let i = 0; i < N; i++) sent.push((await a.send(`page message ${i}`)).message_id);
        const expected = [...sent].reverse();
        const pages = [];
        let before_;
        for (let i = 0; i < 5; i++) {
          const req = { channel: 'general', limit: 10 };
          if (before_) req.before = before_;
          const p = await b.req('request_message_history', req);
          assert.equal(p?.ok, true, JSON.stringify(p));
          assert.equal(p.channel, 'general');
          pages.push(p);
          if (!p.has_more) break;
          before_ = p.messages[p.messages.length - 1].message_id;
        }
        assert.deepEqual(pages.map((p) => [p.messages.length, p.has_more]), [
          [10, true],
          [10, true],
          [5, false],
        ]);
        const ids = pages.flatMap((p) => p.messages.map((m) => m.message_id));
        assert.equal(new Set(ids).size, ids.length, 'no duplicates across pages');
        assert.deepEqual(ids, expected, 'all messages, newest first');
        const hist = await b.waitCount('message_history', pages.length);
        assert.deepEqual(
          hist.map((h) => h.messages.map((m) => m.message_id)),
          pages.map((p) => p.messages.map((m) => m.message_id)),
          'each page is also emitted as message_history',
        );
        for (const limit of [0, 101]) {
          const bad = await b.req('request_message_history', { channel: 'general', limit });
          assert.equal(bad?.ok, false, `limit ${limit} (1–100 allowed): ${JSON.stringify(bad)}`);
          assert.equal(typeof bad.error?.code, 'string', JSON.stringify(bad));
        }
      } finally {
        a.close();
        b.close();
      }
    });

    it('7f. mark_read: unread_count 0 afterwards and in a new chat_ready', async () => {
      const project = await freshProject('read');
      const a = await openChat(transport, 'admin', project);
      const bob = nameOf('bob');
      let b;
      let b2;
      try {
        const m1 = await a.send('one');
        const m2 = await a.send('two');
        const m3 = await a.send(`three for @${bob}`);
        assert.deepEqual(m3.mentions, [bob], JSON.stringify(m3));
        b = await openChat(transport, 'bob', project);
        const gen = (ready) => ready.channels.find((c) => c.name === 'general');
        assert.deepEqual(
          [gen(b.ready).unread_count, gen(b.ready).mention_count],
          [3, 1],
          `bob's chat_ready: ${JSON.stringify(gen(b.ready))}`,
        );
        const ack2 = await b.req('mark_read', { channel: 'general', message_id: m2.message_id });
        assert.equal(ack2?.ok, true, JSON.stringify(ack2));
        assert.deepEqual([ack2.channel, ack2.unread_count, ack2.mention_count], ['general', 1, 1], JSON.stringify(ack2));
        const ack3 = await b.req('mark_read', { channel: 'general', message_id: m3.message_id });
        assert.deepEqual([ack3?.ok, ack3.unread_count, ack3.mention_count], [true, 0, 0], JSON.stringify(ack3));
        // Read marks never move back.
        const ack1 = await b.req('mark_read', { channel: 'general', message_id: m1.message_id });
        assert.deepEqual([ack1?.ok, ack1.unread_count], [true, 0], JSON.stringify(ack1));
        b.close();
        b2 = await openChat(transport, 'bob', project);
        assert.deepEqual(
          [gen(b2.ready).unread_count, gen(b2.ready).mention_count],
          [0, 0],
          `new chat_ready after mark_read: ${JSON.stringify(gen(b2.ready))}`,
        );
        expectRefused(
          await b2.req('mark_read', { channel: 'general', message_id: `no-such-${rand(4)}` }),
          'not_found',
          'mark_read of an unknown message',
        );
      } finally {
        a.close();
        if (b) b.close();
        if (b2) b2.close();
      }
    });

    it('8. bad input is refused, reaches nobody, and the connection stays usable', async () => {
      const project = await freshProject('bad');
      const a = await openChat(transport, 'admin', project);
      const b = await openChat(transport, 'bob', project);
      try {
        const bMark = b.mark();
        const cases = [
          ['2001 characters', { content: 'x'.repeat(2001) }, 'invalid_message'],
          ['empty content', { content: '' }, 'invalid_message'],
          ['whitespace only', { content: '  \n\t ' }, 'invalid_message'],
          ['unknown channel', { content: 'hi', channel: `nope-${rand(3)}` }, 'not_found'],
          ['a string instead of an object', 'just a string', null],
          ['content is a number', { content: 42 }, null],
        ];
        for (const [label, payload, code] of cases) {
          const ack = await a.req('send_message', payload);
          assert.equal(ack?.ok, false, `${label}: ${JSON.stringify(ack)}`);
          assert.equal(typeof ack.error?.code, 'string', `${label}: ${JSON.stringify(ack)}`);
          assert.equal(typeof ack.error?.message, 'string', `${label}: ${JSON.stringify(ack)}`);
          if (code) assert.equal(ack.error.code, code, `${label}: ${JSON.stringify(ack)}`);
          else assert.notEqual(ack.error.code, 'internal', `${label}: ${JSON.stringify(ack)}`);
        }
        // Without an ack the refusal arrives as an `error` event.
        const errMark = a.mark();
        a.rec.socket.emit('send_message', { content: '' });
        const err = await a.rec.waitUntil(
          (evs) => evs.slice(errMark).find((e) => e.name === 'error'),
          'error event for a refused send without ack',
        );
        assert.deepEqual(
          [err.args[0].code, err.args[0].event, typeof err.args[0].message],
          ['invalid_message', 'send_message', 'string'],
          JSON.stringify(err.args[0]),
        );
        assert.equal(a.rec.socket.connected, true, 'still connected after bad input');
        const sentinel = await a.send(`still works ${rand(3)}`);
        // 2000 characters (4000 bytes) is allowed. Sent after every refusal, it is also the
        // barrier: anything the refused requests broadcast would reach b before it.
        const max = await a.send('é'.repeat(2000));
        await b.waitMessage(max.message_id);
        assert.deepEqual(
          b.after(bMark, b.upTo(max) + 1),
          [
            ['message_received', sentinel.message_id],
            ['message_received', max.message_id],
          ],
          'the refused requests reached nobody',
        );
      } finally {
        a.close();
        b.close();
      }
    });

    it('10. commands: /help succeeds, /nope is unknown', async () => {
      const project = await freshProject('cmd');
      const a = await openChat(transport, 'admin', project);
      const b = await openChat(transport, 'bob', project);
      try {
        const help = await a.send('/help');
        assert.equal(help.type, 'command', JSON.stringify(help));
        const seen = await b.waitMessage(help.message_id);
        assert.equal(seen.type, 'command');
        const hr = (await b.waitMessage(help.message_id, 'command_result'));
        assertLogged(hr, 'command_result', project);
        assert.equal(hr.success, true, JSON.stringify(hr));
        assert.equal(hr.command, '/help', JSON.stringify(hr));
        assert.equal(hr.channel, 'general', JSON.stringify(hr));
        assert.ok(hr.result != null, `result: ${JSON.stringify(hr)}`);
        assert.equal(typeof hr.execution_time, 'number', JSON.stringify(hr));
        assert.ok(hr.seq > seen.seq, 'command_result follows the command message');

        const nope = await b.send('/nope');
        assert.equal(nope.type, 'command');
        const nr = await a.waitMessage(nope.message_id, 'command_result');
        assertLogged(nr, 'command_result', project);
        assert.equal(nr.success, false, JSON.stringify(nr));
        assert.equal(nr.error, 'Unknown command: /nope', JSON.stringify(nr));
        assert.equal(nr.hint, 'Type /help for available commands.', JSON.stringify(nr));
        await b.waitMessage(nope.message_id, 'command_result');
        const marker = await barrier(b, [a, b]);
        for (const chat of [a, b]) {
          assert.deepEqual(
            chat.got('command_result', 0, chat.upTo(marker)).map((p) => [p.message_id, p.success]),
            [
              [help.message_id, true],
              [nope.message_id, false],
            ],
            `${chat.key}: one command_result per command`,
          );
        }
      } finally {
        a.close();
        b.close();
      }
    });
  });
}

// ---------------------------------------------------------------- rate limits

/** `n` send_message requests emitted at once from `chat` (no pacing); their acks, in emit order. */
function burst(chat, n, label) {
  return Promise.all(Array.from({ length: n }, (_, i) => chat.req('send_message', { content: `${label} ${i}` })));
}

/** What each ack said, for failure messages: "ok" or the error code. */
const outcomes = (acks) => JSON.stringify(acks.map((x) => (x?.ok === true ? 'ok' : x?.error?.code ?? x)));

/** Sends `content`; when refused with rate_limited, waits the ack's retry_after and sends once more. */
async function sendRetryingOnce(chat, content) {
  const first = await chat.req('send_message', { content });
  if (first?.ok === true || first?.error?.code !== 'rate_limited') return { first, ack: first };
  assert.equal(typeof first.error.retry_after, 'number', `retry_after in the ack: ${JSON.stringify(first)}`);
  await sleep(Math.ceil(first.error.retry_after * 1000) + 5); // + 5 ms for timer rounding
  return { first, ack: await chat.req('send_message', { content }) };
}

describe('rate limits, on servers with the production limits', () => {
  // Budgets count per user and project over all of a user's sockets (docs/chat-api.md); every
  // test has a fresh project, so it starts with full budgets.
  let perSecond; // production limits: 10 events/s, 100/min
  let perMinute; // 10 events per minute; the per-second budget is out of reach
  const su = {};
  const mu = {};
  before(async () => {
    [perSecond, perMinute] = await Promise.all([
      startServer({ limits: 'default' }),
      startServer({
        limits: 'default',
        env: { HUDDLE_REALTIME__EVENTS_PER_MINUTE: '10', HUDDLE_REALTIME__EVENTS_PER_SECOND: '1000' },
      }),
    ]);
    await addUsers(perSecond, su, ['bob']);
    await addUsers(perMinute, mu, ['bob']);
  });
  after(async () => {
    await Promise.all([perSecond, perMinute].filter(Boolean).map((s) => s.stop()));
  });
  const ps = chatHelpers(() => perSecond, su);
  const pm = chatHelpers(() => perMinute, mu);

  for (const transport of TRANSPORTS) {
    it(`9a. ${transport}: sends at once → at least 10/s accepted, the rest rate_limited (ack and event, retry_after ≤ 1 s); a send honouring retry_after gets through`, async () => {
      const project = await ps.freshProject('rate');
      const a = await ps.openChat(transport, 'admin', project);
      const b = await ps.openChat(transport, 'bob', project);
      try {
        const aMark = a.mark();
        // How many of 15 fit depends on timing (over polling they travel in two requests, and a
        // slow server may admit them over more than a second): the exact count is checked against
        // a minute budget in 9b. Bursts repeat (at most 3, within 100/min) until the limiter answers.
        const acks = await burst(a, 15, 'burst 0');
        assert.ok(acks.filter((x) => x?.ok === true).length >= 10, `a fresh budget takes 10 at once: ${outcomes(acks)}`);
        for (let round = 1; round < 3 && acks.every((x) => x?.ok === true); round++) {
          acks.push(...(await burst(a, 15, `burst ${round}`)));
        }
        const ok = acks.filter((x) => x?.ok === true);
        const refused = acks.filter((x) => x?.ok !== true);
        assert.ok(refused.length > 0, `the per-second budget never answered ${acks.length} sends at once: ${outcomes(acks)}`);
        for (const r of refused) {
          assert.equal(r?.error?.code, 'rate_limited', `refused acks: ${outcomes(acks)}; ${JSON.stringify(r)}`);
          assert.ok(r.error.retry_after > 0 && r.error.retry_after <= 1, `ack retry_after in (0, 1] s: ${JSON.stringify(r)}`);
        }
        // The server emits rate_limited before the refusing ack: with every ack in, every event is.
        const limited = a.got('rate_limited', aMark);
        assert.equal(limited.length, refused.length, 'one rate_limited event per refusal');
        for (const p of limited) {
          assert.equal(p.event, 'send_message', JSON.stringify(p));
          assert.equal(typeof p.retry_after, 'number', JSON.stringify(p));
          assert.ok(p.retry_after > 0 && p.retry_after <= 1, `retry_after in (0, 1] s: ${JSON.stringify(p)}`);
        }
        assert.equal(a.rec.socket.connected, true);
        const { first, ack } = await sendRetryingOnce(a, 'after the limit');
        assert.equal(ack?.ok, true, `sent again after retry_after: first ${JSON.stringify(first)}, then ${JSON.stringify(ack)}`);
        // It is also the barrier: b has everything broadcast before it.
        await b.waitMessage(ack.message.message_id);
        assert.deepEqual(
          b.got('message_received', 0, b.upTo(ack.message)).map((p) => p.message_id).sort(),
          ok.map((x) => x.message.message_id).sort(),
          'only the accepted messages are broadcast',
        );
      } finally {
        a.close();
        b.close();
      }
    });

    it(`9b. ${transport}: 15 sends at once against 10 per minute → exactly 10 accepted, 5 rate_limited until the minute is over`, async () => {
      const project = await pm.freshProject('rate');
      const a = await pm.openChat(transport, 'admin', project);
      const b = await pm.openChat(transport, 'bob', project);
      try {
        const aMark = a.mark();
        const acks = await burst(a, 15, 'minute');
        const ok = acks.filter((x) => x?.ok === true);
        const refused = acks.filter((x) => x?.ok !== true);
        assert.equal(ok.length, 10, `10 events per minute: ${outcomes(acks)}`);
        for (const r of refused) {
          assert.equal(r?.error?.code, 'rate_limited', `refused acks: ${outcomes(acks)}; ${JSON.stringify(r)}`);
          // The minute budget answers: its wait runs until the first send is a minute old.
          assert.ok(r.error.retry_after > 1 && r.error.retry_after <= 60, `ack retry_after in (1, 60] s: ${JSON.stringify(r)}`);
        }
        const limited = a.got('rate_limited', aMark); // each emitted before its refusing ack
        assert.equal(limited.length, 5, `one rate_limited event per refusal: ${JSON.stringify(limited)}`);
        for (const p of limited) {
          assert.equal(p.event, 'send_message', JSON.stringify(p));
          assert.ok(p.retry_after > 1 && p.retry_after <= 60, `retry_after in (1, 60] s: ${JSON.stringify(p)}`);
        }
        // b's budget is its own: its marker is the barrier behind a's accepted messages.
        const marker = await barrier(b, [b]);
        assert.deepEqual(
          b.got('message_received', 0, b.upTo(marker)).map((p) => p.message_id).sort(),
          ok.map((x) => x.message.message_id).sort(),
          'only the accepted messages are broadcast',
        );
        expectRefused(await a.req('send_message', { content: 'still over' }), 'rate_limited', 'the 16th send within the minute');
      } finally {
        a.close();
        b.close();
      }
    });
  }
});

it('wait budget is sane', () => {
  assert.ok(WAIT_MS >= 1000);
});
