// Attachment polish in the chat UI: file chips keep their own one-line height
// (long names, a phone screen, a row that grows), the lightbox's "Download
// original" saves the very bytes that were uploaded under their name, and a
// file over the size limit is refused with its name, size and the limit
// before any request is made.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
  WAIT, createProject, launchBrowser, loginToken, makePng, openChatUser, screenshots, shutDown, startServer,
} from './harness.mjs';

const shot = screenshots(import.meta.url);
const message = (page, text) => page.getByTestId('message-list').locator('article.msg', { hasText: text });

async function send(page, text) {
  const box = page.getByRole('textbox', { name: 'Message #general', exact: true });
  await box.fill(text);
  await box.press('Enter');
}

async function attach(page, files) {
  await page.getByTestId('file-input').setInputFiles(files);
  await page.getByTestId('upload-list').locator('.upload').nth(files.length - 1).waitFor(WAIT);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="upload-list"] [data-status="done"]').length === n,
    files.length, WAIT);
}

/** The chips' heights by file name: the order of a message's files is not what is tested. */
const heightsByName = (loc) => loc.evaluateAll((els) => Object.fromEntries(
  els.map((el) => [el.title, el.getBoundingClientRect().height]).sort(([a], [b]) => (a < b ? -1 : 1))));

describe('attachments: chips, lightbox download, size limit', () => {
  let server;
  let browser;
  let admin;
  const problems = [];

  before(async () => {
    server = await startServer();
    const token = await loginToken(server, 'admin', server.adminPassword);
    await createProject(server, token, 'demo');
    browser = await launchBrowser();
    admin = await openChatUser(browser, server, 'admin', server.adminPassword, problems);
  });

  after(() => shutDown(browser, server));

  it('keeps every file chip one line of the same height, at desktop and phone width', async () => {
    const page = admin.page;
    const long = `${'quarterly-sprint-retrospective-notes-'.repeat(3)}final.txt`;
    await attach(page, [
      { name: 'a.txt', mimeType: 'text/plain', buffer: Buffer.from('a\n') },
      { name: long, mimeType: 'text/plain', buffer: Buffer.from('long\n') },
    ]);
    await send(page, `Two files, a tall message\n\nwith\n\nseveral\n\nparagraphs`);
    const msg = message(page, 'Two files, a tall message');
    const chips = msg.getByTestId('attachment-file');
    // Chips are matched by their file name (their title), not their place.
    const chip = (file) => chips.and(page.locator(`[title="${file}"]`));
    await chip('a.txt').waitFor(WAIT);
    await chip(long).waitFor(WAIT);
    const desk = await heightsByName(chips);
    assert.deepEqual(Object.keys(desk), ['a.txt', long].sort(), `the chips: ${JSON.stringify(desk)}`);
    assert.equal(desk['a.txt'], desk[long], `chip heights ${JSON.stringify(desk)}`);
    assert.ok(desk[long] >= 30 && desk[long] <= 44, `chip height ${desk[long]}`);
    // The long name is cut on one line, the full name stays readable as the tooltip.
    const name = chip(long).locator('.att-name');
    assert.equal(await name.textContent(), long);
    assert.ok(await name.evaluate((el) => el.scrollWidth > el.clientWidth), 'long name is truncated');
    await chip(long).getByRole('button', { name: `Download ${long}` }).waitFor(WAIT);

    // A reaction makes the row taller; the chips do not change.
    await msg.hover();
    await msg.getByRole('button', { name: 'Add reaction' }).click();
    await page.getByRole('dialog', { name: 'Add reaction' }).getByRole('button', { name: 'thumbs up' }).click();
    await msg.locator('.reaction[data-emoji="👍"]').waitFor(WAIT);
    assert.deepEqual(await heightsByName(chips), desk);

    await page.setViewportSize({ width: 390, height: 844 });
    await msg.scrollIntoViewIfNeeded();
    const phone = await heightsByName(chips);
    assert.deepEqual(phone, desk, `phone chip heights ${JSON.stringify(phone)}`);
    const widths = await chips.evaluateAll((els) => els.map((el) => el.getBoundingClientRect().right));
    assert.ok(widths.every((r) => r <= 390), `chips inside the screen: ${widths}`);
    await shot(page, 'attachments-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('downloads the original image, with its name and bytes, from the lightbox', async () => {
    const page = admin.page;
    const png = makePng(64, 40);
    await attach(page, [{ name: 'gradient-original.png', mimeType: 'image/png', buffer: png }]);
    await send(page, 'The original gradient');
    await message(page, 'The original gradient').getByTestId('attachment-image').click();
    const box = page.getByRole('dialog', { name: 'gradient-original.png' });
    await box.locator('img').waitFor(WAIT);
    const button = box.getByRole('button', { name: 'Download original' });
    await shot(page, 'lightbox');
    const [dl] = await Promise.all([page.waitForEvent('download', WAIT), button.click()]);
    assert.equal(dl.suggestedFilename(), 'gradient-original.png');
    const saved = await readFile(await dl.path());
    assert.ok(saved.equals(png), `downloaded ${saved.length} bytes, uploaded ${png.length}`);
    // Tab stays inside the dialog; Escape closes it.
    for (let i = 0; i < 3; i += 1) {
      await page.keyboard.press('Tab');
      assert.ok(await box.evaluate((el) => el.contains(document.activeElement)), 'focus stays in the lightbox');
    }
    await page.keyboard.press('Escape');
    await box.waitFor({ state: 'detached', ...WAIT });
  });

  it('refuses an 11 MB file before sending a byte, saying its name, size and the limit', async () => {
    const page = admin.page;
    const uploads = [];
    const onRequest = (req) => { if (req.url().includes('/attachments')) uploads.push(`${req.method()} ${req.url()}`); };
    page.on('request', onRequest);
    await page.getByTestId('file-input').setInputFiles({
      name: 'dataset.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(11 * 1024 * 1024, 7),
    });
    const item = page.getByTestId('upload-list').locator('.upload', { hasText: 'dataset.bin' });
    await item.getByRole('alert').filter({
      hasText: 'dataset.bin is 11.0 MB; files can be at most 10 MB, so it was not uploaded.',
    }).waitFor(WAIT);
    assert.equal(await item.getAttribute('data-status'), 'error');
    // Barrier: a request the page makes now is seen after any upload it had started.
    const marker = page.waitForRequest((req) => req.url().endsWith('/health?barrier'), WAIT);
    await page.evaluate(() => { fetch('/health?barrier').catch(() => {}); });
    await marker;
    page.off('request', onRequest);
    assert.deepEqual(uploads, [], 'no upload request was made');
    assert.equal(await page.getByRole('button', { name: 'Send' }).isDisabled(), true, 'nothing to send');
    await item.getByRole('button', { name: 'Remove dataset.bin' }).click();
    await page.getByTestId('upload-list').waitFor({ state: 'detached', ...WAIT });
    assert.deepEqual(problems, []);
  });
});
