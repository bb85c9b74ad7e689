// End-to-end test of the chat UI: two users (admin and bob) in two browser
// contexts talk in #demo/general against the real server binary.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  WAIT, WAIT_MS, addMember, addUser, createProject, launchBrowser, loginToken, refused, rest, screenshots,
  shutDown, socketCalls, startServer,
} from './harness.mjs';

const shot = screenshots(import.meta.url);
const XSS = '<img src=x onerror=alert(1)> [x](javascript:alert(1))';

async function openUser(browser, server, username, password, problems) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
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
  await page.goto(`${server.url}/#/p/demo/c/general`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('chat-view').waitFor(WAIT);
  return { context, page };
}

const message = (page, text) => page.getByTestId('message-list').locator('article.msg', { hasText: text });

async function send(page, text, label = 'Message #general') {
  const box = page.getByRole('textbox', { name: label, exact: true });
  await box.fill(text);
  await box.press('Enter');
}

describe('chat UI', () => {
  let server;
  let browser;
  let admin;
  let bob;
  const problems = [];

  before(async () => {
    // The admin seeds 60 messages on top of the other tests' messages: startServer lifts the
    // per-user budgets, which are not what is tested here.
    server = await startServer();
    const token = await loginToken(server, 'admin', server.adminPassword);
    await createProject(server, token, 'demo');
    await addUser(server, 'bob', 'bob-password-1');
    await addMember(server, token, 'demo', 'bob');
    browser = await launchBrowser();
    admin = await openUser(browser, server, 'admin', server.adminPassword, problems);
    bob = await openUser(browser, server, 'bob', 'bob-password-1', problems);
  });

  after(() => shutDown(browser, server));

  it('lists the real channels and opens #general for both users', async () => {
    for (const { page } of [admin, bob]) {
      const list = page.getByTestId('channel-list');
      for (const name of ['general', 'workflow', 'agents', 'errors']) {
        await list.locator(`[data-channel="${name}"]`).waitFor(WAIT);
      }
      assert.equal(await list.locator('[data-channel="general"]').getAttribute('aria-current'), 'page');
      await page.getByText('This is the start of #general.').waitFor(WAIT);
    }
  });

  it('delivers a message from admin to bob, with a typing indicator first', async () => {
    await admin.page.getByLabel('Message #general', { exact: true }).fill('Hello from admin');
    await bob.page.getByTestId('typing-indicator').filter({ hasText: 'admin is typing…' }).waitFor(WAIT);
    await admin.page.getByLabel('Message #general', { exact: true }).press('Enter');
    await message(bob.page, 'Hello from admin').waitFor(WAIT);
    await message(admin.page, 'Hello from admin').locator('.msg-content:not(.msg-plain)').waitFor(WAIT);
    await bob.page.getByTestId('typing-indicator').filter({ hasText: /^$/ }).waitFor(WAIT);
  });

  it('lets bob edit his own message (Up arrow) and admin sees "(edited)"', async () => {
    await send(bob.page, 'Bob was here');
    await message(admin.page, 'Bob was here').waitFor(WAIT);
    const box = bob.page.getByLabel('Message #general', { exact: true });
    await message(bob.page, 'Bob was here').locator('.msg-content:not(.msg-plain)').waitFor(WAIT);
    await box.press('ArrowUp');
    await bob.page.getByText('Editing message').waitFor(WAIT);
    assert.equal(await box.inputValue(), 'Bob was here');
    await box.fill('Bob was here, edited');
    await box.press('Enter');
    const edited = message(admin.page, 'Bob was here, edited');
    await edited.waitFor(WAIT);
    await edited.getByText('(edited)').waitFor(WAIT);
  });

  it('shows admin\'s 👍 reaction count to bob', async () => {
    const msg = message(admin.page, 'Bob was here, edited');
    await msg.hover();
    await msg.getByRole('button', { name: 'Add reaction' }).click();
    await admin.page.getByTestId('emoji-picker').getByRole('button', { name: 'thumbs up' }).click();
    const chip = message(bob.page, 'Bob was here, edited').locator('.reaction[data-emoji="👍"]');
    await chip.filter({ hasText: '1' }).waitFor(WAIT);
    assert.equal(await message(admin.page, 'Bob was here, edited').locator('.reaction[data-emoji="👍"]').getAttribute('aria-pressed'), 'true');
  });

  it('lets bob reply in a thread; admin sees "1 reply" and opens the thread', async () => {
    const root = message(bob.page, 'Hello from admin');
    await root.hover();
    await root.getByRole('button', { name: 'Reply in thread' }).click();
    await bob.page.getByTestId('thread-panel').waitFor(WAIT);
    await send(bob.page, 'A reply in the thread', 'Reply in thread');
    await bob.page.getByTestId('thread-panel').locator('article.msg', { hasText: 'A reply in the thread' })
      .locator('.msg-content:not(.msg-plain)').waitFor(WAIT);
    await bob.page.getByRole('button', { name: 'Close thread' }).click();
    const summary = message(admin.page, 'Hello from admin').getByTestId('thread-summary');
    await summary.filter({ hasText: '1 reply' }).waitFor(WAIT);
    await summary.click();
    const panel = admin.page.getByTestId('thread-panel');
    await panel.locator('article.msg', { hasText: 'A reply in the thread' }).waitFor(WAIT);
    await shot(admin.page, 'thread');
    await admin.page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached', ...WAIT });
  });

  it('answers /help with a command result (autocomplete picks it)', async () => {
    const box = admin.page.getByLabel('Message #general', { exact: true });
    await box.click();
    await box.pressSequentially('/he');
    await admin.page.getByTestId('autocomplete').getByText('/help [command]').waitFor(WAIT);
    await box.press('Enter'); // picks the suggestion
    assert.equal(await box.inputValue(), '/help ');
    await box.press('Enter'); // sends
    const result = message(admin.page, '/help').getByTestId('command-result');
    await result.filter({ hasText: 'List the available commands' }).waitFor(WAIT);
    await message(bob.page, '/help').getByTestId('command-result').waitFor(WAIT);
  });

  it('copies a message link that opens and highlights the message', async () => {
    const msg = message(admin.page, 'Hello from admin');
    await msg.hover();
    await msg.getByRole('button', { name: 'Copy link' }).click();
    await admin.page.getByTestId('live-region').filter({ hasText: 'Link copied' }).waitFor(WAIT);
    const link = await admin.page.evaluate(() => navigator.clipboard.readText());
    assert.match(link, /#\/p\/demo\/c\/general\/m\/[0-9a-f-]+$/);
    await bob.page.evaluate((hash) => { window.location.hash = hash; }, link.slice(link.indexOf('#')));
    await bob.page.locator('article.msg.focused', { hasText: 'Hello from admin' }).waitFor(WAIT);
    await bob.page.evaluate(() => { window.location.hash = '#/p/demo/c/general'; });
  });

  it('moves between messages with the arrow keys', async () => {
    const list = admin.page.getByTestId('message-list');
    await list.focus();
    const first = await admin.page.evaluate(() => document.activeElement.dataset.messageId);
    assert.ok(first, 'focusing the list puts the focus on a message');
    await admin.page.keyboard.press('ArrowUp');
    const second = await admin.page.evaluate(() => document.activeElement.dataset.messageId);
    assert.ok(second && second !== first, 'focus moved to the previous message');
    await admin.page.keyboard.press('ArrowDown');
    assert.equal(await admin.page.evaluate(() => document.activeElement.dataset.messageId), first, 'and back down');
    await admin.page.keyboard.press('Enter');
    assert.equal(await admin.page.evaluate(() => document.activeElement.closest('.msg-actions') !== null), true,
      'Enter opens the message actions');
    await admin.page.keyboard.press('Escape');
    assert.equal(await admin.page.evaluate(() => document.activeElement.dataset.messageId), first, 'Escape returns to the message');
  });

  it('renders an XSS attempt as harmless text and link', async () => {
    await send(admin.page, XSS);
    for (const { page } of [admin, bob]) {
      const msg = message(page, '<img src=x onerror=alert(1)>');
      await msg.locator('.msg-content:not(.msg-plain)').waitFor(WAIT);
      assert.equal(await msg.locator('.msg-content img').count(), 0, 'no <img> element');
      const link = msg.locator('.msg-content a');
      assert.equal(await link.count(), 1);
      const href = await link.getAttribute('href');
      assert.ok(href === null || !/^\s*javascript:/i.test(href), `link href ${href}`);
      await link.click();
      // Barrier: a dialog the click opened would be up before this task runs (and its event
      // reported before this evaluate's answer).
      await page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
    }
    assert.deepEqual(problems.filter((p) => p.includes('dialog')), []);
  });

  it('highlights code blocks and offers a Copy button', async () => {
    await send(admin.page, '```js\nconst answer = 42; // the answer\n```');
    const block = message(bob.page, 'const answer').locator('pre');
    await block.locator('.hljs-keyword', { hasText: 'const' }).waitFor(WAIT);
    await block.locator('.hljs-comment', { hasText: '// the answer' }).waitFor(WAIT);
    await block.getByRole('button', { name: 'Copy code' }).click();
    await block.getByRole('button', { name: 'Copy code' }).filter({ hasText: /Copied|Copy failed/ }).waitFor(WAIT);
    await shot(admin.page, 'code');
  });

  it('counts unread messages in other channels and switches with Ctrl+K', async () => {
    await bob.page.getByTestId('channel-list').locator('[data-channel="workflow"]').click();
    await bob.page.getByRole('heading', { level: 1, name: 'workflow' }).waitFor(WAIT);
    await send(admin.page, 'Ping @bob in general');
    const general = bob.page.getByTestId('channel-list').locator('[data-channel="general"]');
    await general.locator('.mention-badge', { hasText: '@1' }).waitFor(WAIT);
    await bob.page.keyboard.press('Control+k');
    const dialog = bob.page.getByTestId('channel-switcher');
    await dialog.waitFor(WAIT);
    const find = dialog.getByRole('combobox', { name: 'Find a channel' });
    await find.pressSequentially('gen');
    assert.equal(await find.evaluate((el) => el === document.activeElement), true, 'the filter has focus');
    await find.press('Enter');
    await dialog.waitFor({ state: 'detached', ...WAIT });
    await message(bob.page, 'Ping @bob in general').locator('.mention-me').waitFor(WAIT);
    await general.locator('.mention-badge').waitFor({ state: 'detached', ...WAIT });
  });

  it('shows the start of a 60-message channel at the top, keeps the place, and offers "Jump to latest"', async () => {
    const adminToken = await loginToken(server, 'admin', server.adminPassword);
    const calls = Array.from({ length: 60 }, (_, i) => ['send_message', { channel: 'agents', content: `Seed ${i}` }]);
    const acks = await socketCalls(admin.page, adminToken, calls, { concurrency: 4 });
    assert.deepEqual(refused(acks), [], 'every seed message is accepted');
    // Sent 4 at a time, so their order in the channel is the server's: take it from REST.
    const r = await rest(server.url, 'GET', '/api/projects/demo/channels/agents/messages?limit=100', { token: adminToken });
    assert.equal(r.status, 200, r.text);
    const order = r.json.messages.map((m) => m.content).filter((c) => /^Seed \d+$/.test(c)).reverse();
    assert.equal(order.length, 60, `the channel holds the 60 seeds: ${order}`);
    const page = bob.page;
    const seed = (k) => message(page, new RegExp(`${order[k]}(?!\\d)`));
    await page.getByTestId('channel-list').locator('[data-channel="agents"]').click();
    const list = page.getByTestId('message-list');
    await seed(59).waitFor(WAIT);
    // One page (100) holds all 60; paging through thousands is history.test.mjs.
    await list.evaluate((el) => { el.scrollTop = 0; });
    await seed(0).waitFor(WAIT);
    await page.getByText('This is the start of #agents.').waitFor(WAIT);
    const anchor = seed(10);
    const box = await anchor.boundingBox();
    const view = await list.boundingBox();
    assert.ok(box && box.y >= view.y - 5 && box.y < view.y + view.height,
      `the top of the channel stays in view (${box && box.y} in ${view.y}+${view.height})`);
    await send(admin.page, 'Fresh news', 'Message #general');
    await admin.page.evaluate(() => { window.location.hash = '#/p/demo/c/agents'; });
    await send(admin.page, 'Fresh news in agents', 'Message #agents');
    const jump = page.getByTestId('jump-latest');
    await jump.waitFor(WAIT);
    await jump.click();
    await message(page, 'Fresh news in agents').waitFor(WAIT);
    await jump.waitFor({ state: 'detached', ...WAIT });
    await admin.page.evaluate(() => { window.location.hash = '#/p/demo/c/general'; });
  });

  it('marks a refused send as failed with Retry and Discard', async () => {
    const adminToken = await loginToken(server, 'admin', server.adminPassword);
    await bob.page.getByTestId('channel-list').locator('[data-channel="errors"]').click();
    await bob.page.getByRole('heading', { level: 1, name: 'errors' }).waitFor(WAIT);
    const r = await rest(server.url, 'PATCH', '/api/projects/demo/channels/errors',
      { token: adminToken, body: { archived: true } });
    assert.equal(r.status, 200, r.text);
    await bob.page.locator('.chat-head .tag', { hasText: 'archived' }).waitFor(WAIT);
    await send(bob.page, 'Too late for this channel', 'Message #errors');
    const failed = message(bob.page, 'Too late for this channel');
    await failed.getByRole('alert').filter({ hasText: 'Not sent' }).waitFor(WAIT);
    await failed.getByRole('button', { name: 'Retry' }).click();
    await failed.getByRole('button', { name: 'Retry' }).waitFor(WAIT);
    await failed.getByRole('button', { name: 'Discard' }).click();
    await failed.waitFor({ state: 'detached', ...WAIT });
    await bob.page.evaluate(() => { window.location.hash = '#/p/demo/c/general'; });
  });

  it('catches up after a dropped connection (resumes from the last seq)', async () => {
    await bob.context.setOffline(true);
    await bob.page.getByTestId('connection-badge').filter({ hasText: /Reconnecting|Offline/ }).waitFor(WAIT);
    // Bob's chat socket itself is down (not only the badge): nothing can reach his page until
    // it reconnects, so what shows after that came through the resume.
    await bob.page.locator('.chat-status', { hasText: 'Reconnecting…' }).waitFor(WAIT);
    await send(admin.page, 'Sent while bob was offline');
    await message(admin.page, 'Sent while bob was offline').locator('.msg-content:not(.msg-plain)').waitFor(WAIT);
    assert.equal(await message(bob.page, 'Sent while bob was offline').count(), 0);
    await bob.context.setOffline(false);
    // Connected again: the notice goes (at most "Slow connection (polling)" stays). The
    // client's back-off (up to 30 s ±50%) bounds this, so at least 45 s; the spell stays short.
    await bob.page.getByTestId('connection-badge').filter({ hasText: /Reconnecting|Offline/ })
      .waitFor({ state: 'detached', timeout: Math.max(45000, WAIT_MS) });
    await message(bob.page, 'Sent while bob was offline').waitFor(WAIT);
  });

  it('virtualises a 100,000-message list (renders only a window of rows)', async () => {
    const stats = await admin.page.evaluate(async () => {
      const { h, render } = await import('preact');
      const { MessageList } = await import('/app/components/MessageList.js');
      const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      const messages = new Map();
      const ids = [];
      const t0 = Date.parse('2026-01-01T00:00:00Z');
      for (let i = 0; i < 100000; i += 1) {
        const id = `perf-${i}`;
        ids.push(id);
        messages.set(id, {
          message_id: id, channel: 'perf', author_name: i % 7 < 3 ? 'alice' : 'bob', author_type: 'user',
          content: `Message ${i}`, content_html: `<p>Message ${i}${i % 50 === 0 ? '<br>with a second line' : ''}</p>`,
          timestamp: new Date(t0 + i * 60000).toISOString(), reactions: [], type: 'message',
        });
      }
      const list = { ids, has: new Set(ids), early: [], loaded: true, hasMore: false, loading: false, rev: 1 };
      const state = { messages, pending: new Map(), results: new Map() };
      const chat = { state, store: { list: () => list }, actions: { loadOlder() {} } };
      const ctx = { state, me: 'alice', on: {}, inThread: false, canWrite: false, isMaintainer: false };
      const host = document.createElement('div');
      Object.assign(host.style, { position: 'fixed', inset: '0', zIndex: '100', display: 'flex', background: 'var(--bg-main)' });
      document.body.append(host);
      let t = performance.now();
      render(h(MessageList, { chat, channel: 'perf', ctx }), host);
      for (let i = 0; i < 5; i += 1) await frame();
      const first = performance.now() - t;
      const scroller = host.querySelector('.msg-scroll');
      const rowsAtBottom = host.querySelectorAll('.msg-row').length;
      const lastVisible = host.querySelector('.msg-row:last-child').textContent.includes('Message 99999');
      let worst = 0;
      for (const frac of [0.5, 0.25, 0.75, 0.1, 0]) {
        t = performance.now();
        scroller.scrollTop = scroller.scrollHeight * frac;
        await frame(); await frame();
        worst = Math.max(worst, performance.now() - t);
      }
      const rowsAtTop = host.querySelectorAll('.msg-row').length;
      const topVisible = Boolean(host.querySelector('[data-key="start"]'));
      render(null, host);
      host.remove();
      return { first, rowsAtBottom, rowsAtTop, lastVisible, topVisible, worst };
    });
    assert.ok(stats.lastVisible, 'starts at the newest message');
    assert.ok(stats.topVisible, 'reaches the start of the channel');
    assert.ok(stats.rowsAtBottom < 250 && stats.rowsAtTop < 250, `rows in the DOM: ${JSON.stringify(stats)}`);
    process.stderr.write(`virtual list: ${JSON.stringify(stats)}\n`);
    // Timings depend on the machine and its load: a budget only in the opt-in performance mode.
    if (process.env.E2E_PERF === '1') {
      assert.ok(stats.first < 5000 && stats.worst < 1000, `timings: ${JSON.stringify(stats)}`);
    }
  });

  it('had no dialogs, CSP violations or page errors', async () => {
    for (const { page } of [admin, bob]) {
      assert.deepEqual(await page.evaluate(() => window.__cspViolations || []), []);
    }
    assert.deepEqual(problems, []);
  });
});
