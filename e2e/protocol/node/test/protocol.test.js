// Real socket.io-client (Node) protocol tests for the Huddle /portal namespace.
// Every socket test runs once per transport (websocket-only, polling-only).
import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  TRANSPORTS,
  MEMBER_KINDS,
  it,
  rand,
  startServer,
  cliUserAdd,
  rest,
  login,
  createProject,
  addMember,
  removeMember,
  restEvents,
  portalSocket,
} from './harness.js';

let server;

before(async () => {
  // Test 7 opens 30 portal sockets of one user at once: lift the per-user portal cap (the
  // harness lifts the read budget /portal requests use; both have their own tests in the Rust
  // suite) so the race is what is tested.
  server = await startServer({ env: { HUDDLE_REALTIME__PORTAL_CONNECTIONS_PER_USER: '100' } });
});

after(async () => {
  if (server) await server.stop();
});

const adminLogin = () => login(server, 'admin', server.adminPassword);

// Password hashing can be slow in a debug build: reuse the admin's token
// until half of its lifetime has passed.
let adminCache = null;
async function adminToken() {
  if (!adminCache || Date.now() - adminCache.at > (adminCache.ttl * 1000) / 2) {
    const j = await adminLogin();
    adminCache = { token: j.access_token, at: Date.now(), ttl: Number(j.expires_in) || 60 };
  }
  return adminCache.token;
}

/** Admin creates a fresh project (and so is its admin member). */
async function freshProject(prefix) {
  const token = await adminToken();
  const project = `${prefix}-${rand(4)}`;
  await createProject(server, token, project);
  // admin created it, so admin is already its admin member
  return { token, project };
}

async function newUser(prefix) {
  const username = `${prefix}${rand(4)}`;
  const password = `pw-${rand(8)}`;
  await cliUserAdd(server, username, password);
  const { access_token: token } = await login(server, username, password);
  return { username, password, token };
}

/** Alternately adds and removes `username` n times → n events. */
async function churnMembership(token, project, username, n) {
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) await addMember(server, token, project, username, 'contributor');
    else await removeMember(server, token, project, username);
  }
}

/** Project events (member_added/member_removed) recorded on a socket for a project. */
function projectEvents(rec, project) {
  return rec.events.filter((e) => MEMBER_KINDS.has(e.name) && e.args[0] && e.args[0].project_name === project);
}

/**
 * The barrier on /portal: one more project event (`username`, not a member now, is added), which
 * `rec` must receive as `seq` `lastSeq + 1`. Delivery to a socket is in `seq` order, so what `rec`
 * received before it is all it will ever receive of the events up to `lastSeq`. Returns the
 * index of the marker in `rec.events`.
 */
async function markerEvent(rec, token, project, username, lastSeq) {
  await addMember(server, token, project, username, 'contributor');
  await rec.waitUntil(
    (evs) => projectEvents({ events: evs }, project).some((e) => e.args[0].seq === lastSeq + 1),
    `the marker event (seq ${lastSeq + 1})`,
  );
  const i = rec.events.findIndex((e) => MEMBER_KINDS.has(e.name) && e.args[0]?.project_name === project && e.args[0].seq === lastSeq + 1);
  assert.equal(rec.events[i].name, 'member_added', JSON.stringify(rec.events[i].args));
  return i;
}

function assertEventPayload(name, p, project) {
  assert.equal(typeof p, 'object', `${name} payload must be an object`);
  assert.ok(Number.isInteger(p.seq), `${name}.seq must be an integer: ${JSON.stringify(p)}`);
  assert.equal(p.project_name, project, `${name}.project_name`);
  assert.equal(p.kind, name, `${name}.kind must equal the event name`);
  assert.ok(p.actor !== undefined && p.actor !== null, `${name}.actor missing: ${JSON.stringify(p)}`);
  assert.ok(p.timestamp !== undefined && p.timestamp !== null, `${name}.timestamp missing: ${JSON.stringify(p)}`);
  assert.equal(typeof p.username, 'string', `${name}.username missing: ${JSON.stringify(p)}`);
  if (name === 'member_added') assert.equal(typeof p.role, 'string', `member_added.role missing: ${JSON.stringify(p)}`);
}

async function joinedSocket(transport, token, project, since_seq) {
  const rec = portalSocket(server, transport, { token });
  await rec.connected();
  const payload = { project_name: project };
  if (since_seq !== undefined) payload.since_seq = since_seq;
  rec.socket.emit('join_project', payload);
  const joined = await rec.waitFor('joined_project', `joined_project for ${project}`, (p) => p?.project_name === project);
  return { rec, joined: joined.args[0] };
}

