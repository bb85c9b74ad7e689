// More real socket.io-client (Node) tests of the Huddle chat namespace `/chat/<project>`
// (contract: docs/chat-api.md): attachments, search, presence, resync after a long gap,
// and the per-user connection cap. Every socket test runs once per transport.
import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import {
  TRANSPORTS,
  WAIT_MS,
  it,
  rand,
  startServer,
  cliUserAdd,
  rest,
} from './harness.js';
import { addUsers, barrier, chatHelpers, expectRefused } from './chat_helpers.js';

let server;
const users = {}; // key -> { username, password, token, at, ttl }

before(async () => {
  server = await startServer();
  await addUsers(server, users, ['bob', 'outsider']);
});

after(async () => {
  if (server) await server.stop();
});

// ---------------------------------------------------------------- helpers (shared ones: chat_helpers.js)

const { tokenOf, nameOf, freshProject, openChat } = chatHelpers(() => server, users);

// ---------------------------------------------------------------- PNG, uploads, downloads

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function pngChunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
/** A valid RGB PNG of width × height (a gradient). */
function makePng(width, height) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolour, deflate, no filter, no interlace
  const raw = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 3);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) raw.set([(x * 4) & 255, (y * 5) & 255, 128], row + 1 + x * 3);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** POST /api/projects/<p>/attachments with `file` fields [[fileName, bytes, type]]. */
