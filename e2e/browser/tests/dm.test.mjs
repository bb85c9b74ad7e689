// End-to-end test of direct messages: alice (human) writes to the agent `code`
// (a CLI-created agent account signed in to the web UI), sees its status dot
// go online, idle and offline, and gets its reply; carol, another member,
// sees none of it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  WAIT, addAgent, addMember, addUser, createProject, launchBrowser, loginToken, openChatUser, rest,
  screenshots, shutDown, startServer,
} from './harness.mjs';

const shot = screenshots(import.meta.url);
const DM = 'dm:code:alice';
const DM_HASH = `#/p/demo/c/${encodeURIComponent(DM)}`;
const QUESTION = 'Hello code, could you review the parser change?';
const ANSWER = 'On it, reviewing the parser change now.';

const message = (page, text) => page.getByTestId('message-list').locator('article.msg', { hasText: text });
const dmRow = (page, peer) => page.getByTestId('dm-list').locator(`[data-peer="${peer}"]`);
const dot = (page, peer) => dmRow(page, peer).getByTestId('status-dot');
const heading = (page, name) => page.getByRole('heading', { level: 1, name, exact: true });

async function send(page, text, label) {
  const box = page.getByRole('textbox', { name: label, exact: true });
  await box.fill(text);
  await box.press('Enter');
}

