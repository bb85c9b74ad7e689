// Managing people from the UI: the members dialog for an admin (add with the
// picker, change a role, create a person and an agent with one-time passwords
// that log in, reset a password), a role change reaching the person's open tab
// live (viewer → contributor → viewer), a maintainer adding, changing and
// removing a member without "admin" to hand out, a contributor shown the list
// read-only (and refused by the server when forcing it), and changing one's
// own password.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  WAIT, addMember, addUser, createProject, launchBrowser, loginToken, pageOverflow, rest, screenshots,
  shutDown, signIn, startServer, waitUntil,
} from './harness.mjs';

const PHONE = { width: 390, height: 844 };
const GENERAL = '#/p/demo/c/general';

const shot = screenshots(import.meta.url);
const row = (dialog, username) => dialog.getByTestId('members-dialog-list').locator(`[data-member="${username}"]`);
const login = (server, username, password) => rest(server.url, 'POST', '/auth/login', { body: { username, password } });

async function openMembers(page, name) {
  await page.getByTestId('invite-button').click();
  const dialog = page.getByRole('dialog', { name });
  await dialog.waitFor(WAIT);
  return dialog;
}

async function closeDialog(page, dialog) {
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden', ...WAIT });
}

async function pickAndAdd(dialog, username, role) {
  const input = dialog.getByRole('combobox', { name: 'Person or agent' });
  await input.fill(username.slice(0, 3));
  await dialog.getByRole('option', { name: new RegExp(`^${username}`) }).click();
  assert.equal(await input.inputValue(), username);
  await dialog.getByLabel('Role', { exact: true }).selectOption(role);
  await dialog.getByRole('button', { name: 'Add', exact: true }).click();
  await row(dialog, username).waitFor(WAIT);
}

