// End-to-end test of the web UI shell against the real server binary.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  WAIT, addMember, createProject, launchBrowser, loginToken, rest, screenshots, shutDown, startServer,
} from './harness.mjs';

const shot = screenshots(import.meta.url);

describe('web UI shell', () => {
  let server;
  let browser;
  let page;
  const cspErrors = [];
  const pageErrors = [];

  before(async () => {
    server = await startServer();
    const token = await loginToken(server, 'admin', server.adminPassword);
    await createProject(server, token, 'demo', 'Browser test project');

    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error' && msg.text().includes('Content Security Policy')) cspErrors.push(msg.text());
    });
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    // Also catch violations the console might not report.
    await context.addInitScript(() => {
      window.__cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => {
        window.__cspViolations.push(`${e.violatedDirective}: ${e.blockedURI}`);
      });
    });
  });

  after(() => shutDown(browser, server));

  it('serves index.html with a CSP whose hash matches the import map', async () => {
    const res = await rest(server.url, 'GET', '/');
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy') || '';
    const m = /<script type="importmap">([\s\S]*?)<\/script>/.exec(res.text);
    assert.ok(m, 'index.html has an import map');
    const hash = createHash('sha256').update(m[1], 'utf8').digest('base64');
    assert.ok(csp.includes(`'sha256-${hash}'`), `CSP lacks the import map hash: ${csp}`);
    assert.ok(csp.includes("frame-ancestors 'none'"), csp);
    const js = await rest(server.url, 'GET', '/vendor/preact/preact.mjs');
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') || '', /javascript/);
    const spa = await rest(server.url, 'GET', '/some/client/route');
    assert.equal(spa.status, 200);
    assert.match(spa.text, /<script type="importmap">/);
  });

  it('rejects a wrong password with a clear message', async () => {
    await page.goto(server.url + '/');
    await page.getByLabel('Username').waitFor(WAIT);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('definitely-wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const error = page.getByTestId('login-error');
    await error.filter({ hasText: 'Wrong username or password.' }).waitFor(WAIT);
    await shot(page, 'login');
  });

  it('logs in and lists the project', async () => {
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(server.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('current-user').filter({ hasText: 'admin' }).waitFor(WAIT);
    await page.locator('#project-rail').getByRole('button', { name: 'demo', exact: true }).waitFor(WAIT);
    assert.equal(await page.evaluate(() => localStorage.getItem('huddle.refresh') !== null), true);
  });

  it('opens the project: overview, members, activity, and no connection badge while connected', async () => {
    await page.locator('#project-rail').getByRole('button', { name: 'demo', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'demo', exact: true }).waitFor(WAIT);
    await page.getByText('Browser test project').waitFor(WAIT);
    await page.getByTestId('member-list').getByText('admin').first().waitFor(WAIT);
    await page.getByTestId('project-role').filter({ hasText: 'admin' }).waitFor(WAIT);
    await page.getByTestId('activity-list').getByText('admin created the project').waitFor(WAIT);
    assert.doesNotMatch(await page.getByTestId('activity-list').innerText(), /project_created/);
    await page.getByTestId('channel-list').getByRole('link', { name: 'general' }).waitFor(WAIT);
    await page.getByTestId('online-count').waitFor(WAIT);
    // Upgraded to a websocket: from then on the badge has nothing to say.
    await page.locator('[data-connection="realtime"]').waitFor(WAIT);
    assert.equal(await page.getByTestId('connection-badge').count(), 0, 'nothing to say while connected');
    assert.equal(await page.getByText('Real-time').count(), 0);
    await shot(page, 'project');
  });

  it('switches the theme from the user menu and keeps it (and the session) across a reload', async () => {
    const before = await page.evaluate(() => document.documentElement.dataset.theme);
    assert.ok(before === 'dark' || before === 'light', `initial theme ${before}`);
    await page.getByTestId('user-menu-button').click();
    await page.getByRole('menuitemradio', { name: before === 'dark' ? 'Light' : 'Dark' }).click();
    const afterToggle = await page.evaluate(() => document.documentElement.dataset.theme);
    assert.notEqual(afterToggle, before);
    assert.equal(await page.evaluate(() => localStorage.getItem('huddle.theme')), afterToggle);
    await page.reload();
    await page.getByTestId('current-user').filter({ hasText: 'admin' }).waitFor(WAIT);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), afterToggle);
    await page.getByTestId('activity-list').getByText('admin created the project').waitFor(WAIT);
  });

  it('lets an admin create a project from the UI', async () => {
    await page.getByRole('button', { name: 'New project' }).first().click();
    const name = page.getByLabel('Name', { exact: true });
    await name.fill('?!');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByText('Give the project a name with at least one letter or digit.').waitFor(WAIT);
    await name.fill('Demo 2');
    await page.getByText('The project will be called demo-2.').waitFor(WAIT);
    await page.getByLabel(/Description/).fill('Made in the browser');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('heading', { level: 1, name: 'general', exact: true }).waitFor(WAIT);
    assert.match(page.url(), /#\/p\/demo-2\/c\/general$/);
    await page.locator('#project-rail').getByRole('button', { name: 'demo-2', exact: true }).waitFor(WAIT);
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByText('Made in the browser').waitFor(WAIT);
    await page.locator('#project-rail').getByRole('button', { name: 'demo', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'demo', exact: true }).waitFor(WAIT);
  });

  it('collapses the rail behind a menu button at phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const rail = page.getByTestId('project-rail');
    const menu = page.getByTestId('menu-button');
    await menu.waitFor({ state: 'visible', ...WAIT });
    await rail.waitFor({ state: 'hidden', ...WAIT });
    assert.equal(await page.locator('aside.right').isVisible(), false, 'right sidebar hidden');
    await menu.click();
    await rail.waitFor({ state: 'visible', ...WAIT });
    assert.equal(await menu.getAttribute('aria-expanded'), 'true');
    await shot(page, 'phone');
    await page.keyboard.press('Escape');
    await rail.waitFor({ state: 'hidden', ...WAIT });
    await menu.click();
    await rail.waitFor({ state: 'visible', ...WAIT });
    await menu.click();
    await rail.waitFor({ state: 'hidden', ...WAIT });
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('logs out back to the login form', async () => {
    await page.getByTestId('user-menu-button').click();
    await page.getByRole('menuitem', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor(WAIT);
    assert.equal(await page.evaluate(() => localStorage.getItem('huddle.refresh')), null);
  });

  it('had no CSP violations or page errors', async () => {
    const violations = await page.evaluate(() => window.__cspViolations || []);
    assert.deepEqual(cspErrors, [], 'console CSP errors');
    assert.deepEqual(violations, [], 'securitypolicyviolation events');
    assert.deepEqual(pageErrors, [], 'uncaught page errors');
  });
});
