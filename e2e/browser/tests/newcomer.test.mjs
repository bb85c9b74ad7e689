// A newcomer's first hour, as a person sees it: no page scrollbar and no
// leftover "Loading Huddle…", the user menu (profile, theme), a project typed
// as "Launch Plan" created as launch-plan and opened on #general where its
// creator can write at once, activity and connection state in plain words,
// channels created, renamed, described and archived from the UI (seen live in
// another tab), and one clear state for an unknown project.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  WAIT, addMember, addUser, createProject, frames, launchBrowser, loginToken, pageOverflow, screenshots,
  shutDown, signIn, startServer, waitUntil,
} from './harness.mjs';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

const heading = (page, name) => page.getByRole('heading', { level: 1, name, exact: true });
const sidebarChannel = (page, name) => page.getByTestId('channel-list').getByRole('link', { name, exact: true });
const shot = screenshots(import.meta.url);

async function assertNoPageScrollbar(page, where) {
  const o = await pageOverflow(page);
  assert.ok(o.y <= 0, `${where}: the page scrolls vertically by ${o.y}px`);
  assert.ok(o.x <= 0, `${where}: the page scrolls horizontally by ${o.x}px`);
}

async function send(page, text) {
  const box = page.getByRole('textbox', { name: 'Message #general', exact: true });
  await box.fill(text);
  await box.press('Enter');
  await page.getByTestId('message-list').locator('article.msg', { hasText: text }).waitFor(WAIT);
}