describe('REST contract used by the socket tests', () => {
  it('login returns tokens and user; bad password is 401 invalid_credentials', async () => {
    const j = await adminLogin();
    assert.equal(typeof j.access_token, 'string');
    assert.equal(typeof j.refresh_token, 'string');
    assert.equal(j.token_type, 'Bearer');
    assert.ok(Number.isInteger(j.expires_in) && j.expires_in > 0, `expires_in: ${j.expires_in}`);
    assert.equal(j.user.username, 'admin');
    assert.equal(j.user.is_admin, true);
    const bad = await rest(server, 'POST', '/auth/login', { body: { username: 'admin', password: 'wrong' } });
    assert.equal(bad.status, 401, bad.text);
    assert.equal(bad.json?.error?.code, 'invalid_credentials', bad.text);
    assert.equal(typeof bad.json?.error?.message, 'string', bad.text);
  });

  it('member add/remove appear in the events endpoint with contiguous seqs', async () => {
    const { token, project } = await freshProject('rest');
    const u = await newUser('ru');
    await churnMembership(token, project, u.username, 4);
    const { events, lastSeq } = await restEvents(server, token, project, 0);
    assert.deepEqual(
      events.slice(-5).map((e) => [e.kind, e.payload?.username ?? e.payload?.owner?.username]),
      [
        ['project_created', 'admin'],
        ['member_added', u.username],
        ['member_removed', u.username],
        ['member_added', u.username],
        ['member_removed', u.username],
      ],
      JSON.stringify(events),
    );
    assert.deepEqual(
      events.map((e) => e.seq),
      events.map((_, i) => events[0].seq + i),
    );
    assert.equal(lastSeq, events[events.length - 1].seq);
  });
});