async function upload(token, project, files) {
  const form = new FormData();
  for (const [fileName, bytes, type] of files) form.append('file', new Blob([bytes], { type }), fileName);
  const res = await fetch(`${server.base}/api/projects/${encodeURIComponent(project)}/attachments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
    signal: AbortSignal.timeout(Math.max(WAIT_MS, 30000)),
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, json, text };
}

/** GET an attachment url (absolute or relative), with a bearer token or none. */
async function download(url, token) {
  const res = await fetch(new URL(url, server.base), {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: AbortSignal.timeout(WAIT_MS),
  });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body };
}

function withToken(url, token) {
  const u = new URL(url, server.base);
  u.searchParams.set('token', token);
  return u.toString();
}

// ---------------------------------------------------------------- tests

for (const transport of TRANSPORTS) {
  describe(`chat extras over ${transport} only`, () => {
    it('A1. attachments: upload png + txt, send with empty content, members download, others refused', async () => {
      const project = await freshProject('att');
      const a = await openChat(transport, 'admin', project);
      const b = await openChat(transport, 'bob', project);
      try {
        const adminTok = await tokenOf('admin');
        const bobTok = await tokenOf('bob');
        const png = makePng(64, 48);
        const text = `notes ${rand(4)}\nsecond line é\n`;
        const txt = Buffer.from(text, 'utf8');
        const up = await upload(adminTok, project, [
          ['chart.png', png, 'image/png'],
          ['notes.txt', txt, 'text/plain'],
        ]);
        assert.equal(up.status, 201, `upload: ${up.text}`);
        const [img, doc] = up.json.attachments;
        assert.equal(up.json.attachments.length, 2, up.text);
        assert.deepEqual(
          [img.file_name, img.content_type, img.size, img.width, img.height, typeof img.url, typeof img.thumbnail_url],
          ['chart.png', 'image/png', png.length, 64, 48, 'string', 'string'],
          `png attachment: ${JSON.stringify(img)}`,
        );
        assert.equal(doc.file_name, 'notes.txt', JSON.stringify(doc));
        assert.match(doc.content_type, /^text\/plain/, JSON.stringify(doc));
        assert.equal(doc.size, txt.length, JSON.stringify(doc));
        assert.equal(typeof doc.url, 'string', JSON.stringify(doc));
        assert.equal(doc.thumbnail_url ?? null, null, `no thumbnail for text: ${JSON.stringify(doc)}`);
        assert.equal(doc.width ?? null, null, JSON.stringify(doc));

        // Before it is posted only the uploader can download it.
        assert.equal((await download(img.url, adminTok)).status, 200, 'the uploader downloads before posting');
        const early = await download(img.url, bobTok);
        assert.ok([403, 404].includes(early.status), `another member before posting: ${early.status}`);

        const m = await a.send('', { attachments: [img.attachment_id, doc.attachment_id] });
        assert.equal(m.content, '', JSON.stringify(m));
        const seen = await b.waitMessage(m.message_id);
        assert.deepEqual(
          seen.attachments.map((x) => x.attachment_id),
          [img.attachment_id, doc.attachment_id],
          `message_received.attachments: ${JSON.stringify(seen.attachments)}`,
        );
        const [sImg, sDoc] = seen.attachments;
        assert.deepEqual(
          [sImg.url, sImg.thumbnail_url, sImg.width, sImg.height, sImg.content_type],
          [img.url, img.thumbnail_url, 64, 48, 'image/png'],
          JSON.stringify(sImg),
        );
        assert.equal(sDoc.url, doc.url, JSON.stringify(sDoc));
        assert.equal(sDoc.thumbnail_url ?? null, null, JSON.stringify(sDoc));

        // The other member downloads with a bearer token and with ?token=.
        const g1 = await download(sImg.url, bobTok);
        assert.equal(g1.status, 200, 'bob, Bearer');
        assert.equal(g1.headers.get('content-type'), 'image/png');
        assert.ok(g1.body.equals(png), 'the stored bytes come back');
        const g2 = await download(withToken(sImg.url, bobTok));
        assert.equal(g2.status, 200, 'bob, ?token=');
        assert.equal(g2.headers.get('content-type'), 'image/png');
        assert.ok(g2.body.equals(png));
        const th = await download(withToken(sImg.thumbnail_url, bobTok));
        assert.equal(th.status, 200, 'thumbnail with ?token=');
        assert.equal(th.headers.get('content-type'), 'image/png');
        assert.ok(th.body.subarray(0, 8).equals(png.subarray(0, 8)), 'the thumbnail is a PNG');
        const gt = await download(sDoc.url, bobTok);
        assert.equal(gt.status, 200, 'text download');
        assert.match(gt.headers.get('content-type') || '', /^text\/plain/);
        assert.match(gt.headers.get('content-security-policy') || '', /sandbox/);
        assert.match(gt.headers.get('content-disposition') || '', /^attachment/);
        assert.equal(gt.body.toString('utf8'), text);

        // A non-member is refused, with either form of token; no token at all is not allowed.
        const outTok = await tokenOf('outsider');
        assert.equal((await download(sImg.url, outTok)).status, 403, 'non-member, Bearer');
        assert.equal((await download(withToken(sImg.url, outTok))).status, 403, 'non-member, ?token=');
        assert.equal((await download(sImg.url)).status, 401, 'no token');

        // One upload, one message.
        expectRefused(
          await a.req('send_message', { content: 'again', attachments: [img.attachment_id] }),
          'invalid_attachment',
          'reusing a posted attachment',
        );
        // HTML is not an allowed type.
        const html = await upload(adminTok, project, [['page.html', Buffer.from('<p>hi</p>'), 'text/html']]);
        assert.equal(html.status, 400, `.html upload: ${html.text}`);
        assert.equal(html.json?.error?.code, 'invalid_attachment', html.text);
        // Another member's upload cannot be attached by the admin, but by its uploader.
        const bobUp = await upload(bobTok, project, [['bob.txt', Buffer.from('from bob\n'), 'text/plain']]);
        assert.equal(bobUp.status, 201, bobUp.text);
        const bobId = bobUp.json.attachments[0].attachment_id;
        expectRefused(
          await a.req('send_message', { content: 'not mine', attachments: [bobId] }),
          'invalid_attachment',
          "attaching another member's upload",
        );
        const bobMsg = await b.send('mine', { attachments: [bobId] });
        assert.deepEqual(bobMsg.attachments.map((x) => x.attachment_id), [bobId], JSON.stringify(bobMsg));
        // A 1x1 PNG is a valid image too.
        const tiny = await upload(adminTok, project, [['dot.png', PNG_1X1, 'image/png']]);
        assert.equal(tiny.status, 201, tiny.text);
        assert.deepEqual([tiny.json.attachments[0].width, tiny.json.attachments[0].height], [1, 1], tiny.text);
      } finally {
        a.close();
        b.close();
      }
    });

    it('S1. search: socket and REST agree, newest first, escaped snippets with <mark>, filters, deletes, errors', async () => {
      const project = await freshProject('srch');
      const a = await openChat(transport, 'admin', project);
      const b = await openChat(transport, 'bob', project);
      try {
        const adminTok = await tokenOf('admin');
        const ch = await a.req('create_channel', { name: 'side' });
        assert.equal(ch?.ok, true, JSON.stringify(ch));
        const strong = await a.send('walrus walrus walrus walrus');
        const weak = await a.send('a long sentence that mentions the walrus only once among many other words here');
        const bobs = await b.send('bob thinks about the walrus too');
        const side = await a.send('walrus in the side channel', { channel: 'side' });
        const tagged = await a.send('look at <b>quokka</b> now');
        const gone = await a.send('ephemeral pangolin message');
        await b.waitMessage(gone.message_id);

        const viaSocket = async (q) => {
          const ack = await b.req('search_messages', q);
          assert.equal(ack?.ok, true, `search_messages ${JSON.stringify(q)}: ${JSON.stringify(ack)}`);
          assert.ok(Array.isArray(ack.results), JSON.stringify(ack));
          return ack;
        };
        const viaRest = async (q) => {
          const qs = new URLSearchParams(q).toString();
          const r = await rest(server, 'GET', `/api/projects/${project}/search?${qs}`, { token: await tokenOf('bob') });
          assert.equal(r.status, 200, `REST search ${qs}: ${r.text}`);
          return r.json;
        };
        const ids = (res) => res.results.map((x) => x.message.message_id);

        const s = await viaSocket({ q: 'walrus' });
        const r = await viaRest({ q: 'walrus' });
        assert.equal(s.query, 'walrus', JSON.stringify(s.query));
        assert.equal(r.query, 'walrus', JSON.stringify(r.query));
        assert.deepEqual(
          [...ids(s)].sort(),
          [strong, weak, bobs, side].map((m) => m.message_id).sort(),
          'every walrus message, nothing else',
        );
        // "newest first" (docs/chat-api.md): checked last, so that the other checks run either way.
        const ranked = s.results.map((x) => x.message.content);
        assert.deepEqual(ids(r), ids(s), 'REST and socket give the same results in the same order');
        assert.deepEqual(
          r.results.map((x) => x.snippet_html),
          s.results.map((x) => x.snippet_html),
          'same snippets',
        );
        for (const hit of s.results) {
          assert.match(hit.snippet_html, /<mark>walrus<\/mark>/i, hit.snippet_html);
        }

        // Markup in the content is escaped in the snippet; only <mark> is markup.
        const q1 = await viaSocket({ q: 'quokka' });
        assert.deepEqual(ids(q1), [tagged.message_id]);
        const snip = q1.results[0].snippet_html;
        assert.match(snip, /<mark>quokka<\/mark>/i, snip);
        assert.ok(!snip.includes('<b>') && !snip.includes('</b>'), `raw <b> in snippet: ${snip}`);
        assert.ok(snip.includes('&lt;b&gt;'), `escaped <b> expected in snippet: ${snip}`);
        assert.deepEqual(
          (snip.match(/<[^>]*>/g) || []).filter((t) => !/^<\/?mark>$/i.test(t)),
          [],
          `no tags but <mark>: ${snip}`,
        );
        assert.deepEqual(ids(await viaRest({ q: 'quokka' })), [tagged.message_id]);
        // The last word matches as a prefix.
        assert.deepEqual(ids(await viaSocket({ q: 'quok' })), [tagged.message_id], 'prefix of the last word');

        // Filters narrow the results.
        assert.deepEqual(ids(await viaSocket({ q: 'walrus', channel: 'side' })), [side.message_id], 'channel filter');
        assert.deepEqual(ids(await viaRest({ q: 'walrus', channel: 'side' })), [side.message_id], 'REST channel filter');
        assert.deepEqual(ids(await viaSocket({ q: 'walrus', author: nameOf('bob') })), [bobs.message_id], 'author filter');
        assert.deepEqual(ids(await viaRest({ q: 'walrus', author: nameOf('bob') })), [bobs.message_id], 'REST author filter');
        assert.deepEqual(
          [...ids(await viaSocket({ q: 'walrus', channel: 'general', author: 'admin' }))].sort(),
          [strong.message_id, weak.message_id].sort(),
          'channel and author together',
        );

        // Deleted messages are not found.
        assert.deepEqual(ids(await viaSocket({ q: 'pangolin' })), [gone.message_id], 'found before the delete');
        const del = await a.req('delete_message', { message_id: gone.message_id });
        assert.equal(del?.ok, true, JSON.stringify(del));
        assert.deepEqual(ids(await viaSocket({ q: 'pangolin' })), [], 'socket: deleted message not found');
        assert.deepEqual(ids(await viaRest({ q: 'pangolin' })), [], 'REST: deleted message not found');

        // Bad queries and non-members.
        expectRefused(await b.req('search_messages', { q: '' }), 'invalid_query', 'empty q');
        const emptyRest = await rest(server, 'GET', `/api/projects/${project}/search?q=`, { token: adminTok });
        assert.equal(emptyRest.status, 400, emptyRest.text);
        assert.equal(emptyRest.json?.error?.code, 'invalid_query', emptyRest.text);
        const outsider = await rest(server, 'GET', `/api/projects/${project}/search?q=walrus`, {
          token: await tokenOf('outsider'),
        });
        assert.equal(outsider.status, 403, `non-member REST search: ${outsider.text}`);

        assert.deepEqual(
          ranked,
          [side.content, bobs.content, weak.content, strong.content],
          `newest first; got ${JSON.stringify(ranked)}`,
        );
      } finally {
        a.close();
        b.close();
      }
    });

    it('P1. presence: idle and online via set_presence, gone on disconnect, bad status refused', async () => {
      const project = await freshProject('pres');
      const a = await openChat(transport, 'admin', project);
      let b;
      let a2;
      const bob = nameOf('bob');
      try {
        let from = a.mark();
        b = await openChat(transport, 'bob', project);
        const joined = await a.waitAfter(from, 'presence', (p) => p?.online?.includes(bob), 'presence with bob online');
        assert.equal(joined.project_name, project, JSON.stringify(joined));
        assert.deepEqual([...joined.online].sort(), ['admin', bob].sort(), JSON.stringify(joined));

        from = a.mark();
        const idle = await b.req('set_presence', { status: 'idle' });
        assert.deepEqual(idle, { ok: true, status: 'idle' }, JSON.stringify(idle));
        const pIdle = await a.waitAfter(from, 'presence', () => true, 'presence after set_presence idle');
        assert.equal(pIdle.project_name, project, JSON.stringify(pIdle));
        assert.deepEqual(pIdle.online, ['admin'], `bob is no longer online: ${JSON.stringify(pIdle)}`);
        assert.deepEqual(pIdle.idle, [bob], `bob is idle: ${JSON.stringify(pIdle)}`);
        // A new chat_ready lists bob as idle too.
        a2 = await openChat(transport, 'admin', project);
        assert.deepEqual([a2.ready.online, a2.ready.idle], [['admin'], [bob]], JSON.stringify(a2.ready));
        a2.close();

        from = a.mark();
        const online = await b.req('set_presence', { status: 'online' });
        assert.deepEqual(online, { ok: true, status: 'online' }, JSON.stringify(online));
        const pOnline = await a.waitAfter(from, 'presence', (p) => p?.online?.includes(bob), 'presence with bob online again');
        assert.deepEqual([...pOnline.online].sort(), ['admin', bob].sort(), JSON.stringify(pOnline));
        assert.deepEqual(pOnline.idle, [], JSON.stringify(pOnline));

        expectRefused(await b.req('set_presence', { status: 'away' }), 'invalid_payload', 'status "away"');
        expectRefused(await b.req('set_presence', {}), 'invalid_payload', 'no status');

        from = a.mark();
        b.close();
        const left = await a.waitAfter(from, 'presence', (p) => !p?.online?.includes(bob), 'presence without bob');
        assert.equal(left.project_name, project, JSON.stringify(left));
        assert.deepEqual(left.online, ['admin'], JSON.stringify(left));
        assert.ok(!(left.idle || []).includes(bob), JSON.stringify(left));
      } finally {
        a.close();
        if (b) b.close();
        if (a2) a2.close();
      }
    });

    it('C1. the sixth chat connection of a user closes the oldest with "io server disconnect"', async () => {
      // Its own user, so that sockets of other tests cannot count against the cap.
      const username = `capper${rand(3)}`;
      const password = `pw-${rand(8)}`;
      await cliUserAdd(server, username, password);
      users[`cap-${transport}`] = { username, password };
      const project = await freshProject('cap', { [`cap-${transport}`]: 'contributor' });
      const chats = [];
      try {
        for (let i = 0; i < 6; i++) chats.push(await openChat(transport, `cap-${transport}`, project));
        const first = chats[0];
        const d = await first.rec.waitFor('$disconnect', 'disconnect of the oldest connection');
        assert.equal(d.args[0], 'io server disconnect', `reason: ${JSON.stringify(d.args)}`);
        // The oldest is closed before the sixth gets chat_ready; a request of each other one,
        // answered on its own connection, comes after any close the server sent it.
        for (const c of chats.slice(1)) {
          const h = await c.req('request_message_history', { channel: 'general', limit: 1 });
          assert.equal(h?.ok, true, JSON.stringify(h));
        }
        chats.slice(1).forEach((c, i) => {
          assert.equal(c.rec.socket.connected, true, `connection ${i + 2} stays connected`);
          assert.deepEqual(c.got('$disconnect'), [], `connection ${i + 2} got no disconnect`);
          assert.deepEqual(c.got('connection_closed'), [], `connection ${i + 2} got no connection_closed`);
        });
      } finally {
        for (const c of chats) c.close();
      }
    });
  });
}

describe('resync against a server with replay_limit 5', () => {
  let small;
  const su = {};
  before(async () => {
    small = await startServer({ env: { HUDDLE_REALTIME__REPLAY_LIMIT: '5' } });
    su.admin = { username: 'admin', password: small.adminPassword };
    su.bob = { username: `bob${rand(3)}`, password: `pw-${rand(8)}` };
    await cliUserAdd(small, su.bob.username, su.bob.password);
  });
  after(async () => {
    if (small) await small.stop();
  });

  for (const transport of TRANSPORTS) {
    it(`R1. ${transport}: 10 missed → chat_ready then resync_required, nothing replayed; ≤ 5 missed → replayed`, async () => {
      const project = await freshProject('resync', { bob: 'contributor' }, small, su);
      const open = (key, auth = {}) => openChat(transport, key, project, auth, small, su);
      const a = await open('admin');
      let b = await open('bob');
      const opened = [a, b];
      try {
        const warm = await a.send(`warm ${rand(3)}`);
        let since = (await b.waitMessage(warm.message_id)).seq;

        // Misses `n` events, reconnects with since_seq; returns the new chat and what was sent.
        const missAndReturn = async (n) => {
          b.close();
          const sent = [];
          for (let i = 0; i < n; i++) sent.push(await a.send(`gap ${n} #${i} ${rand(2)}`));
          await a.waitMessage(sent[sent.length - 1].message_id);
          b = await open('bob', { since_seq: since });
          opened.push(b);
          return sent;
        };

        // 10 behind, limit 5: resync_required instead of a replay.
        const sent10 = await missAndReturn(10);
        const last10 = since + 10;
        assert.equal(b.ready.last_seq, last10, JSON.stringify(b.ready.last_seq));
        const rr = await b.rec.waitFor('resync_required', 'resync_required');
        assert.deepEqual(rr.args[0], { project_name: project, last_seq: last10 }, JSON.stringify(rr.args[0]));
        const names = b.rec.events.map((e) => e.name);
        assert.ok(names.indexOf('chat_ready') < names.indexOf('resync_required'), `chat_ready first: ${names}`);
        // Live delivery continues after resync_required; the live message is also the barrier
        // behind anything replayed.
        const live = await a.send('live after resync');
        assert.equal((await b.waitMessage(live.message_id)).seq, last10 + 1);
        const sentIds = new Set(sent10.map((m) => m.message_id));
        assert.deepEqual(
          b.got('message_received', 0, b.upTo(live)).filter((p) => sentIds.has(p.message_id)).map((p) => p.seq),
          [],
          'none of the 10 missed messages is replayed',
        );
        assert.deepEqual(b.got('message_received', 0, b.upTo(live)), [], 'nothing is replayed');
        assert.equal(b.got('resync_required', 0, b.upTo(live)).length, 1);
        since = last10 + 1;

        // 3 behind: replayed in order, no resync_required.
        for (const n of [3, 5]) {
          const sent = await missAndReturn(n);
          const expected = sent.map((m, i) => [since + 1 + i, m.message_id]);
          await b.rec.waitUntil(
            (evs) => evs.some((e) => e.name === 'message_received' && e.args[0]?.seq === since + n),
            `replay of ${n} up to seq ${since + n}`,
          );
          // Duplicates, if any, would arrive before a marker sent after the replay.
          const marker = await barrier(a, [b]);
          assert.deepEqual(
            b.got('message_received', 0, b.upTo(marker)).map((p) => [p.seq, p.message_id]),
            expected,
            `${n} missed: exactly those replayed, in order`,
          );
          assert.equal(b.rec.events[b.upTo(marker)].args[0].seq, since + n + 1, 'the marker follows the replay');
          assert.deepEqual(b.got('resync_required', 0, b.upTo(marker)), [], `${n} missed (limit 5): no resync_required`);
          const names2 = b.rec.events.map((e) => e.name);
          assert.ok(names2.indexOf('chat_ready') < names2.indexOf('message_received'), 'chat_ready precedes the replay');
          since += n + 1; // the marker
        }
      } finally {
        for (const c of opened) c.close();
      }
    });
  }
});
