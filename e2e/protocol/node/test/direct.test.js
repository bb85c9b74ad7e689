// Real socket.io-client (Node) tests of agents and direct messages on the chat namespace
// `/chat/<project>`: an agent account (created with `huddle agent add`) connects like a person,
// `GET /api/agents` shows its live status, and a direct message `dm:{agent}:{user}` between one
// person and that agent reaches its two participants and nobody else — live, on resume, in the
// REST event log, history, channel list and search. Every socket test runs once per transport.
import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  TRANSPORTS,
  WAIT_MS,
  it,
  rand,
  sleep,
  startServer,
  cliAgentAdd,
  rest,
  expectStatus,
  restEvents,
} from './harness.js';
import { addUsers, chatHelpers, expectRefused } from './chat_helpers.js';

let server;
const users = {}; // key -> { username, password, token, at, ttl }

before(async () => {
  server = await startServer();
  // People and agents are created once (the CLI and password hashing are slow in debug
  // builds); every test gets its own project. Each transport has its own agent, so that its
  // status in GET /api/agents depends on that transport's sockets only.
  await addUsers(server, users, ['alice', 'carol']);
  for (const [key, role] of [
    ['code-websocket', 'code'],
    ['code-polling', 'code'],
    ['qa', 'qa'],
    ['stray', 'data'], // never a member of any project
  ]) {
    const username = `${key.split('-')[0]}${rand(3)}`;
    const password = `pw-${rand(8)}`;
    await cliAgentAdd(server, username, role, password);
    users[key] = { username, password };
  }
});

after(async () => {
  if (server) await server.stop();
});

// ---------------------------------------------------------------- helpers (shared ones: chat_helpers.js)

const { tokenOf, nameOf, freshProject, openChat } = chatHelpers(() => server, users);

/** The recorded events (name + payloads) whose JSON contains any of `needles`. */
function leaks(events, needles) {
  return events
    .map((e) => [e.name, JSON.stringify(e.args)])
    .filter(([, text]) => needles.some((n) => text.includes(n)))
    .map(([name, text]) => `${name} ${text.slice(0, 300)}`);
}

/** REST bodies (or any JSON) that contain any of `needles`. */
function mentions(value, needles) {
  const text = JSON.stringify(value);
  return needles.filter((n) => text.includes(n));
}

const dmChannels = (channels) => (channels || []).filter((c) => String(c?.name).startsWith('dm:'));

/** GET /api/agents as `viewerKey`: the whole answer and the entry of agent `agentKey`. */
async function agentsAs(viewerKey, agentKey) {
  const j = await expectStatus(rest(server, 'GET', '/api/agents', { token: await tokenOf(viewerKey) }), 200, 'GET /api/agents');
  assert.ok(Array.isArray(j?.agents), `GET /api/agents: ${JSON.stringify(j)}`);
  return { list: j, entry: j.agents.find((a) => a.username === nameOf(agentKey)) };
}

/** Polls GET /api/agents until the agent's status is `status` (WAIT_MS at most). */
async function waitAgentStatus(viewerKey, agentKey, status) {
  const deadline = Date.now() + WAIT_MS;
  let last;
  for (;;) {
    last = await agentsAs(viewerKey, agentKey);
    if (last.entry?.status === status) return last;
    if (Date.now() > deadline) {
      assert.fail(`GET /api/agents: ${nameOf(agentKey)} should become "${status}" within ${WAIT_MS} ms; last answer: ${JSON.stringify(last.list)}`);
    }
    await sleep(100);
  }
}

/** POST /api/projects/<p>/direct-messages as `key`. */
async function openDmRest(key, project, body) {
  return rest(server, 'POST', `/api/projects/${encodeURIComponent(project)}/direct-messages`, {
    token: await tokenOf(key),
    body,
  });
}

// ---------------------------------------------------------------- tests