describe('managing people from the UI', () => {
  let server;
  let browser;
  let admin;
  let bob;
  let carol;
  let dave;
  let erinPassword;
  const problems = [];

  before(async () => {
    server = await startServer();
    const token = await loginToken(server, 'admin', server.adminPassword);
    await createProject(server, token, 'demo', 'People management');
    for (const name of ['bob', 'carol', 'dave']) await addUser(server, name, `${name}-password-1`);
    await addMember(server, token, 'demo', 'carol', 'maintainer');
    await addMember(server, token, 'demo', 'dave', 'contributor');
    browser = await launchBrowser();
    admin = await signIn(browser, server, 'admin', server.adminPassword, problems, { hash: GENERAL });
  });

  after(() => shutDown(browser, server));

  it('lets the admin add bob as a viewer with the searchable picker', async () => {
    const dialog = await openMembers(admin.page, 'Invite people to demo');
    assert.deepEqual(await dialog.getByLabel('Role', { exact: true }).locator('option').allTextContents(),
      ['viewer', 'contributor', 'maintainer', 'admin']);
    await pickAndAdd(dialog, 'bob', 'viewer');
    assert.equal(await dialog.getByLabel('Role of bob').inputValue(), 'viewer');
    await row(dialog, 'admin').getByText('(you)').waitFor(WAIT);
    await shot(admin.page, 'members-dark');
    await closeDialog(admin.page, dialog);
  });

  it('reaches bob’s open tab live when his role changes: viewer → contributor → viewer', async () => {
    bob = await signIn(browser, server, 'bob', 'bob-password-1', problems, { hash: GENERAL });
    const notice = bob.page.getByTestId('read-only');
    await notice.waitFor(WAIT);
    assert.match(await notice.innerText(), /Ask a maintainer/);

    const dialog = await openMembers(admin.page, 'Invite people to demo');
    await dialog.getByLabel('Role of bob').selectOption('contributor');
    await notice.waitFor({ state: 'detached', ...WAIT });
    const box = bob.page.getByRole('textbox', { name: 'Message #general', exact: true });
    await box.fill('Promoted, and writing at once');
    await box.press('Enter');
    await admin.page.getByTestId('message-list').locator('article.msg', { hasText: 'Promoted, and writing at once' }).waitFor(WAIT);

    await dialog.getByLabel('Role of bob').selectOption('viewer');
    await notice.waitFor(WAIT);
    assert.equal(await box.count(), 0, 'the composer is gone again');
    await closeDialog(admin.page, dialog);
  });

  it('creates a person with a one-time password shown once, adds them, and the password logs in', async () => {
    const dialog = await openMembers(admin.page, 'Invite people to demo');
    await dialog.getByRole('button', { name: 'Create account' }).click();
    await dialog.getByLabel('Username').fill('bob');
    await dialog.getByRole('button', { name: 'Create account' }).click();
    await dialog.locator('#account-username-error').filter({ hasText: 'There is already an account named bob.' }).waitFor(WAIT);
    await dialog.getByLabel('Username').fill('erin');
    await dialog.getByRole('button', { name: 'Create account' }).click();
    const otp = dialog.getByTestId('one-time-password');
    await otp.waitFor(WAIT);
    await dialog.getByText('shown once — give it to them now').waitFor(WAIT);
    await dialog.getByRole('button', { name: 'Copy' }).waitFor(WAIT);
    erinPassword = (await otp.innerText()).trim();
    assert.ok(erinPassword.length >= 8, `one-time password "${erinPassword}"`);
    await shot(admin.page, 'account-created');
    await dialog.getByLabel('Add erin to demo as').selectOption('contributor');
    await dialog.getByRole('button', { name: 'Add to demo' }).click();
    await dialog.getByTestId('account-added').filter({ hasText: 'erin is now a contributor of demo.' }).waitFor(WAIT);
    await row(dialog, 'erin').waitFor(WAIT);
    assert.equal((await login(server, 'erin', erinPassword)).status, 200);

    // Shown once: after "Create another" it is gone from the page.
    await dialog.getByRole('button', { name: 'Create another' }).click();
    assert.equal(await admin.page.getByText(erinPassword).count(), 0);
    await dialog.getByLabel('Username').waitFor(WAIT);
    await closeDialog(admin.page, dialog);
    const reopened = await openMembers(admin.page, 'Invite people to demo');
    assert.equal(await admin.page.getByText(erinPassword).count(), 0, 'not shown again');
    await closeDialog(admin.page, reopened);
  });

  it('creates an agent with its role; its one-time password logs in as that agent', async () => {
    const dialog = await openMembers(admin.page, 'Invite people to demo');
    await dialog.getByRole('button', { name: 'Create account' }).click();
    await dialog.getByLabel('Username').fill('tester');
    await dialog.getByLabel('Agent').check();
    assert.equal(await dialog.getByLabel(/Server admin/).count(), 0, 'agents are never server admins');
    await dialog.getByLabel('Agent role').selectOption('qa');
    await dialog.getByRole('button', { name: 'Create account' }).click();
    const otp = dialog.getByTestId('one-time-password');
    await otp.waitFor(WAIT);
    const password = (await otp.innerText()).trim();
    await dialog.getByRole('button', { name: 'Add to demo' }).click();
    await row(dialog, 'tester').getByText('qa agent').waitFor(WAIT);
    const r = await login(server, 'tester', password);
    assert.equal(r.status, 200);
    const me = await rest(server.url, 'GET', '/api/me', { token: r.json.access_token });
    assert.equal(me.json.user.kind, 'agent');
    assert.equal(me.json.user.agent_role, 'qa');
    await closeDialog(admin.page, dialog);
  });

  it('resets erin’s password: the new one-time password logs in, the old one no longer does', async () => {
    const dialog = await openMembers(admin.page, 'Invite people to demo');
    await row(dialog, 'erin').getByRole('button', { name: 'Reset password of erin' }).click();
    await row(dialog, 'erin').getByRole('button', { name: 'Give a new password' }).click();
    const otp = row(dialog, 'erin').getByTestId('one-time-password');
    await otp.waitFor(WAIT);
    const fresh = (await otp.innerText()).trim();
    assert.notEqual(fresh, erinPassword);
    assert.equal((await login(server, 'erin', erinPassword)).status, 401);
    assert.equal((await login(server, 'erin', fresh)).status, 200);
    erinPassword = fresh;
    await closeDialog(admin.page, dialog);
  });

  it('lets maintainer carol add, change and remove dave, without "admin" to hand out', async () => {
    carol = await signIn(browser, server, 'carol', 'carol-password-1', problems, { hash: GENERAL });
    const dialog = await openMembers(carol.page, 'Invite people to demo');
    assert.deepEqual(await dialog.getByLabel('Role', { exact: true }).locator('option').allTextContents(),
      ['viewer', 'contributor', 'maintainer']);
    assert.equal(await dialog.getByRole('button', { name: 'Create account' }).count(), 0, 'only server admins create accounts');
    assert.equal(await dialog.getByRole('button', { name: /Reset password/ }).count(), 0);
    // The admin's role is not hers to change.
    assert.equal(await dialog.getByLabel('Role of admin').evaluate((el) => el.tagName), 'SPAN');
    await dialog.getByLabel('Role of dave').selectOption('viewer');
    const carolToken = await loginToken(server, 'carol', 'carol-password-1');
    const daveRole = async () => (await rest(server.url, 'GET', '/api/projects/demo/members', { token: carolToken }))
      .json.members.find((m) => m.username === 'dave').role;
    await waitUntil(async () => await daveRole() === 'viewer', 'dave to be a viewer, as the server says');

    await row(dialog, 'dave').getByRole('button', { name: 'Remove dave' }).click();
    await row(dialog, 'dave').getByText('Remove dave from demo?').waitFor(WAIT);
    await row(dialog, 'dave').getByRole('button', { name: 'Remove dave' }).last().click();
    await row(dialog, 'dave').waitFor({ state: 'detached', ...WAIT });
    await pickAndAdd(dialog, 'dave', 'contributor');
    await shot(carol.page, 'members-maintainer');
    await closeDialog(carol.page, dialog);
  });

  it('shows the server’s refusal in the dialog: removing the last admin', async () => {
    const dialog = await openMembers(admin.page, 'Invite people to demo');
    await row(dialog, 'admin').getByLabel('Role of admin').selectOption('maintainer');
    await row(dialog, 'admin').getByRole('alert').waitFor(WAIT);
    assert.ok((await row(dialog, 'admin').getByRole('alert').innerText()).length > 0);
    await closeDialog(admin.page, dialog);
  });

  it('shows a contributor the members read-only, and the server refuses a forced change', async () => {
    dave = await signIn(browser, server, 'dave', 'dave-password-1', problems, { hash: GENERAL });
    await dave.page.getByTestId('invite-button').filter({ hasText: 'Members' }).waitFor(WAIT);
    const dialog = await openMembers(dave.page, 'Members of demo');
    await row(dialog, 'carol').getByText('maintainer').waitFor(WAIT);
    assert.equal(await dialog.getByRole('combobox').count(), 0, 'no picker');
    assert.equal(await dialog.locator('select').count(), 0, 'no role selects');
    assert.equal(await dialog.getByRole('button', { name: /^Remove/ }).count(), 0, 'no remove buttons');
    await dialog.getByText('Only maintainers and admins can add or remove people.').waitFor(WAIT);
    await shot(dave.page, 'members-readonly');
    await closeDialog(dave.page, dialog);
    const token = await loginToken(server, 'dave', 'dave-password-1');
    const forced = await rest(server.url, 'POST', '/api/projects/demo/members', { token, body: { username: 'bob', role: 'admin' } });
    assert.equal(forced.status, 403);
    const users = await rest(server.url, 'GET', '/api/users', { token });
    assert.equal(users.status, 403);
  });

  it('changes erin’s own password: errors under the right field, then success and still signed in', async () => {
    const erin = await signIn(browser, server, 'erin', erinPassword, problems, { hash: GENERAL });
    const { page } = erin;
    await page.getByTestId('user-menu-button').click();
    await page.getByRole('menuitem', { name: 'Change password' }).click();
    const dialog = page.getByRole('dialog', { name: 'Change password' });
    await dialog.waitFor(WAIT);
    const submit = dialog.getByRole('button', { name: 'Change password' });
    await dialog.getByLabel('Current password').fill('not-my-password');
    await dialog.getByLabel('New password', { exact: true }).fill('short');
    await submit.click();
    await dialog.locator('#pw-new-error').filter({ hasText: 'at least 8' }).waitFor(WAIT);
    await dialog.getByLabel('New password', { exact: true }).fill('erin-new-password');
    await dialog.getByLabel('Confirm new password').fill('erin-other-password');
    await submit.click();
    await dialog.locator('#pw-confirm-error').filter({ hasText: 'does not match' }).waitFor(WAIT);
    await dialog.getByLabel('Confirm new password').fill('erin-new-password');
    await submit.click();
    await dialog.locator('#pw-current-error').filter({ hasText: 'not your current password' }).waitFor(WAIT);
    await shot(page, 'password-errors');
    await dialog.getByLabel('Current password').fill(erinPassword);
    await submit.click();
    await dialog.getByTestId('password-changed').waitFor(WAIT);
    await dialog.getByRole('button', { name: 'Done' }).click();
    assert.equal((await login(server, 'erin', erinPassword)).status, 401, 'the old password fails');
    assert.equal((await login(server, 'erin', 'erin-new-password')).status, 200, 'the new one works');
    // Still signed in here: writing works, and so does a reload.
    const box = page.getByRole('textbox', { name: 'Message #general', exact: true });
    await box.fill('Still here after a new password');
    await box.press('Enter');
    await page.getByTestId('message-list').locator('article.msg', { hasText: 'Still here after a new password' }).waitFor(WAIT);
    await page.reload();
    await page.getByTestId('user-menu-button').waitFor(WAIT);
    await erin.context.close();
  });

  it('fits the members dialog on a phone, in the light theme too', async () => {
    for (const theme of ['dark', 'light']) {
      const user = await signIn(browser, server, 'carol', 'carol-password-1', problems,
        { hash: GENERAL, viewport: PHONE, colorScheme: theme });
      const { page } = user;
      await page.getByTestId('menu-button').click();
      const dialog = await openMembers(page, 'Invite people to demo');
      await row(dialog, 'dave').waitFor(WAIT);
      const box = await dialog.boundingBox();
      assert.ok(box.x >= 0 && box.x + box.width <= PHONE.width + 1, `dialog inside the screen: ${JSON.stringify(box)}`);
      const o = await pageOverflow(page);
      assert.ok(o.x <= 0 && o.y <= 0, `no page scrollbar: ${JSON.stringify(o)}`);
      await shot(page, `members-phone-${theme}`);
      await user.context.close();
    }
  });

  it('had no dialogs, CSP violations or page errors', async () => {
    for (const u of [admin, bob, carol, dave]) {
      assert.deepEqual(await u.page.evaluate(() => window.__cspViolations || []), []);
    }
    assert.deepEqual(problems, []);
  });
});
