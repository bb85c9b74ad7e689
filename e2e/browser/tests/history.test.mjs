// A 5,000-message channel scrolled to its very first message in one
// continuous upward scroll (scrollTop only ever decremented by the test):
// older pages keep loading while the reader is near the top, the message at
// the top of the view stays where it was on screen as each page is
// prepended, and every message shows up exactly once, in order.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  WAIT, createProject, launchBrowser, loginToken, openChatUser, refused, rest, screenshots, shutDown,
  socketCalls, startServer,
} from './harness.mjs';

const shot = screenshots(import.meta.url);
const COUNT = 5000;
const STEP_PX = 450;

/** Every top-level message id of a channel, oldest first, from REST. */
async function allIds(server, token, channel) {
  const ids = [];
  let before = '';
  for (;;) {
    const q = `limit=100${before ? `&before=${before}` : ''}`;
    const r = await rest(server.url, 'GET', `/api/projects/demo/channels/${channel}/messages?${q}`, { token });
    assert.equal(r.status, 200, r.text);
    ids.push(...r.json.messages.map((m) => m.message_id));
    if (!r.json.has_more || r.json.messages.length === 0) break;
    before = r.json.messages[r.json.messages.length - 1].message_id;
  }
  return ids.reverse();
}

describe('history: a 5,000-message channel scrolled to its start', () => {
  let server;
  let browser;
  let token;
  const problems = [];

  before(async () => {
    // Seeding sends 5,000 messages and the scroll reads 50 pages: startServer lifts the budgets.
    server = await startServer();
    token = await loginToken(server, 'admin', server.adminPassword);
    await createProject(server, token, 'demo');
    browser = await launchBrowser();
  });

  after(() => shutDown(browser, server));

  it('seeds 5,000 messages into #general over the page\'s own socket.io-client', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    const calls = Array.from({ length: COUNT }, (_, i) => ['send_message', { channel: 'general', content: `History ${i}` }]);
    const acks = await socketCalls(page, token, calls, { concurrency: 16 });
    await context.close();
    assert.equal(acks.length, COUNT);
    assert.deepEqual(refused(acks), [], 'every message is accepted');
  });

  it('reaches the first message in one upward scroll, each message once and in order, the anchor never jumping', async () => {
    const truth = await allIds(server, token, 'general');
    assert.ok(truth.length >= COUNT, `REST lists ${truth.length} messages`);
    const rank = new Map(truth.map((id, i) => [id, i]));

    const { page } = await openChatUser(browser, server, 'admin', server.adminPassword, problems);
    const list = page.getByTestId('message-list');
    await list.locator('article.msg', { hasText: `History ${COUNT - 1}` }).first().waitFor(WAIT);
    await list.focus();

    const seen = new Set();
    let pages = 0;
    let steps = 0;
    let reachedStart = false;
    const jumps = [];
    let prev = null; // the anchor's place at the end of the last step
    let height = 0;
    while (!reachedStart) {
      steps += 1;
      assert.ok(steps < 4000, 'the scroll ends');
      const s = await page.evaluate(async ({ step, prev: last }) => {
        const el = document.querySelector('[data-testid="message-list"]');
        const frames = async (k) => { for (let i = 0; i < k; i += 1) await new Promise((r) => requestAnimationFrame(r)); };
        const box = () => el.getBoundingClientRect();
        const inView = () => {
          const v = box();
          return [...el.querySelectorAll('article.msg[data-message-id]')]
            .map((a) => ({ id: a.dataset.messageId, r: a.getBoundingClientRect() }))
            .filter((x) => x.r.bottom > v.top && x.r.top < v.bottom);
        };
        // Between two steps (nothing scrolled) a page may have arrived: the anchor must not have moved.
        const kept = last && el.querySelector(`article.msg[data-message-id="${last.id}"]`);
        const between = kept ? kept.getBoundingClientRect().top - last.top : null;
        const beforeView = inView();
        const anchor = beforeView.find((x) => x.r.top >= box().top) || beforeView[0];
        const top0 = el.scrollTop;
        el.scrollTop = Math.max(0, top0 - step);
        const moved = top0 - el.scrollTop;
        await frames(3);
        await new Promise((r) => setTimeout(r, 20));
        await frames(2);
        const a = anchor && el.querySelector(`article.msg[data-message-id="${anchor.id}"]`);
        const after = inView();
        return {
          anchorId: anchor && anchor.id,
          between,
          drift: a ? a.getBoundingClientRect().top - (anchor.r.top + moved) : null,
          end: a ? { id: anchor.id, top: a.getBoundingClientRect().top } : null,
          height: el.scrollHeight,
          ids: after.map((x) => x.id),
          shownBefore: beforeView.map((x) => x.id),
          start: Boolean(document.querySelector('.list-start h2')) && el.scrollTop === 0,
          top: el.scrollTop,
        };
      }, { step: STEP_PX, prev });
      if (s.height - height > 1000) pages += 1;
      height = s.height;
      prev = s.end;
      const moved = (d) => d !== null && Math.abs(d) > 2;
      if (moved(s.drift) || moved(s.between)) jumps.push({ step: steps, ...s, ids: undefined, shownBefore: undefined });
      for (const id of s.shownBefore) seen.add(id); // the newest ones, in view before the first step
      let last = -1;
      for (const id of s.ids) {
        const r = rank.get(id);
        assert.ok(r !== undefined, `message ${id} is one of the channel's`);
        assert.ok(r > last, `messages in view are in order and each once (step ${steps})`);
        last = r;
        seen.add(id);
      }
      reachedStart = s.start && seen.has(truth[0]);
    }
    assert.deepEqual(jumps, [], 'the message at the top of the view stays put while older pages are prepended');
    assert.ok(pages >= 40, `older pages kept loading on the way up (${pages} pages seen arriving)`);
    assert.equal(seen.size, truth.length, 'every message was shown');
    await list.locator(`article.msg[data-message-id="${truth[0]}"]`).waitFor(WAIT);
    await page.getByText('This is the start of #general.').waitFor(WAIT);
    await shot(page, 'start');
    process.stderr.write(`history: ${steps} scroll steps, ${pages} pages, ${seen.size} messages\n`);
  });

  it('had no dialogs, CSP violations or page errors', () => {
    assert.deepEqual(problems, []);
  });
});