for (const transport of TRANSPORTS) {
  describe(`agents and direct messages over ${transport} only`, () => {
    const agentKey = `code-${transport}`;

    it('D1. a DM reaches the person and the agent only: live, on resume, events, history, search; agent status', async () => {
      const project = await freshProject('dm', { alice: 'contributor', carol: 'contributor', [agentKey]: 'contributor' });
      const agent = nameOf(agentKey);
      const alice = nameOf('alice');
      const dmName = `dm:${agent}:${alice}`;
      const opened = [];
      const open = async (key, auth) => {
        const c = await openChat(transport, key, project, auth);
        opened.push(c);
        return c;
      };
      try {
        // Members carry kind and agent_role.
        const members = await expectStatus(
          rest(server, 'GET', `/api/projects/${project}/members`, { token: await tokenOf('alice') }),
          200,
          'members',
        );
        const member = (name) => (members.members || []).find((m) => m.username === name);
        assert.deepEqual(
          [member(agent)?.kind, member(agent)?.agent_role],
          ['agent', 'code'],
          `the agent's member entry: ${JSON.stringify(members)}`,
        );
        assert.deepEqual(
          [member(alice)?.kind, member(alice) && 'agent_role' in member(alice) ? member(alice).agent_role : 'missing'],
          ['human', null],
          `a person's member entry: ${JSON.stringify(members)}`,
        );

        // Offline before its first connection.
        const before0 = await agentsAs('alice', agentKey);
        const e0 = before0.entry;
        assert.ok(e0, `the agent is listed for a project mate: ${JSON.stringify(before0.list)}`);
        assert.equal(typeof e0.user_id, 'string', JSON.stringify(e0));
        assert.deepEqual([e0.agent_role, e0.status], ['code', 'offline'], JSON.stringify(e0));
        assert.ok(Array.isArray(e0.projects) && e0.projects.includes(project), JSON.stringify(e0));
        assert.equal(before0.list.total_agents, before0.list.agents.length, JSON.stringify(before0.list));
        assert.ok(!before0.list.agents.some((a) => a.username === nameOf('stray')), 'an agent sharing no project is not listed');

        // carol (the third member) is connected the whole time.
        const c = await open('carol');
        const g = await open(agentKey);
        const a = await open('alice');
        for (const chat of [c, g, a]) {
          assert.deepEqual(dmChannels(chat.ready.channels), [], `${chat.key}: no DM yet in chat_ready`);
        }
        const online = await waitAgentStatus('alice', agentKey, 'online');
        assert.ok(online.list.active_agents >= 1, `active_agents: ${JSON.stringify(online.list)}`);

        // The person opens the DM; both participants get channel_created.
        const gFrom = g.mark();
        const aFrom = a.mark();
        const ack = await a.req('open_direct_message', { agent });
        assert.equal(ack?.ok, true, `open_direct_message: ${JSON.stringify(ack)}`);
        const dm = ack.channel;
        assert.equal(dm?.name, dmName, JSON.stringify(dm));
        assert.equal(dm.type, 'agent', JSON.stringify(dm));
        assert.deepEqual(dm.direct, { agent, user: alice }, JSON.stringify(dm));
        assert.equal(typeof dm.channel_id, 'string', JSON.stringify(dm));
        const created = await g.waitAfter(gFrom, 'channel_created', (p) => p?.name === dmName, 'channel_created of the DM');
        assert.equal(created.channel_id, dm.channel_id, JSON.stringify(created));
        assert.deepEqual([created.type, created.direct], ['agent', { agent, user: alice }], JSON.stringify(created));
        await a.waitAfter(aFrom, 'channel_created', (p) => p?.name === dmName, 'channel_created of the DM');

        // Opening again, from either side and either route, gives the same channel.
        const again = await a.req('open_direct_message', { agent });
        assert.equal(again?.channel?.channel_id, dm.channel_id, `again (person): ${JSON.stringify(again)}`);
        const fromAgent = await g.req('open_direct_message', { user: alice });
        assert.equal(fromAgent?.ok, true, JSON.stringify(fromAgent));
        assert.equal(fromAgent.channel?.channel_id, dm.channel_id, `from the agent: ${JSON.stringify(fromAgent)}`);
        assert.equal(fromAgent.channel?.name, dmName);
        const restA = await expectStatus(openDmRest('alice', project, { agent }), 200, 'REST open (person)');
        assert.equal(restA?.channel_id, dm.channel_id, JSON.stringify(restA));
        const restG = await expectStatus(openDmRest(agentKey, project, { user: alice }), 200, 'REST open (agent)');
        assert.equal(restG?.channel_id, dm.channel_id, JSON.stringify(restG));

        // The person writes, the agent gets it live and replies as an agent.
        const secret = `quasar${rand(4)}`;
        const m1 = await a.send(`hello ${secret} from alice`, { channel: dmName });
        assert.deepEqual([m1.channel, m1.author_type, m1.author_name], [dmName, 'user', alice], JSON.stringify(m1));
        const seen1 = await g.waitMessage(m1.message_id);
        assert.deepEqual([seen1.channel, seen1.content, seen1.author_type], [dmName, m1.content, 'user'], JSON.stringify(seen1));
        const r1 = await g.send(`reply ${secret} from the agent`, { channel: dmName });
        assert.deepEqual([r1.channel, r1.author_type, r1.author_name], [dmName, 'agent', agent], JSON.stringify(r1));
        const seen2 = await a.waitMessage(r1.message_id);
        assert.deepEqual([seen2.channel, seen2.author_type, seen2.author_name], [dmName, 'agent', agent], JSON.stringify(seen2));

        // Every other kind of event about the DM, each seen by the other participant.
        let from = g.mark();
        const react = await a.req('add_reaction', { message_id: r1.message_id, emoji: '👍' });
        assert.equal(react?.ok, true, `add_reaction: ${JSON.stringify(react)}`);
        await g.waitAfter(from, 'reaction_updated', (p) => p?.message_id === r1.message_id, 'reaction_updated');
        from = a.mark();
        const tr = await g.send(`thread ${secret} reply`, { channel: dmName, thread_id: m1.message_id });
        await a.waitMessage(tr.message_id);
        await a.waitAfter(from, 'thread_created', (p) => p?.thread_id === m1.message_id, 'thread_created');
        await a.waitAfter(from, 'thread_updated', (p) => p?.thread_id === m1.message_id, 'thread_updated');
        const ed = await a.req('edit_message', { message_id: m1.message_id, content: `edited ${secret} by alice` });
        assert.equal(ed?.ok, true, `edit_message: ${JSON.stringify(ed)}`);
        await g.waitMessage(m1.message_id, 'message_updated');
        const doomed = await a.send(`doomed ${secret}`, { channel: dmName });
        await g.waitMessage(doomed.message_id);
        const del = await a.req('delete_message', { message_id: doomed.message_id });
        assert.equal(del?.ok, true, `delete_message: ${JSON.stringify(del)}`);
        await g.waitMessage(doomed.message_id, 'message_deleted');
        from = g.mark();
        const ts = await a.req('typing_start', { channel: dmName });
        assert.equal(ts?.ok, true, `typing_start: ${JSON.stringify(ts)}`);
        await g.waitAfter(from, 'typing_start', (p) => p?.channel === dmName, 'typing_start in the DM');
        const tp = await a.req('typing_stop', { channel: dmName });
        assert.equal(tp?.ok, true, `typing_stop: ${JSON.stringify(tp)}`);
        await g.waitAfter(from, 'typing_stop', (p) => p?.channel === dmName, 'typing_stop in the DM');

        // A public marker: when carol has it, she would have had everything before it.
        const marker = await a.send(`marker ${rand(4)}`);
        await c.waitMessage(marker.message_id);
        await g.waitMessage(marker.message_id);
        const dmIds = [m1, r1, tr, doomed].map((m) => m.message_id);
        const needles = [dmName, secret, dm.channel_id, ...dmIds];
        assert.ok(leaks(g.rec.events, needles).length > 0, 'the leak check sees the DM in what the agent received');
        assert.deepEqual(leaks(c.rec.events, needles), [], 'carol received nothing about the DM live');
        assert.deepEqual(c.got('channel_created'), [], 'carol: no channel_created');
        assert.equal(g.got('channel_created').filter((p) => p?.name === dmName).length, 1, 'one channel_created for the agent');
        assert.equal(a.got('channel_created').filter((p) => p?.name === dmName).length, 1, 'one channel_created for alice');

        // carol is refused everything about the DM with not_found.
        for (const [event, payload] of [
          ['send_message', { channel: dmName, content: `let me in ${rand(2)}` }],
          ['send_message', { channel: dmName, content: 'thread crasher', thread_id: m1.message_id }],
          ['add_reaction', { message_id: r1.message_id, emoji: '👀' }],
          ['remove_reaction', { message_id: r1.message_id, emoji: '👍' }],
          ['edit_message', { message_id: m1.message_id, content: 'hijacked' }],
          ['delete_message', { message_id: r1.message_id }],
          ['mark_read', { channel: dmName, message_id: r1.message_id }],
          ['typing_start', { channel: dmName }],
          ['typing_stop', { channel: dmName }],
          ['request_message_history', { channel: dmName }],
          ['request_message_history', { channel: dmName, thread_id: m1.message_id }],
        ]) {
          expectRefused(await c.req(event, payload), 'not_found', `carol ${event} ${JSON.stringify(payload)}`);
        }

        // History: the participants read it, carol and the project admin get 404.
        for (const key of ['carol', 'admin']) {
          const h = await rest(server, 'GET', `/api/projects/${project}/channels/${dmName}/messages`, { token: await tokenOf(key) });
          assert.equal(h.status, 404, `${key} GET DM history: ${h.text}`);
          assert.equal(h.json?.error?.code, 'not_found', `${key} GET DM history: ${h.text}`);
        }
        const page = await expectStatus(
          rest(server, 'GET', `/api/projects/${project}/channels/${dmName}/messages`, { token: await tokenOf('alice') }),
          200,
          'alice GET DM history',
        );
        assert.deepEqual(
          page.messages.map((m) => m.message_id).filter((id) => id !== doomed.message_id),
          [r1.message_id, m1.message_id],
          `alice's DM page (newest first; carol's attempts left no trace): ${JSON.stringify(page.messages.map((m) => [m.message_id, m.content]))}`,
        );
        assert.deepEqual(
          page.messages.find((m) => m.message_id === r1.message_id)?.reactions?.map((r) => [r.emoji, r.users]),
          [['👍', [alice]]],
          "carol's reaction attempts left no trace",
        );

        // Channel lists: only the participants list the DM.
        for (const key of ['carol', 'admin']) {
          const ch = await expectStatus(rest(server, 'GET', `/api/projects/${project}/channels`, { token: await tokenOf(key) }), 200, `${key} channels`);
          assert.deepEqual(dmChannels(ch.channels), [], `${key}'s channel list has no DM`);
        }
        for (const key of ['alice', agentKey]) {
          const ch = await expectStatus(rest(server, 'GET', `/api/projects/${project}/channels`, { token: await tokenOf(key) }), 200, `${key} channels`);
          assert.deepEqual(dmChannels(ch.channels).map((x) => [x.name, x.channel_id]), [[dmName, dm.channel_id]], `${key}'s channel list`);
        }

        // The REST event log: carol and the admin see the marker and nothing of the DM.
        for (const key of ['carol', 'admin']) {
          const { events } = await restEvents(server, await tokenOf(key), project, 0);
          assert.ok(events.some((e) => e.payload?.message_id === marker.message_id), `${key}: the marker is in the event log`);
          assert.deepEqual(
            events.filter((e) => mentions(e, needles).length > 0).map((e) => [e.seq, e.kind]),
            [],
            `${key}'s events page holds nothing of the DM`,
          );
        }
        const aliceLog = await restEvents(server, await tokenOf('alice'), project, 0);
        for (const id of [m1.message_id, r1.message_id, tr.message_id]) {
          assert.ok(aliceLog.events.some((e) => e.payload?.message_id === id), `alice's events page has ${id}`);
        }

        // Search: nothing from the DM for carol (socket and REST) or the admin; the participants find it.
        const sc = await c.req('search_messages', { q: secret });
        assert.equal(sc?.ok, true, JSON.stringify(sc));
        assert.deepEqual(sc.results, [], `carol search_messages: ${JSON.stringify(sc)}`);
        for (const key of ['carol', 'admin']) {
          const r = await expectStatus(
            rest(server, 'GET', `/api/projects/${project}/search?q=${secret}`, { token: await tokenOf(key) }),
            200,
            `${key} REST search`,
          );
          assert.deepEqual(r.results, [], `${key} REST search: ${JSON.stringify(r)}`);
          const byChannel = await rest(server, 'GET', `/api/projects/${project}/search?q=${secret}&channel=${dmName}`, {
            token: await tokenOf(key),
          });
          assert.deepEqual(mentions(byChannel.json?.results ?? [], needles), [], `${key} search in the DM channel: ${byChannel.text}`);
        }
        for (const key of ['alice', agentKey]) {
          const r = await expectStatus(
            rest(server, 'GET', `/api/projects/${project}/search?q=${secret}`, { token: await tokenOf(key) }),
            200,
            `${key} REST search`,
          );
          const ids = r.results.map((x) => x.message.message_id);
          assert.deepEqual([...ids].sort(), [m1.message_id, r1.message_id, tr.message_id].sort(), `${key} finds the DM messages`);
        }

        // carol resumes from 0: the public marker again, nothing of the DM.
        const carolLog = await restEvents(server, await tokenOf('carol'), project, 0);
        const c2 = await open('carol', { since_seq: 0 });
        assert.deepEqual(dmChannels(c2.ready.channels), [], "carol's chat_ready lists no DM");
        const lastVisible = carolLog.events[carolLog.events.length - 1].seq;
        await c2.rec.waitUntil((evs) => evs.some((e) => e.args[0]?.seq === lastVisible), `carol's replay up to seq ${lastVisible}`);
        await c2.waitMessage(marker.message_id);
        assert.deepEqual(leaks(c2.rec.events, needles), [], "carol's replay holds nothing of the DM");
        assert.deepEqual(
          c2.rec.events.filter((e) => Number.isInteger(e.args[0]?.seq)).map((e) => e.args[0].seq),
          carolLog.events.map((e) => e.seq),
          'the replay is exactly her REST event log',
        );

        // The agent resumes from 0 (on a second socket): the DM and its messages are replayed.
        const g2 = await open(agentKey, { since_seq: 0 });
        assert.deepEqual(
          dmChannels(g2.ready.channels).map((x) => [x.name, x.channel_id, x.type, x.direct]),
          [[dmName, dm.channel_id, 'agent', { agent, user: alice }]],
          "the agent's chat_ready lists the DM",
        );
        await g2.waitMessage(marker.message_id);
        for (const m of [m1, r1, tr, doomed]) await g2.waitMessage(m.message_id);
        await g2.waitMessage(m1.message_id, 'message_updated');
        await g2.waitMessage(doomed.message_id, 'message_deleted');
        assert.equal(g2.got('channel_created').filter((p) => p?.name === dmName).length, 1, 'channel_created replayed');
        const agentLog = await restEvents(server, await tokenOf(agentKey), project, 0);
        const agentLast = agentLog.events[agentLog.events.length - 1].seq;
        await g2.rec.waitUntil((evs) => evs.some((e) => e.args[0]?.seq === agentLast), `the agent's replay up to seq ${agentLast}`);
        assert.deepEqual(
          g2.rec.events.filter((e) => Number.isInteger(e.args[0]?.seq)).map((e) => e.args[0].seq),
          agentLog.events.map((e) => e.seq),
          "the agent's replay is exactly its REST event log",
        );
        // The agent's log is carol's plus the DM's events (channel_created, 4 messages, a reaction,
        // a thread, an edit, a delete).
        assert.ok(agentLog.events.filter((e) => mentions(e, needles).length > 0).length >= 9, 'the DM events are in its log');
        assert.deepEqual(
          agentLog.events.filter((e) => mentions(e, needles).length === 0).map((e) => e.seq),
          carolLog.events.map((e) => e.seq),
          "carol's log is the agent's without the DM",
        );
        const a2 = await open('alice');
        assert.deepEqual(dmChannels(a2.ready.channels).map((x) => x.name), [dmName], "alice's chat_ready lists the DM");

        // Idle, online, and offline once every agent socket is gone.
        const idle = await g.req('set_presence', { status: 'idle' });
        assert.equal(idle?.ok, true, JSON.stringify(idle));
        const g2idle = await g2.req('set_presence', { status: 'idle' });
        assert.equal(g2idle?.ok, true, JSON.stringify(g2idle));
        await waitAgentStatus('alice', agentKey, 'idle');
        const back = await g.req('set_presence', { status: 'online' });
        assert.equal(back?.ok, true, JSON.stringify(back));
        await waitAgentStatus('alice', agentKey, 'online');
        g.close();
        g2.close();
        const off = await waitAgentStatus('alice', agentKey, 'offline');
        assert.deepEqual(off.entry.projects, [project], JSON.stringify(off.entry));
      } finally {
        for (const chat of opened) chat.close();
      }
    });

    it('D2. opening a DM: person↔person, agent↔agent, non-members, bad bodies are refused; nothing is created', async () => {
      const project = await freshProject('dmerr', {
        alice: 'contributor',
        carol: 'contributor',
        [agentKey]: 'contributor',
        qa: 'contributor',
      });
      const agent = nameOf(agentKey);
      const carol = nameOf('carol');
      const a = await openChat(transport, 'alice', project);
      const g = await openChat(transport, agentKey, project);
      try {
        // Over the socket.
        for (const [chat, payload, code, what] of [
          [a, { agent: carol }, 'invalid_direct_message', 'a person naming a person (agent field)'],
          [a, { user: carol }, 'invalid_direct_message', 'a person naming a person (user field)'],
          [g, { user: nameOf('qa') }, 'invalid_direct_message', 'an agent naming an agent'],
          [a, { agent: nameOf('stray') }, 'not_found', 'an agent who is not a member'],
          [a, { agent: `nobody${rand(3)}` }, 'not_found', 'no such user'],
        ]) {
          const ack = await chat.req('open_direct_message', payload);
          expectRefused(ack, code, what);
          assert.ok('hint' in ack.error, `${what}: error has a hint field: ${JSON.stringify(ack)}`);
        }
        for (const [payload, what] of [
          [{ agent, user: carol }, 'both fields'],
          [{}, 'no field'],
        ]) {
          const ack = await a.req('open_direct_message', payload);
          assert.equal(ack?.ok, false, `${what}: ${JSON.stringify(ack)}`);
          assert.equal(typeof ack.error?.code, 'string', `${what}: ${JSON.stringify(ack)}`);
        }

        // Over REST.
        for (const [key, body, status, code, what] of [
          ['alice', { agent: carol }, 400, 'invalid_direct_message', 'a person naming a person'],
          ['alice', { agent: nameOf('stray') }, 404, 'not_found', 'an agent who is not a member'],
          ['alice', { agent, user: carol }, 400, undefined, 'both fields'],
          ['alice', {}, 400, undefined, 'no field'],
          ['alice', { with: agent }, 422, undefined, 'unknown field'],
          ['alice', { agent, colour: 'red' }, 422, undefined, 'a known and an unknown field'],
        ]) {
          const r = await openDmRest(key, project, body);
          assert.equal(r.status, status, `REST ${what} ${JSON.stringify(body)}: ${r.status} ${r.text}`);
          if (code) assert.equal(r.json?.error?.code, code, `REST ${what}: ${r.text}`);
        }

        // None of that created a channel or told anyone about one (a public marker arrives after
        // anything sent before it).
        const marker = await a.send(`marker ${rand(4)}`);
        await g.waitMessage(marker.message_id);
        for (const chat of [a, g]) assert.deepEqual(chat.got('channel_created'), [], `${chat.key}: no channel_created`);
        for (const key of ['alice', agentKey, 'admin']) {
          const ch = await expectStatus(rest(server, 'GET', `/api/projects/${project}/channels`, { token: await tokenOf(key) }), 200, 'channels');
          assert.deepEqual(dmChannels(ch.channels), [], `${key}: no DM was created`);
        }
      } finally {
        a.close();
        g.close();
      }
    });
  });
}