describe('a newcomer’s first hour', () => {
  let server;
  let browser;
  let admin;
  let bob;
  const problems = [];

  before(async () => {
    server = await startServer();
    const token = await loginToken(server, 'admin', server.adminPassword);
    await createProject(server, token, 'demo', 'Taken name');
    await addUser(server, 'bob', 'bob-password-1');
    browser = await launchBrowser();
  });

  after(() => shutDown(browser, server));

  it('shows the login without the boot placeholder or a page scrollbar, at desktop and phone width', async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    page.on('pageerror', (err) => problems.push(`login: page error ${err}`));
    await page.goto(`${server.url}/`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor(WAIT);
    assert.equal(await page.getByText('Loading Huddle…').count(), 0, 'the boot placeholder is gone');
    await assertNoPageScrollbar(page, 'login, desktop');
    await page.setViewportSize(PHONE);
    await assertNoPageScrollbar(page, 'login, phone');
    await context.close();
  });

  it('signs the admin in: a user menu instead of "admin admin", and no connection jargon', async () => {
    admin = await signIn(browser, server, 'admin', server.adminPassword, problems, { colorScheme: 'dark' });
    const { page } = admin;
    const button = page.getByRole('button', { name: /admin/ });
    await button.first().waitFor(WAIT);
    const topbar = page.locator('header.topbar');
    assert.doesNotMatch(await topbar.innerText(), /admin\s+admin/, 'the name is not followed by an "admin" tag');
    // Connected: nothing to say about the connection.
    await page.getByTestId('project-list').waitFor(WAIT);
    // Upgraded to a websocket: from then on the badge has nothing to say.
    await page.locator('[data-connection="realtime"]').waitFor(WAIT);
    assert.equal(await page.getByText('Real-time').count(), 0);
    assert.equal(await page.getByTestId('connection-badge').count(), 0, 'no badge while connected');
    await assertNoPageScrollbar(page, 'project list');
  });

  it('opens Profile from the user menu with the keyboard, and Escape returns to the menu button', async () => {
    const { page } = admin;
    const button = page.getByTestId('user-menu-button');
    await button.focus();
    await page.keyboard.press('Enter');
    const menu = page.getByRole('menu');
    await menu.waitFor(WAIT);
    for (const name of ['Profile', 'Change password', 'Log out']) {
      await menu.getByRole('menuitem', { name, exact: true }).waitFor(WAIT);
    }
    await menu.getByRole('menuitemradio', { name: 'Dark' }).waitFor(WAIT);
    // Focus is on the first item; Enter opens it.
    assert.equal(await page.evaluate(() => document.activeElement.textContent.trim()), 'Profile');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Profile' });
    await dialog.waitFor(WAIT);
    assert.equal(await dialog.getAttribute('aria-modal'), 'true');
    await dialog.getByTestId('profile-kind').filter({ hasText: 'Person' }).waitFor(WAIT);
    await dialog.getByTestId('profile-admin').filter({ hasText: 'Yes' }).waitFor(WAIT);
    await dialog.getByText('Member since').waitFor(WAIT);
    await dialog.getByTestId('profile-projects').getByText('demo').waitFor(WAIT);
    await shot(page, 'profile-dark');
    // Tab stays inside the dialog.
    for (let i = 0; i < 6; i += 1) {
      await page.keyboard.press('Tab');
      assert.ok(await dialog.evaluate((d) => d.contains(document.activeElement)), 'focus stays in the dialog');
    }
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden', ...WAIT });
    await page.waitForFunction(() => document.activeElement && document.activeElement.dataset.testid === 'user-menu-button');
  });

  it('switches the theme to light, dark and back to the system’s from the user menu', async () => {
    const { page } = admin;
    const pick = async (name) => {
      await page.getByTestId('user-menu-button').click();
      await page.getByRole('menuitemradio', { name }).click();
    };
    await pick('Light');
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'light');
    assert.equal(await page.evaluate(() => localStorage.getItem('huddle.theme')), 'light');
    await page.getByTestId('user-menu-button').click();
    assert.equal(await page.getByRole('menuitemradio', { name: 'Light' }).getAttribute('aria-checked'), 'true');
    await shot(page, 'user-menu-light');
    await page.keyboard.press('Escape');
    await page.getByRole('menu').waitFor({ state: 'hidden', ...WAIT });
    await pick('Same as the system');
    // The context prefers dark.
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    assert.equal(await page.evaluate(() => localStorage.getItem('huddle.theme')), null);
  });

  it('turns "Launch Plan" into launch-plan live, shows a taken name under the field, and opens #general', async () => {
    const { page } = admin;
    await page.getByRole('button', { name: 'New project' }).first().click();
    const name = page.getByLabel('Name', { exact: true });
    await name.fill('Demo');
    await page.getByText('The project will be called demo.').waitFor(WAIT);
    await page.getByRole('button', { name: 'Create project' }).click();
    const err = page.locator('#project-name-error');
    await err.filter({ hasText: 'A project named demo already exists.' }).waitFor(WAIT);
    assert.equal(await name.getAttribute('aria-invalid'), 'true');
    await name.fill('!!!');
    await page.getByRole('button', { name: 'Create project' }).click();
    await err.filter({ hasText: 'at least one letter or digit' }).waitFor(WAIT);
    await name.fill('Launch Plan');
    await page.getByText('The project will be called launch-plan.').waitFor(WAIT);
    await shot(page, 'new-project-slug');
    await page.getByRole('button', { name: 'Create project' }).click();
    await heading(page, 'general').waitFor(WAIT);
    assert.match(page.url(), /#\/p\/launch-plan\/c\/general$/);
    await sidebarChannel(page, 'general').waitFor(WAIT);
  });

  it('lets the creator write in #general at once', async () => {
    const { page } = admin;
    assert.equal(await page.getByTestId('read-only').count(), 0, 'no read-only notice for the creator');
    await send(page, 'First words in my own project');
    await assertNoPageScrollbar(page, 'chat, desktop');
  });

  it('words the overview for people: the creator is its admin, activity in sentences', async () => {
    const { page } = admin;
    await page.getByRole('link', { name: 'Overview' }).click();
    await heading(page, 'launch-plan').waitFor(WAIT);
    const role = page.getByTestId('project-role');
    await role.filter({ hasText: /^admin/ }).waitFor(WAIT);
    assert.doesNotMatch(await page.locator('#main').innerText(), /not a member/);
    const activity = page.getByTestId('activity-list');
    await activity.getByText('admin created the project').waitFor(WAIT);
    const text = await activity.innerText();
    assert.doesNotMatch(text, /project_created|member_added|_/, `raw event kinds in: ${text}`);
    await assertNoPageScrollbar(page, 'overview');
    await shot(page, 'overview-words');
  });

  it('creates a channel from "+": "Release Notes" becomes #release-notes, opened, and appears live for bob', async () => {
    const { page } = admin;
    const token = await loginToken(server, 'admin', server.adminPassword);
    await addMember(server, token, 'launch-plan', 'bob', 'contributor');
    bob = await signIn(browser, server, 'bob', 'bob-password-1', problems, { hash: '#/p/launch-plan/c/general' });
    await heading(bob.page, 'general').waitFor(WAIT);
    assert.equal(await bob.page.getByTestId('create-channel').count(), 0, 'a contributor gets no "+"');
    assert.equal(await bob.page.getByTestId('channel-settings').count(), 0, 'nor a gear');

    await page.getByRole('button', { name: 'Create channel' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create channel' });
    await dialog.waitFor(WAIT);
    await dialog.getByLabel('Channel name').fill('Release Notes');
    await dialog.getByText('The channel will be called #release-notes.').waitFor(WAIT);
    await dialog.getByLabel('Kind').selectOption('workflow');
    await dialog.getByLabel(/Description/).fill('What shipped, and when');
    await shot(page, 'create-channel');
    await dialog.getByRole('button', { name: 'Create channel' }).click();
    await heading(page, 'release-notes').waitFor(WAIT);
    assert.match(page.url(), /\/c\/release-notes$/);
    await sidebarChannel(bob.page, 'release-notes').waitFor(WAIT);

    // The same name again is refused under the name field.
    await page.getByRole('button', { name: 'Create channel' }).click();
    await dialog.getByLabel('Channel name').fill('release notes');
    await dialog.getByRole('button', { name: 'Create channel' }).click();
    await dialog.locator('#channel-name-error').filter({ hasText: /already|exists|taken/i }).waitFor(WAIT);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden', ...WAIT });
  });

  it('renames, describes and archives a channel from its settings; bob sees each change live', async () => {
    const { page } = admin;
    await page.getByRole('button', { name: 'Settings of #release-notes' }).click();
    let dialog = page.getByRole('dialog', { name: 'Settings of #release-notes' });
    await dialog.waitFor(WAIT);
    await dialog.getByLabel('Channel name').fill('Release Log');
    await dialog.getByText('The channel will be called #release-log.').waitFor(WAIT);
    await dialog.getByLabel(/Description/).fill('Every release, newest last');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    // The dialog follows the renamed channel.
    dialog = page.getByRole('dialog', { name: 'Settings of #release-log' });
    await dialog.getByText('Saved.').waitFor(WAIT);
    await heading(page, 'release-log').waitFor(WAIT);
    await page.getByText('Every release, newest last').first().waitFor(WAIT);
    await sidebarChannel(bob.page, 'release-log').waitFor(WAIT);
    assert.equal(await sidebarChannel(bob.page, 'release-notes').count(), 0);
    await shot(page, 'channel-settings');

    await dialog.getByRole('button', { name: 'Archive channel' }).click();
    const confirm = dialog.getByRole('button', { name: 'Archive #release-log' });
    await confirm.waitFor(WAIT);
    await confirm.click();
    await dialog.waitFor({ state: 'hidden', ...WAIT });
    await heading(page, 'general').waitFor(WAIT);
    await sidebarChannel(page, 'release-log').waitFor({ state: 'detached', ...WAIT });
    await sidebarChannel(bob.page, 'release-log').waitFor({ state: 'detached', ...WAIT });
  });

  it('tells a contributor to ask a maintainer for agents, and offers a maintainer "Add an agent"', async () => {
    const note = bob.page.getByTestId('dm-empty');
    await note.filter({ hasText: 'Ask a maintainer to add an agent.' }).waitFor(WAIT);
    for (const p of [bob.page, admin.page]) {
      assert.doesNotMatch(await p.locator('#channel-sidebar').innerText(), /huddle |POST \/api/);
    }
    await admin.page.getByTestId('dm-empty').getByRole('button', { name: 'Add an agent' }).click();
    const dialog = admin.page.getByRole('dialog', { name: 'Invite people to launch-plan' });
    await dialog.waitFor(WAIT);
    await admin.page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden', ...WAIT });
  });

  it('shows one clear state for an unknown project, with a way back and nothing loading', async () => {
    const { page } = admin;
    // Every request about the project, until it is answered: once all are, nothing is left
    // that could still show a loading state.
    const open = new Set();
    let seen = 0;
    const onRequest = (req) => { if (req.url().includes('/api/projects/nope')) { open.add(req); seen += 1; } };
    const onDone = (req) => open.delete(req);
    page.on('request', onRequest);
    page.on('requestfinished', onDone);
    page.on('requestfailed', onDone);
    await page.evaluate(() => { window.location.hash = '#/p/nope'; });
    const missing = page.getByTestId('project-missing');
    await missing.getByRole('heading', { name: 'No project named nope' }).waitFor(WAIT);
    await missing.getByText('It may have been renamed, or you are not a member.').waitFor(WAIT);
    await waitUntil(() => seen > 0 && open.size === 0, 'the requests about #/p/nope to be answered');
    page.off('request', onRequest);
    page.off('requestfinished', onDone);
    page.off('requestfailed', onDone);
    await frames(page);
    const body = await page.locator('body').innerText();
    assert.doesNotMatch(body, /Loading|Waiting|Connecting/, `still loading: ${body}`);
    assert.equal(await page.getByText(/not found/i).count(), 0);
    await assertNoPageScrollbar(page, 'unknown project');
    await shot(page, 'project-missing');
    await page.evaluate(() => { window.location.hash = '#/p/nope/c/general'; });
    await missing.waitFor(WAIT);
    await missing.getByRole('link', { name: 'Back to your projects' }).click();
    await page.getByTestId('project-list').waitFor(WAIT);
  });

  it('has no page scrollbar at phone width, in both themes', async () => {
    for (const theme of ['dark', 'light']) {
      const user = await signIn(browser, server, 'bob', 'bob-password-1', problems,
        { hash: '#/p/launch-plan/c/general', viewport: PHONE, colorScheme: theme });
      const { page } = user;
      await heading(page, 'general').waitFor(WAIT);
      await page.getByTestId('composer').waitFor(WAIT);
      await assertNoPageScrollbar(page, `chat, phone, ${theme}`);
      await shot(page, `phone-${theme}`);
      await page.getByTestId('user-menu-button').click();
      await page.getByRole('menuitem', { name: 'Profile' }).click();
      await page.getByRole('dialog', { name: 'Profile' }).getByTestId('profile-projects').waitFor(WAIT);
      await assertNoPageScrollbar(page, `profile, phone, ${theme}`);
      await shot(page, `profile-phone-${theme}`);
      await user.context.close();
    }
  });

  it('had no dialogs, CSP violations or page errors', async () => {
    for (const { page } of [admin, bob]) {
      assert.deepEqual(await page.evaluate(() => window.__cspViolations || []), []);
    }
    assert.deepEqual(problems, []);
  });
});