/** Makes the page look hidden (or visible again), as a switched-away tab would. */
function setHidden(page, hidden) {
  return page.evaluate((h) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

describe('direct messages with agents', () => {
  let server;
  let browser;
  let token;
  let alice;
  let agent;
  let carol;
  let dave;
  const problems = [];

  before(async () => {
    // Pings every 2 s, answered within 3 s: a closed tab the server did not see close still
    // goes offline within the wait budget (the defaults allow 25 + 60 s).
    server = await startServer({
      env: { HUDDLE_REALTIME__PING_INTERVAL_SECS: '2', HUDDLE_REALTIME__PING_TIMEOUT_SECS: '3' },
    });
    token = await loginToken(server, 'admin', server.adminPassword);
    for (const name of ['demo', 'solo']) await createProject(server, token, name);
    await addUser(server, 'alice', 'alice-password-1');
    await addUser(server, 'carol', 'carol-password-1');
    await addAgent(server, 'code', 'code', 'code-password-1');
    for (const username of ['alice', 'carol', 'code']) await addMember(server, token, 'demo', username);
    await addMember(server, token, 'solo', 'alice');

    const members = await rest(server.url, 'GET', '/api/projects/demo/members', { token });
    assert.equal(members.status, 200, members.text);
    const code = members.json.members.find((m) => m.username === 'code');
    assert.deepEqual({ kind: code && code.kind, agent_role: code && code.agent_role },
      { kind: 'agent', agent_role: 'code' }, `the agent as a member: ${JSON.stringify(code)}`);
    assert.equal(members.json.members.find((m) => m.username === 'alice').kind, 'human');

    browser = await launchBrowser();
    alice = await openChatUser(browser, server, 'alice', 'alice-password-1', problems);
  });

  after(() => shutDown(browser, server));

  it('lists the agent under "Direct messages", offline, with its role', async () => {
    const page = alice.page;
    await page.getByRole('heading', { name: 'Direct messages' }).waitFor(WAIT);
    await dmRow(page, 'code').waitFor(WAIT);
    assert.equal(await dot(page, 'code').getAttribute('data-status'), 'offline');
    assert.equal(await dot(page, 'code').getAttribute('aria-label'), 'code, offline');
    assert.equal(await dmRow(page, 'code').locator('.dm-role').textContent(), 'code');
    assert.equal(await page.getByTestId('dm-list').locator('[data-peer]').count(), 1, 'only agents are listed');
  });

  it('turns the dot green when the agent signs in; the agent lists the humans', async () => {
    agent = await openChatUser(browser, server, 'code', 'code-password-1', problems);
    await dot(alice.page, 'code').and(alice.page.locator('[data-status="online"]')).waitFor(WAIT);
    assert.equal(await dot(alice.page, 'code').getAttribute('aria-label'), 'code, online');
    await dmRow(agent.page, 'alice').waitFor(WAIT);
    await dmRow(agent.page, 'carol').waitFor(WAIT);
    assert.equal(await dmRow(agent.page, 'code').count(), 0, 'the agent does not list itself');
    await dot(agent.page, 'alice').and(agent.page.locator('[data-status="online"]')).waitFor(WAIT);
    await dot(agent.page, 'carol').and(agent.page.locator('[data-status="offline"]')).waitFor(WAIT);
  });

  it('shows the agent idle (amber) while its tab is hidden', async () => {
    await setHidden(agent.page, true);
    await dot(alice.page, 'code').and(alice.page.locator('[data-status="idle"]')).waitFor(WAIT);
    await setHidden(agent.page, false);
    await dot(alice.page, 'code').and(alice.page.locator('[data-status="online"]')).waitFor(WAIT);
  });

  it('lets alice open the direct message and send a message', async () => {
    const page = alice.page;
    await dmRow(page, 'code').click();
    await heading(page, '@code').waitFor(WAIT);
    assert.equal(await page.evaluate(() => window.location.hash), DM_HASH);
    assert.equal(await dmRow(page, 'code').getAttribute('aria-current'), 'page');
    assert.equal(await dmRow(page, 'code').getAttribute('data-channel'), DM);
    await page.getByTestId('dm-head').getByTestId('status-dot')
      .and(page.locator('[data-status="online"]')).waitFor(WAIT);
    await page.getByTestId('dm-head').getByText('code agent').waitFor(WAIT);
    await page.getByText('This is the beginning of your direct messages with @code.').waitFor(WAIT);
    assert.equal(await page.getByTestId('channel-list').locator('[data-channel^="dm:"]').count(), 0,
      'the direct message is not in the channel list');
    await send(page, QUESTION, 'Message @code');
    await message(page, QUESTION).locator('.msg-content:not(.msg-plain)').waitFor(WAIT);
  });

  it('shows the agent an unread badge for alice; it opens the message and replies', async () => {
    const page = agent.page;
    const row = dmRow(page, 'alice');
    await row.locator('.unread-badge', { hasText: '1' }).waitFor(WAIT);
    assert.equal(await row.getAttribute('data-channel'), DM);
    assert.match(await row.getAttribute('aria-label'), /1 unread/);
    await row.click();
    await heading(page, '@alice').waitFor(WAIT);
    await message(page, QUESTION).waitFor(WAIT);
    await row.locator('.unread-badge').waitFor({ state: 'detached', ...WAIT });
    await send(page, ANSWER, 'Message @alice');
    await message(page, ANSWER).locator('.msg-content:not(.msg-plain)').waitFor(WAIT);
  });

  it('delivers the reply to alice, shown as the agent', async () => {
    const page = alice.page;
    const reply = message(page, ANSWER);
    await reply.waitFor(WAIT);
    await reply.locator('.avatar[data-kind="agent"] svg').waitFor(WAIT);
    const theme = await page.evaluate(() => document.documentElement.dataset.theme);
    for (const t of ['dark', 'light']) {
      await page.evaluate((v) => { document.documentElement.dataset.theme = v; }, t);
      await shot(page, t);
    }
    await page.evaluate((v) => { document.documentElement.dataset.theme = v; }, theme);
  });

  it('counts unread direct messages while alice is in another channel', async () => {
    await alice.page.getByTestId('channel-list').locator('[data-channel="general"]').click();
    await heading(alice.page, 'general').waitFor(WAIT);
    await send(agent.page, 'A second note for alice', 'Message @alice');
    await dmRow(alice.page, 'code').locator('.unread-badge', { hasText: '1' }).waitFor(WAIT);
  });

  it('lists the direct message as @code in Ctrl+K', async () => {
    const page = alice.page;
    await page.keyboard.press('Control+k');
    const dialog = page.getByTestId('channel-switcher');
    await dialog.waitFor(WAIT);
    await dialog.getByRole('option', { name: '@code' }).waitFor(WAIT);
    assert.equal(await dialog.getByRole('option', { name: /dm:/ }).count(), 0, 'no raw dm: names');
    await dialog.getByRole('combobox', { name: 'Find a channel' }).pressSequentially('@co');
    await dialog.getByRole('combobox', { name: 'Find a channel' }).press('Enter');
    await dialog.waitFor({ state: 'detached', ...WAIT });
    await heading(page, '@code').waitFor(WAIT);
    await message(page, 'A second note for alice').waitFor(WAIT);
    await dmRow(page, 'code').locator('.unread-badge').waitFor({ state: 'detached', ...WAIT });
  });

  it('keeps alice\'s direct message from carol', async () => {
    carol = await openChatUser(browser, server, 'carol', 'carol-password-1', problems);
    const page = carol.page;
    await dmRow(page, 'code').waitFor(WAIT);
    assert.equal(await page.locator('#channel-sidebar [data-channel^="dm:"]').count(), 0,
      'carol has no direct message listed');
    assert.equal(await dmRow(page, 'code').locator('.unread-badge, .mention-badge').count(), 0);
    await page.evaluate((hash) => { window.location.hash = hash; }, DM_HASH);
    await page.getByTestId('chat-missing').waitFor(WAIT);
    assert.equal(await page.getByText(QUESTION).count(), 0, 'carol cannot read the message');

    const carolToken = await loginToken(server, 'carol', 'carol-password-1');
    const channels = await rest(server.url, 'GET', '/api/projects/demo/channels', { token: carolToken });
    assert.equal(channels.status, 200, channels.text);
    assert.deepEqual(channels.json.channels.filter((c) => c.direct || c.name.startsWith('dm:')), []);
    const found = await rest(server.url, 'GET', '/api/projects/demo/search?q=parser', { token: carolToken });
    assert.equal(found.status, 200, found.text);
    assert.deepEqual(found.json.results, [], 'search finds nothing of the direct message');
    await page.evaluate(() => { window.location.hash = '#/p/demo/c/general'; });
  });

  it('adds a newly added agent to the list live, sorted by name', async () => {
    await addAgent(server, 'atlas', 'qa', 'atlas-password-1');
    await addMember(server, token, 'demo', 'atlas');
    const rows = alice.page.getByTestId('dm-list').locator('[data-peer]');
    await dmRow(alice.page, 'atlas').waitFor(WAIT);
    assert.deepEqual(await rows.evaluateAll((els) => els.map((e) => e.dataset.peer)), ['atlas', 'code']);
    assert.equal(await dot(alice.page, 'atlas').getAttribute('data-status'), 'offline');
  });

  it('offers an agent without a direct message yet in Ctrl+K and opens one', async () => {
    const page = alice.page;
    assert.equal(await dmRow(page, 'atlas').getAttribute('data-channel'), null, 'no direct message with atlas yet');
    await page.keyboard.press('Control+k');
    const dialog = page.getByTestId('channel-switcher');
    await dialog.waitFor(WAIT);
    const input = dialog.getByRole('combobox', { name: 'Find a channel' });
    await input.pressSequentially('@');
    const options = dialog.getByRole('option');
    await dialog.getByRole('option', { name: '@atlas' }).waitFor(WAIT);
    assert.deepEqual(await options.allTextContents(), ['@code', '@atlas'],
      'the existing direct message first, then the agent one can write to');
    assert.equal(await options.nth(0).getAttribute('aria-selected'), 'true');
    await input.press('ArrowDown');
    assert.equal(await options.nth(1).getAttribute('aria-selected'), 'true');
    await input.press('Enter');
    await dialog.waitFor({ state: 'detached', ...WAIT });
    await heading(page, '@atlas').waitFor(WAIT);
    assert.equal(await page.evaluate(() => window.location.hash), `#/p/demo/c/${encodeURIComponent('dm:atlas:alice')}`);
    await page.getByText('This is the beginning of your direct messages with @atlas.').waitFor(WAIT);
    await dmRow(page, 'atlas').and(page.locator('[data-channel="dm:atlas:alice"]')).waitFor(WAIT);
    assert.equal(await dmRow(page, 'atlas').getAttribute('aria-current'), 'page');

    // Filtering still narrows the list to the fresh peers too.
    await addAgent(server, 'bolt', 'data', 'bolt-password-1');
    await addMember(server, token, 'demo', 'bolt');
    await dmRow(page, 'bolt').waitFor(WAIT);
    await page.keyboard.press('Control+k');
    await dialog.waitFor(WAIT);
    await input.pressSequentially('bo');
    assert.deepEqual(await options.allTextContents(), ['@bolt']);
    await input.press('Escape');
    await dialog.waitFor({ state: 'detached', ...WAIT });
    assert.equal(await dmRow(page, 'bolt').getAttribute('data-channel'), null, 'only listed, not opened');
  });

  it('opens one\'s own direct message from a link, but not someone else\'s', async () => {
    const BOLT = 'dm:bolt:alice';
    const hash = (name) => `#/p/demo/c/${encodeURIComponent(name)}`;
    const go = (page, name) => page.evaluate((h) => { window.location.hash = h; }, hash(name));

    // carol follows a link to alice's direct message with bolt: not hers, and nothing is opened.
    await go(carol.page, BOLT);
    await carol.page.getByTestId('chat-missing')
      .getByText('There is no direct message of yours with @bolt in demo.').waitFor(WAIT);
    assert.equal(await carol.page.getByTestId('dm-opening').count(), 0);

    const page = alice.page;
    await go(page, BOLT);
    await heading(page, '@bolt').waitFor(WAIT);
    await page.getByText('This is the beginning of your direct messages with @bolt.').waitFor(WAIT);
    await dmRow(page, 'bolt').and(page.locator(`[data-channel="${BOLT}"]`)).waitFor(WAIT);
    assert.equal(await page.evaluate(() => window.location.hash), hash(BOLT));
    await send(page, 'Hello bolt, welcome aboard.', 'Message @bolt');
    await message(page, 'Hello bolt, welcome aboard.').locator('.msg-content:not(.msg-plain)').waitFor(WAIT);

    // Still not carol's, now that it exists.
    await go(carol.page, 'general');
    await heading(carol.page, 'general').waitFor(WAIT);
    await go(carol.page, BOLT);
    await carol.page.getByTestId('chat-missing').waitFor(WAIT);
    assert.equal(await carol.page.getByText('Hello bolt').count(), 0);
    await go(carol.page, 'general');

    // Between two people there is no direct message to open.
    await go(page, 'dm:carol:alice');
    await page.getByTestId('chat-missing')
      .getByText('There is no direct message of yours with @carol in demo.').waitFor(WAIT);

    // An agent follows a link to its own, not yet opened direct message with a person.
    await go(agent.page, 'dm:code:carol');
    await heading(agent.page, '@carol').waitFor(WAIT);
    await dmRow(agent.page, 'carol').and(agent.page.locator('[data-channel="dm:code:carol"]')).waitFor(WAIT);
    await dmRow(carol.page, 'code').and(carol.page.locator('[data-channel="dm:code:carol"]')).waitFor(WAIT);
    await go(page, DM);
    await heading(page, '@code').waitFor(WAIT);
  });

  it('shows the server\'s error when a link\'s direct message cannot be opened', async () => {
    await addUser(server, 'dave', 'dave-password-1');
    await addMember(server, token, 'demo', 'dave', 'viewer');
    dave = await openChatUser(browser, server, 'dave', 'dave-password-1', problems);
    const page = dave.page;
    await page.evaluate((h) => { window.location.hash = h; }, `#/p/demo/c/${encodeURIComponent('dm:code:dave')}`);
    const failed = page.getByTestId('dm-open-failed');
    await failed.waitFor(WAIT);
    // The server's own words (a viewer may not open one), not a generic failure.
    assert.match(await failed.getByRole('alert').textContent(), /^Could not open a direct message with @code: .*viewer/);
    await dave.context.close();
    dave = null;
  });

  it('shows the sidebar with its direct messages at phone width', async () => {
    const page = alice.page;
    await page.setViewportSize({ width: 390, height: 780 });
    await page.getByTestId('menu-button').click();
    await dmRow(page, 'code').waitFor({ state: 'visible', ...WAIT });
    await shot(page, 'phone');
    await page.getByTestId('menu-button').click();
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('tells a contributor to ask a maintainer for an agent when a project has none', async () => {
    const page = alice.page;
    await page.evaluate(() => { window.location.hash = '#/p/solo/c/general'; });
    const note = page.getByTestId('dm-empty');
    await note.waitFor(WAIT);
    assert.match(await note.textContent(), /Ask a maintainer to add an agent\./);
    assert.doesNotMatch(await note.textContent(), /huddle /);
    await page.evaluate((hash) => { window.location.hash = hash; }, DM_HASH);
    await heading(page, '@code').waitFor(WAIT);
  });

  it('turns the dot grey again when the agent signs off', async () => {
    assert.deepEqual(await agent.page.evaluate(() => window.__cspViolations || []), []);
    await agent.context.close();
    agent = null;
    await dot(alice.page, 'code').and(alice.page.locator('[data-status="offline"]')).waitFor(WAIT);
    await alice.page.getByTestId('dm-head').getByTestId('status-dot')
      .and(alice.page.locator('[data-status="offline"]')).waitFor(WAIT);
  });

  it('had no dialogs, CSP violations or page errors', async () => {
    for (const { page } of [alice, carol]) {
      assert.deepEqual(await page.evaluate(() => window.__cspViolations || []), []);
    }
    assert.deepEqual(problems, []);
  });
});
