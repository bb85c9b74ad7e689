// Layout, message rendering, unread and keyboard of the chat, as a person
// sees them: admin (owner of demo), bob and the agent `code`. Desktop
// (1280×800) and phone (390×844) widths, dark and light themes, with
// screenshots under target/e2e-screenshots/layout-*.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  WAIT, addAgent, addMember, addUser, createProject, frames, launchBrowser, loginToken, openChatUser, rest,
  screenshots, shutDown, socketCalls, startServer,
  waitUntil,
} from './harness.mjs';

const shot = screenshots(import.meta.url);
const message = (page, text) => page.getByTestId('message-list').locator('article.msg', { hasText: text });
const setTheme = (page, t) => page.evaluate((v) => { document.documentElement.dataset.theme = v; }, t);
const rect = (loc) => loc.evaluate((el) => { const r = el.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height, r: r.right, b: r.bottom }; });
const overlap = (a, b) => a.x < b.r && b.x < a.r && a.y < b.b && b.y < a.b;

async function send(page, text, label = 'Message #general') {
  const box = page.getByRole('textbox', { name: label, exact: true });
  await box.fill(text);
  await box.press('Enter');
}

describe('chat layout, rendering, unread and keyboard', () => {
  let server;
  let browser;
  let adminToken;
  let bobToken;
  let admin;
  const problems = [];

  before(async () => {
    server = await startServer(); // the budgets lifted: the unread test sends 40 messages at once
    adminToken = await loginToken(server, 'admin', server.adminPassword);
    await createProject(server, adminToken, 'demo');
    await addUser(server, 'bob', 'bob-password-1');
    await addAgent(server, 'code', 'code', 'code-password-1');
    await addMember(server, adminToken, 'demo', 'bob');
    await addMember(server, adminToken, 'demo', 'code');
    bobToken = await loginToken(server, 'bob', 'bob-password-1');
    browser = await launchBrowser();
    admin = await openChatUser(browser, server, 'admin', server.adminPassword, problems);
  });

  after(() => shutDown(browser, server));

  it('lists members in sections: Online, Offline and Agents with status and role', async () => {
    const panel = admin.page.getByTestId('member-panel');
    await panel.getByRole('heading', { name: 'Online — 1' }).waitFor(WAIT);
    await panel.getByRole('heading', { name: 'Offline — 1' }).waitFor(WAIT);
    await panel.getByRole('heading', { name: 'Agents — 1' }).waitFor(WAIT);
    const agents = panel.getByRole('list', { name: 'Agents — 1' });
    await agents.getByText('code agent').waitFor(WAIT);
    await agents.getByRole('img', { name: 'code, offline' }).waitFor(WAIT);
    await panel.getByRole('list', { name: 'Online — 1' }).locator('.member-name', { hasText: 'admin' }).waitFor(WAIT);
    await panel.getByRole('list', { name: 'Offline — 1' }).locator('.member-name', { hasText: 'bob' }).waitFor(WAIT);
    await panel.getByRole('list', { name: 'Offline — 1' }).getByRole('img', { name: 'bob, offline' }).waitFor(WAIT);
  });

  it('renders tables, inline code, "(edited)" inline and no "< 1 ms" on commands', async () => {
    const page = admin.page;
    await send(page, '| Name | Role |\n|---|---|\n| code | agent |');
    const table = message(page, 'Name').locator('.msg-content table');
    await table.waitFor(WAIT); // the server renders GFM tables
    const border = await table.locator('td').first().evaluate((td) => {
      const cs = getComputedStyle(td);
      return { width: parseFloat(cs.borderTopWidth), style: cs.borderTopStyle };
    });
    assert.ok(border.width >= 1 && border.style === 'solid', `table cells have borders: ${JSON.stringify(border)}`);

    await send(page, 'Run `cargo test` first');
    const code = message(page, 'Run cargo test first').locator('.msg-content code');
    await code.waitFor(WAIT);
    for (const theme of ['light', 'dark']) {
      await setTheme(page, theme);
      const c = await code.evaluate((el) => {
        const rgb = (s) => s.match(/[\d.]+/g).slice(0, 3).map(Number);
        const lum = ([r, g, b]) => {
          const f = (v) => { const x = v / 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; };
          return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
        };
        const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
        const cs = getComputedStyle(el);
        const page = getComputedStyle(document.body).backgroundColor;
        return {
          text: ratio(rgb(cs.color), rgb(cs.backgroundColor)),
          box: cs.backgroundColor !== page || parseFloat(cs.borderTopWidth) >= 1,
        };
      });
      assert.ok(c.text >= 4.5 && c.box, `inline code is readable and set apart in the ${theme} theme: ${JSON.stringify(c)}`);
    }

    await send(page, 'A short line');
    const mine = message(page, 'A short line');
    await mine.locator('.msg-content:not(.msg-plain)').waitFor(WAIT);
    const box = page.getByRole('textbox', { name: 'Message #general', exact: true });
    await box.press('ArrowUp');
    await box.fill('A short line, fixed');
    await box.press('Enter');
    const edited = message(page, 'A short line, fixed').getByText('(edited)');
    await edited.waitFor(WAIT);
    const line = await message(page, 'A short line, fixed').locator('.msg-content p').evaluate((p) => {
      const e = p.querySelector('.edited').getBoundingClientRect();
      const range = document.createRange();
      range.selectNodeContents(p.firstChild);
      const t = range.getBoundingClientRect();
      return { sameLine: Math.abs(e.bottom - t.bottom) < 6, inP: true };
    });
    assert.ok(line.sameLine, '"(edited)" sits at the end of the text, on the same line');

    const input = page.getByRole('textbox', { name: 'Message #general', exact: true });
    await input.fill('/help');
    await input.press('Escape'); // closes the command suggestions
    await input.press('Enter');
    const result = message(page, '/help').getByTestId('command-result');
    await result.waitFor(WAIT);
    await result.filter({ hasText: 'List the available commands' }).waitFor(WAIT);
    assert.doesNotMatch(await result.innerText(), /ms\b|< 1/, 'a quick command shows no timing');
  });

  it('shows reply previews as one line of plain text', async () => {
    const page = admin.page;
    await send(page, '**Bold** news with `code` and a [link](https://example.com)');
    const original = message(page, 'Bold news');
    await original.locator('.msg-content strong').waitFor(WAIT);
    await original.hover();
    await original.getByRole('button', { name: 'Reply', exact: true }).click();
    await send(page, 'Replying here');
    const reply = message(page, 'Replying here');
    const text = reply.getByTestId('reply-text');
    await text.waitFor(WAIT);
    assert.equal(await text.innerText(), 'Bold news with code and a link');
    // Measured once layout has settled (fonts and styles can still land on a loaded machine);
    // the line height in pixels, whatever the stylesheet says ("normal" included).
    const oneLine = () => text.evaluate((el) => {
      const style = getComputedStyle(el);
      const probe = document.createElement('span');
      probe.textContent = 'x';
      probe.style.whiteSpace = 'nowrap';
      el.appendChild(probe);
      const line = probe.getBoundingClientRect().height;
      probe.remove();
      return style.whiteSpace === 'nowrap' && el.getBoundingClientRect().height < line * 1.6;
    });
    await waitUntil(oneLine, 'the reply preview to be one line');
    assert.ok(await oneLine(), 'the preview is one line');
  });

  it('removes a deleted message, but keeps a tombstone where a thread hangs on it', async () => {
    const page = admin.page;
    await send(page, 'Delete me please');
    const gone = message(page, 'Delete me please');
    await gone.locator('.msg-content:not(.msg-plain)').waitFor(WAIT);
    await gone.hover();
    await gone.getByRole('button', { name: 'Delete' }).click();
    await gone.getByRole('group', { name: 'Delete this message?' }).getByRole('button', { name: 'Delete' }).click();
    await gone.waitFor({ state: 'detached', ...WAIT });
    assert.equal(await page.getByTestId('tombstone').count(), 0, 'no tombstone for a message without replies');

    const [ack] = await socketCalls(page, adminToken, [['send_message', { channel: 'general', content: 'Root of a thread' }]]);
    await socketCalls(page, bobToken, [['send_message', {
      channel: 'general', content: 'An answer in the thread', thread_id: ack.message.message_id, type: 'thread_reply',
    }]]);
    const root = message(page, 'Root of a thread');
    await root.getByTestId('thread-summary').filter({ hasText: '1 reply' }).waitFor(WAIT);
    await socketCalls(page, adminToken, [['delete_message', { message_id: ack.message.message_id }]]);
    const stone = page.getByTestId('message-list').locator(`article.msg[data-message-id="${ack.message.message_id}"]`);
    await stone.getByText('This message was deleted.').waitFor(WAIT);
    await stone.getByTestId('thread-summary').waitFor(WAIT);
  });

  it('uses one SVG icon set with names and tooltips, no glyph icons', async () => {
    const page = admin.page;
    const msg = message(page, 'Replying here');
    await msg.hover();
    const found = await page.evaluate(() => {
      const sel = ['.msg-actions button', '.composer-row button.btn-icon', '.chat-head button', '.composer-banner button'];
      const out = [];
      for (const b of document.querySelectorAll(sel.join(','))) {
        if (b.getClientRects().length === 0 && !b.closest('.msg-actions')) continue;
        out.push({ name: b.getAttribute('aria-label'), title: b.title, svg: Boolean(b.querySelector('svg')), text: b.textContent.trim() });
      }
      const icons = [...document.querySelectorAll('.channel-icon')].map((s) => ({ svg: Boolean(s.querySelector('svg')), text: s.textContent.trim() }));
      return { out, icons };
    });
    assert.ok(found.out.length >= 8, `toolbar buttons found: ${found.out.length}`);
    for (const b of found.out) {
      assert.ok(b.name && b.title && b.svg && b.text === '', `icon button with name and tooltip, no glyph: ${JSON.stringify(b)}`);
    }
    assert.ok(found.icons.length >= 5);
    for (const i of found.icons) assert.ok(i.svg && i.text === '', `channel icon is SVG: ${JSON.stringify(i)}`);
  });

  it('keeps the hover toolbar inside the list and off the Copy button of code blocks', async () => {
    const page = admin.page;
    await send(page, '```js\nconst x = 1;\n```');
    const block = message(page, 'const x = 1;');
    const copy = block.getByRole('button', { name: 'Copy code' });
    await copy.waitFor(WAIT);
    await block.hover();
    const bar = block.getByRole('toolbar', { name: 'Message actions' });
    await bar.waitFor({ state: 'visible', ...WAIT });
    assert.ok(!overlap(await rect(bar), await rect(copy)), 'the toolbar does not cover the Copy button');

    const list = page.getByTestId('message-list');
    const top = message(page, 'Run cargo test first');
    await top.evaluate((el) => {
      const sc = el.closest('.msg-scroll');
      sc.scrollTop += el.getBoundingClientRect().top - sc.getBoundingClientRect().top;
    });
    await frames(page); // the scroll and the rows it brings are laid out
    await top.hover();
    const tbar = top.getByRole('toolbar', { name: 'Message actions' });
    await tbar.waitFor({ state: 'visible', ...WAIT });
    const [b, l] = [await rect(tbar), await rect(list)];
    assert.ok(b.y >= l.y && b.b <= l.b, `the toolbar of the top row stays inside the list (${b.y} ≥ ${l.y})`);
    await shot(page, 'toolbar');
    await list.evaluate((el) => { el.scrollTop = el.scrollHeight; });
  });

  it('hides the member list behind a Members button while a thread or search is open', async () => {
    const page = admin.page;
    const panel = page.getByTestId('member-panel');
    assert.equal(await panel.isVisible(), true, 'members beside the chat');
    const root = message(page, 'Replying here');
    await root.hover();
    await root.getByRole('button', { name: 'Reply in thread' }).click();
    const thread = page.getByTestId('thread-panel');
    await thread.waitFor(WAIT);
    await panel.waitFor({ state: 'hidden', ...WAIT });
    const chatMain = await rect(page.locator('.chat-main'));
    assert.ok(chatMain.w >= 600, `the chat keeps its width (${chatMain.w}px)`);
    const input = await rect(thread.getByRole('textbox', { name: 'Reply in thread' }));
    const tw = await rect(thread);
    assert.ok(input.w >= 0.6 * tw.w, `thread composer text box ${input.w}px of ${tw.w}px`);
    for (const t of ['dark', 'light']) { await setTheme(page, t); await shot(page, `thread-${t}`); }
    await setTheme(page, 'dark');

    const button = page.getByRole('button', { name: 'Members' });
    await button.click();
    const drawer = page.getByRole('dialog', { name: 'Members' });
    await drawer.waitFor(WAIT);
    await drawer.getByRole('heading', { name: 'Agents — 1' }).waitFor(WAIT);
    assert.equal(await page.evaluate(() => document.activeElement.closest('[role="dialog"]') !== null), true, 'focus moves into the drawer');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached', ...WAIT });
    assert.equal(await button.evaluate((el) => el === document.activeElement), true, 'focus returns to the button');
    await thread.waitFor(WAIT); // Escape closed the drawer only
    await page.getByRole('button', { name: 'Close thread' }).click();
    await panel.waitFor({ state: 'visible', ...WAIT });

    await page.getByTestId('search-button').click();
    await page.getByTestId('search-panel').waitFor(WAIT);
    await panel.waitFor({ state: 'hidden', ...WAIT });
    await page.getByRole('button', { name: 'Close search' }).click();
    await panel.waitFor({ state: 'visible', ...WAIT });
  });

  it('at phone width keeps a usable composer and opens the members as a drawer', async () => {
    const page = admin.page;
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const input = await rect(page.getByRole('textbox', { name: 'Message #general', exact: true }));
      const composer = await rect(page.getByTestId('composer'));
      assert.ok(input.w >= 0.6 * composer.w, `composer text box ${input.w}px of ${composer.w}px`);
      const msg = message(page, 'Replying here');
      await msg.locator('.msg-content').click();
      const bar = msg.getByRole('toolbar', { name: 'Message actions' });
      await bar.waitFor({ state: 'visible', ...WAIT });
      const text = await rect(msg.locator('.msg-content'));
      assert.ok(!overlap(await rect(bar), text), 'a tapped message shows its actions without covering its text');
      for (const t of ['dark', 'light']) { await setTheme(page, t); await shot(page, `phone-${t}`); }
      await page.getByRole('button', { name: 'Members' }).click();
      const drawer = page.getByRole('dialog', { name: 'Members' });
      await drawer.getByRole('heading', { name: 'Online — 1' }).waitFor(WAIT);
      await shot(page, 'phone-members');
      await drawer.getByRole('button', { name: 'Close members' }).first().click();
      await drawer.waitFor({ state: 'detached', ...WAIT });
      await setTheme(page, 'dark');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('shows the agent\'s profile in a direct message: offline, then online', async () => {
    const page = admin.page;
    const r = await rest(server.url, 'POST', '/api/projects/demo/direct-messages', { token: adminToken, body: { agent: 'code' } });
    assert.ok([200, 201].includes(r.status), r.text);
    await page.evaluate(() => { window.location.hash = '#/p/demo/c/dm:code:admin'; });
    const profile = page.getByTestId('dm-profile');
    await profile.getByRole('heading', { name: 'code' }).waitFor(WAIT);
    await profile.getByText('code agent').waitFor(WAIT);
    await profile.getByText('not configured').waitFor(WAIT);
    await profile.getByText('code is offline — it is not running now, so it cannot reply until it is started.').waitFor(WAIT);
    const agentCtx = await browser.newContext();
    const agentPage = await agentCtx.newPage();
    await agentPage.goto(server.url);
    await socketCalls(agentPage, await loginToken(server, 'code', 'code-password-1'), [], { keepOpen: true });
    await profile.getByText('code is online and will see your message.').waitFor(WAIT);
    await profile.getByRole('img', { name: 'code, online' }).waitFor(WAIT);
    for (const t of ['dark', 'light']) { await setTheme(page, t); await shot(page, `dm-profile-${t}`); }
    await setTheme(page, 'dark');
    await agentCtx.close();
    await profile.getByText(/code is offline/).waitFor(WAIT);
    await page.evaluate(() => { window.location.hash = '#/p/demo/c/general'; });
  });

  it('marks unread messages with a NEW divider, a jump bar and the mention count in the tab title', async () => {
    const bob = await openChatUser(browser, server, 'bob', 'bob-password-1', problems);
    const page = bob.page;
    try {
      await page.getByTestId('channel-list').locator('[data-channel="workflow"]').click();
      await page.getByRole('heading', { level: 1, name: 'workflow' }).waitFor(WAIT);
      const calls = Array.from({ length: 40 }, (_, i) => ['send_message', {
        channel: 'general', content: i % 10 === 0 ? `Unread ${i} for @bob` : `Unread ${i}`,
      }]);
      await socketCalls(admin.page, adminToken, calls);
      await page.waitForFunction(() => document.title === '(4) #workflow · demo · Huddle', null, WAIT);
      await page.getByTestId('channel-list').locator('[data-channel="general"]').click();
      const divider = page.getByTestId('new-divider');
      await divider.waitFor({ state: 'attached', ...WAIT });
      const first = await divider.evaluate((d) => d.closest('.msg-row').nextElementSibling.textContent);
      assert.match(first, /Unread 0 for @bob/, 'the divider is right before the first unread message');
      const bar = page.getByTestId('unread-bar');
      await bar.getByText('40 new messages').waitFor(WAIT);
      for (const t of ['dark', 'light']) { await setTheme(page, t); await shot(page, `unread-${t}`); }
      await bar.getByRole('button', { name: /Jump to first unread/ }).click();
      await bar.waitFor({ state: 'detached', ...WAIT });
      const [d, l] = [await rect(divider), await rect(page.getByTestId('message-list'))];
      assert.ok(d.y >= l.y && d.b <= l.b, 'the divider is in view after the jump');
      await page.waitForFunction(() => document.title === '#general · demo · Huddle', null, WAIT);
    } finally {
      await bob.context.close();
    }
  });

  it('is keyboard friendly: skip links first, the list one Tab stop with arrows, Ctrl+/ shortcut sheet', async () => {
    const page = admin.page;
    await page.reload();
    await page.getByTestId('chat-view').waitFor(WAIT);
    await message(page, 'Replying here').waitFor(WAIT);
    await page.keyboard.press('Tab');
    const skip = page.getByRole('button', { name: 'Skip to messages' });
    assert.equal(await skip.evaluate((el) => el === document.activeElement), true, 'the skip link is the first Tab stop');
    await shot(page, 'skip-link');
    await page.keyboard.press('Enter');
    const onMessage = () => page.evaluate(() => document.activeElement.matches('article.msg'));
    assert.equal(await onMessage(), true, 'Skip to messages lands on a message');
    const a = await page.evaluate(() => document.activeElement.dataset.messageId);
    await page.keyboard.press('ArrowUp');
    const b = await page.evaluate(() => document.activeElement.dataset.messageId);
    assert.ok(b && b !== a, 'ArrowUp moves to the previous message');
    await page.keyboard.press('End');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.messageId), a, 'End goes to the latest');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Attach files',
      'one Tab from the list goes on to the composer, past every message and its buttons');
    await page.keyboard.press('Shift+Tab');
    assert.equal(await onMessage(), true, 'Shift+Tab comes back to a message, not into its buttons');
    await page.keyboard.press('Escape');
    assert.equal(await page.evaluate(() => document.activeElement.matches('.chat-main textarea')), true,
      'Escape on a message goes to the composer');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    assert.equal(await onMessage(), true, 'Shift+Tab from the composer reaches a message');
    await page.keyboard.press('Shift+Tab');
    assert.equal(await page.evaluate(() => !document.activeElement.closest('[data-testid="message-list"]')), true,
      'one more Shift+Tab leaves the list');
    await page.keyboard.press('Tab');
    assert.equal(await onMessage(), true, 'Tab enters the list on a message');
    await page.keyboard.press('r');
    await page.getByText('Replying to').waitFor(WAIT);
    assert.equal(await page.evaluate(() => document.activeElement.matches('.chat-main textarea')), true, 'R replies');
    await page.keyboard.press('Escape');

    await page.keyboard.press('Control+/');
    const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await sheet.waitFor(WAIT);
    for (const what of ['Switch channel or open a direct message', 'Search messages', 'Edit your last message (in an empty box)',
      'Previous message', 'Open the thread', 'Show this list of shortcuts']) {
      await sheet.getByText(what, { exact: true }).waitFor(WAIT);
    }
    for (const t of ['dark', 'light']) { await setTheme(page, t); await shot(page, `shortcuts-${t}`); }
    await setTheme(page, 'dark');
    await page.keyboard.press('Escape');
    await sheet.waitFor({ state: 'detached', ...WAIT });
    assert.equal(await page.evaluate(() => document.activeElement.matches('.chat-main textarea')), true, 'focus goes back');
  });

  it('had no dialogs, CSP violations or page errors', async () => {
    assert.deepEqual(await admin.page.evaluate(() => window.__cspViolations || []), []);
    assert.deepEqual(problems, []);
  });
});