for (const transport of TRANSPORTS) {
  describe(`portal over ${transport} only`, () => {
    it('1. bad, forged or missing token → connect_error "Authentication failed"', async () => {
      const access_token = await adminToken();
      const parts = access_token.split('.');
      const forged =
        parts.length === 3
          ? `${parts[0]}.${parts[1]}.${Buffer.from('forged-signature-' + rand(8)).toString('base64url')}`
          : `${access_token}x`;
      const cases = [
        ['garbage token', { token: 'not-a-real-token' }],
        ['forged signature', { token: forged }],
        ['empty auth object', {}],
        ['no auth at all', undefined],
      ];
      for (const [label, auth] of cases) {
        const rec = portalSocket(server, transport, auth);
        try {
          const e = await rec.waitUntil(
            (evs) => evs.find((x) => x.name === '$connect_error' || x.name === '$connect'),
            `connect outcome (${label})`,
          );
          assert.equal(e.name, '$connect_error', `${label}: connection must be refused`);
          assert.equal(e.args[0].message, 'Authentication failed', `${label}: connect_error message`);
          assert.equal(rec.socket.connected, false);
        } finally {
          rec.close();
        }
      }
    });

    it('2. admin creates project, joins, gets joined_project with last_seq >= 1', async () => {
      const { token, project } = await freshProject('join');
      const rec = portalSocket(server, transport, { token });
      try {
        await rec.connected();
        const ack = await rec.emitWithAck('join_project', { project_name: project });
        assert.equal(ack?.ok, true, `ack: ${JSON.stringify(ack)}`);
        assert.equal(ack.project_name, project, `ack: ${JSON.stringify(ack)}`);
        const ev = await rec.waitFor('joined_project', 'joined_project', (p) => p?.project_name === project);
        const j = ev.args[0];
        assert.equal(j.project_name, project);
        assert.ok(Number.isInteger(j.last_seq), `last_seq must be an integer: ${JSON.stringify(j)}`);
        assert.ok(j.last_seq >= 1, `last_seq >= 1 (member_added of admin): ${JSON.stringify(j)}`);
        assert.ok('current_state' in j, `current_state missing: ${JSON.stringify(j)}`);
        assert.ok('active_users' in j, `active_users missing: ${JSON.stringify(j)}`);
        assert.ok('last_activity' in j, `last_activity missing: ${JSON.stringify(j)}`);
        assert.equal(ack.last_seq, j.last_seq, 'ack and joined_project agree on last_seq');
        const { lastSeq } = await restEvents(server, token, project, 0);
        assert.equal(j.last_seq, lastSeq, 'joined_project.last_seq equals REST last_seq');
      } finally {
        rec.close();
      }
    });

    it('3. resume with since_seq replays exactly the missed events', async () => {
      const N = 20;
      const { token, project } = await freshProject('resume');
      const u = await newUser('rs');
      const first = await joinedSocket(transport, token, project);
      const since = first.joined.last_seq;
      assert.ok(Number.isInteger(since) && since >= 1);
      first.rec.close();

      await churnMembership(token, project, u.username, N);
      const { events: missed, lastSeq } = await restEvents(server, token, project, since);
      assert.equal(missed.length, N, 'REST shows the N new events');
      assert.equal(lastSeq, since + N);

      const rec = portalSocket(server, transport, { token });
      try {
        await rec.connected();
        rec.socket.emit('join_project', { project_name: project, since_seq: since });
        await rec.waitUntil(
          (evs) => projectEvents({ events: evs }, project).some((e) => e.args[0].seq >= lastSeq),
          `replayed events up to seq ${lastSeq}`,
        );
        // Anything extra (duplicates) would arrive before a marker event made after the replay
        // (N is even: the user is not a member now).
        const upTo = await markerEvent(rec, token, project, u.username, lastSeq);
        const joinedIdx = rec.events.findIndex((e) => e.name === 'joined_project');
        assert.ok(joinedIdx >= 0, 'joined_project received');
        const joined = rec.events[joinedIdx].args[0];
        assert.equal(joined.last_seq, lastSeq, 'joined_project.last_seq is the current last seq');
        const replay = projectEvents({ events: rec.events.slice(0, upTo) }, project);
        const firstReplayIdx = rec.events.indexOf(replay[0]);
        assert.ok(joinedIdx < firstReplayIdx, 'joined_project arrives before the replayed events');
        for (const e of replay) assertEventPayload(e.name, e.args[0], project);
        assert.deepEqual(
          replay.map((e) => e.args[0].seq),
          missed.map((e) => e.seq),
          'replayed seqs are exactly the missed ones, in order',
        );
        assert.deepEqual(
          replay.map((e) => e.args[0].seq),
          Array.from({ length: N }, (_, i) => since + 1 + i),
          'contiguous from since_seq+1 to last_seq',
        );
        assert.deepEqual(
          replay.map((e) => e.name),
          missed.map((e) => e.kind),
        );
        assert.ok(replay.every((e) => e.args[0].username === u.username));
        assert.equal(rec.named('resync_required').length, 0, 'no resync_required for a small gap');
      } finally {
        rec.close();
      }
    });

    it('4. live events arrive with increasing contiguous seqs', async () => {
      const N = 10;
      const { token, project } = await freshProject('live');
      const u = await newUser('lv');
      const { rec, joined } = await joinedSocket(transport, token, project);
      try {
        const start = joined.last_seq;
        await churnMembership(token, project, u.username, N);
        const { events: rest_, lastSeq } = await restEvents(server, token, project, start);
        assert.equal(lastSeq, start + N);
        await rec.waitUntil(
          (evs) => projectEvents({ events: evs }, project).some((e) => e.args[0].seq >= lastSeq),
          `live events up to seq ${lastSeq}`,
        );
        const upTo = await markerEvent(rec, token, project, u.username, lastSeq); // N is even
        const live = projectEvents({ events: rec.events.slice(0, upTo) }, project);
        for (const e of live) assertEventPayload(e.name, e.args[0], project);
        assert.deepEqual(
          live.map((e) => e.args[0].seq),
          Array.from({ length: N }, (_, i) => start + 1 + i),
        );
        assert.deepEqual(
          live.map((e) => e.name),
          rest_.map((e) => e.kind),
        );
      } finally {
        rec.close();
      }
    });

    it('5. non-member and unknown project: error + ack ok:false, no events leak', async () => {
      const { token, project } = await freshProject('priv');
      const outsider = await newUser('nm');
      const rec = portalSocket(server, transport, { token: outsider.token });
      let sentinel;
      try {
        await rec.connected();
        const ack = await rec.emitWithAck('join_project', { project_name: project, since_seq: 0 });
        assert.equal(ack?.ok, false, `ack: ${JSON.stringify(ack)}`);
        assert.equal(ack.error?.code, 'forbidden', `ack: ${JSON.stringify(ack)}`);
        assert.equal(typeof ack.error?.message, 'string');
        const err = await rec.waitFor('error', 'error event for forbidden join', (p) => p?.code === 'forbidden');
        assert.equal(err.args[0].event, 'join_project', JSON.stringify(err.args[0]));
        assert.equal(typeof err.args[0].message, 'string');

        const missing = `nope-${rand(4)}`;
        const ack2 = await rec.emitWithAck('join_project', { project_name: missing });
        assert.equal(ack2?.ok, false, `ack: ${JSON.stringify(ack2)}`);
        assert.equal(ack2.error?.code, 'not_found', `ack: ${JSON.stringify(ack2)}`);
        const err2 = await rec.waitFor('error', 'error event for unknown project', (p) => p?.code === 'not_found');
        assert.equal(err2.args[0].event, 'join_project');

        // A member socket proves the events below were broadcast before we check.
        sentinel = (await joinedSocket(transport, token, project)).rec;
        const u = await newUser('nx');
        await churnMembership(token, project, u.username, 4);
        const { lastSeq } = await restEvents(server, token, project, 0);
        await sentinel.waitUntil(
          (evs) => projectEvents({ events: evs }, project).some((e) => e.args[0].seq >= lastSeq),
          'sentinel receives the live events',
        );
        // The dispatcher hands an event to every socket of the room before the next one, so by
        // now anything leaked to `rec` is queued on its connection, ahead of the ack of a request
        // made now (leaving a project it never joined: a no-op).
        const left = await rec.emitWithAck('leave_project', { project_name: project });
        assert.equal(left?.ok, true, `leave_project: ${JSON.stringify(left)}`);
        const leaked = rec.events.filter((e) => !['$connect', 'error'].includes(e.name));
        assert.deepEqual(
          leaked.map((e) => [e.name, e.args]),
          [],
          'non-member must receive nothing but the errors',
        );
        assert.equal(rec.named('error').length, 2, 'exactly two error events');
      } finally {
        rec.close();
        if (sentinel) sentinel.close();
      }
    });

    it('6. presence: second member joining → user_joined with active_users 2; leave → user_left', async () => {
      const { token, project } = await freshProject('pres');
      const b = await newUser('pb');
      await addMember(server, token, project, b.username, 'contributor');
      const a = await joinedSocket(transport, token, project);
      let bRec;
      try {
        const bJoin = await joinedSocket(transport, b.token, project);
        bRec = bJoin.rec;
        const uj = await a.rec.waitFor('user_joined', `user_joined for ${b.username}`, (p) => p?.username === b.username);
        const p = uj.args[0];
        assert.equal(p.project_name, project, JSON.stringify(p));
        assert.equal(p.active_users, 2, `active_users: ${JSON.stringify(p)}`);
        assert.ok(p.user_id !== undefined && p.user_id !== null, JSON.stringify(p));
        assert.ok(p.timestamp !== undefined && p.timestamp !== null, JSON.stringify(p));

        bRec.socket.emit('leave_project', { project_name: project });
        const ul = await a.rec.waitFor('user_left', `user_left for ${b.username}`, (q) => q?.username === b.username);
        assert.equal(ul.args[0].project_name, project);
        assert.equal(ul.args[0].active_users, 1, `active_users: ${JSON.stringify(ul.args[0])}`);
        assert.equal(ul.args[0].user_id, p.user_id);
      } finally {
        a.rec.close();
        if (bRec) bRec.close();
      }
    });

    it('7. join_project emitted inside the connect handler always succeeds (30 fresh connections)', async () => {
      const COUNT = 30;
      const { token, project } = await freshProject('race');
      const { lastSeq } = await restEvents(server, token, project, 0);
      const recs = [];
      try {
        for (let i = 0; i < COUNT; i++) {
          const rec = portalSocket(
            server,
            transport,
            { token },
            {
              onConnect: (socket) => {
                socket.emit('join_project', { project_name: project }, (ack) => rec.push('$ack', [ack]));
              },
            },
          );
          recs.push(rec);
        }
        const results = await Promise.allSettled(
          recs.map((rec, i) =>
            rec.waitUntil(
              (evs) =>
                evs.some((e) => e.name === '$ack') &&
                evs.some((e) => e.name === 'joined_project' && e.args[0]?.project_name === project),
              `connection #${i}: ack + joined_project`,
            ),
          ),
        );
        const failures = [];
        recs.forEach((rec, i) => {
          if (results[i].status === 'rejected') failures.push(`#${i}: ${results[i].reason.message}`);
          const joined = rec.events.find((e) => e.name === 'joined_project');
          if (joined && joined.args[0].last_seq !== lastSeq) failures.push(`#${i}: last_seq ${joined.args[0].last_seq}`);
          const a = rec.events.find((e) => e.name === '$ack')?.args[0];
          if (a && (a.ok !== true || a.project_name !== project)) failures.push(`#${i}: bad ack ${JSON.stringify(a)}`);
        });
        assert.deepEqual(failures, [], `${failures.length} problems over ${COUNT} connections`);
      } finally {
        recs.forEach((r) => r.close());
      }
    });
  });
}
