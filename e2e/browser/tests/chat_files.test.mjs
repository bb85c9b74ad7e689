// Attachments and search in the chat UI: admin uploads a PNG and a text file,
// bob sees the thumbnail (a loaded blob: image) and downloads the file, an
// .html upload is refused with the server's message, and search jumps to a hit.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  WAIT, addMember, addUser, createProject, launchBrowser, loginToken, makePng, openChatUser, screenshots,
  shutDown, startServer,
} from './harness.mjs';

const shot = screenshots(import.meta.url);
const message = (page, text) => page.getByTestId('message-list').locator('article.msg', { hasText: text });

async function send(page, text) {
  const box = page.getByRole('textbox', { name: 'Message #general', exact: true });
  await box.fill(text);
  await box.press('Enter');
}

describe('chat attachments and search', () => {
  let server;
  let browser;
  let admin;
  let bob;
  let token;
  const problems = [];

  before(async () => {
    // Production budgets: the burst test below is about the send limit holding messages back.
    server = await startServer({ limits: 'default' });
    token = await loginToken(server, 'admin', server.adminPassword);
    await createProject(server, token, 'demo');
    await addUser(server, 'bob', 'bob-password-1');
    await addMember(server, token, 'demo', 'bob');
    browser = await launchBrowser();
    admin = await openChatUser(browser, server, 'admin', server.adminPassword, problems);
    bob = await openChatUser(browser, server, 'bob', 'bob-password-1', problems);
  });

  after(() => shutDown(browser, server));

  it('uploads a PNG with progress, sends it, and bob sees a loaded blob: thumbnail', async () => {
    const page = admin.page;
    await page.getByTestId('file-input').setInputFiles({ name: 'gradient.png', mimeType: 'image/png', buffer: makePng() });
    const item = page.getByTestId('upload-list').locator('.upload', { hasText: 'gradient.png' });
    await item.and(page.locator('[data-status="done"]')).waitFor(WAIT);
    assert.equal(await item.locator('progress').evaluate((p) => p.value), 1);
    await send(page, 'Here is the zebrafish gradient');
    await page.getByTestId('upload-list').waitFor({ state: 'detached', ...WAIT });

    const img = message(bob.page, 'zebrafish gradient').getByTestId('attachment-image').locator('img');
    await img.waitFor(WAIT);
    await bob.page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle(), WAIT);
    const info = await img.evaluate((el) => ({ src: el.src, w: el.naturalWidth, width: el.getAttribute('width') }));
    assert.match(info.src, /^blob:/);
    assert.ok(info.w > 0 && info.width === '48', JSON.stringify(info));

    await message(bob.page, 'zebrafish gradient').getByTestId('attachment-image').click();
    const box = bob.page.getByTestId('lightbox');
    await box.locator('img').waitFor(WAIT);
    await bob.page.waitForFunction(() => { const i = document.querySelector('.lightbox-img'); return i && i.naturalWidth === 48; }, null, WAIT);
    await bob.page.keyboard.press('Escape');
    await box.waitFor({ state: 'detached', ...WAIT });
  });

  it('sends a text file that bob downloads from its chip', async () => {
    await admin.page.getByTestId('file-input').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello notes\n') });
    await admin.page.getByTestId('upload-list').locator('[data-status="done"]').waitFor(WAIT);
    await admin.page.getByRole('button', { name: 'Send' }).click(); // no text: attachments only
    const chip = bob.page.getByTestId('attachment-file').filter({ hasText: 'notes.txt' });
    await chip.waitFor(WAIT);
    const [dl] = await Promise.all([bob.page.waitForEvent('download', WAIT), chip.getByRole('button', { name: 'Download notes.txt' }).click()]);
    assert.equal(dl.suggestedFilename(), 'notes.txt');
    await shot(admin.page, 'attachments');
  });

  it('refuses an .html file with the server\'s message, shown on the file', async () => {
    const form = new FormData();
    form.append('file', new Blob(['<p>hi</p>'], { type: 'text/html' }), 'page.html');
    const res = await fetch(`${server.url}/api/projects/demo/attachments`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form });
    const body = await res.json();
    assert.equal(res.status, 400);
    assert.equal(body.error.code, 'invalid_attachment');

    const page = admin.page;
    await page.getByTestId('file-input').setInputFiles({ name: 'page.html', mimeType: 'text/html', buffer: Buffer.from('<p>hi</p>') });
    const item = page.getByTestId('upload-list').locator('.upload', { hasText: 'page.html' });
    await item.getByRole('alert').filter({ hasText: body.error.message }).waitFor(WAIT);
    await item.getByRole('button', { name: 'Remove page.html' }).click();
    await page.getByTestId('upload-list').waitFor({ state: 'detached', ...WAIT });
  });

  it('takes images dropped on the chat or pasted into the box, up to 5 files', async () => {
    const page = admin.page;
    const png = [...makePng(8, 8)];
    const dt = await page.evaluateHandle((bytes) => {
      const d = new DataTransfer();
      d.items.add(new File([new Uint8Array(bytes)], 'dropped.png', { type: 'image/png' }));
      return d;
    }, png);
    await page.getByTestId('chat-view').dispatchEvent('dragover', { dataTransfer: dt });
    await page.getByTestId('chat-view').dispatchEvent('drop', { dataTransfer: dt });
    const list = page.getByTestId('upload-list');
    await list.locator('.upload', { hasText: 'dropped.png' }).and(page.locator('[data-status="done"]')).waitFor(WAIT);
    await page.getByRole('textbox', { name: 'Message #general', exact: true }).evaluate((el, bytes) => {
      const d = new DataTransfer();
      d.items.add(new File([new Uint8Array(bytes)], 'pasted.png', { type: 'image/png' }));
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: d, bubbles: true, cancelable: true }));
    }, png);
    await list.locator('.upload', { hasText: 'pasted.png' }).and(page.locator('[data-status="done"]')).waitFor(WAIT);
    const many = [1, 2, 3, 4].map((i) => ({ name: `n${i}.txt`, mimeType: 'text/plain', buffer: Buffer.from(`n${i}`) }));
    await page.getByTestId('file-input').setInputFiles(many);
    await page.getByRole('status').filter({ hasText: 'At most 5 files per message; 1 not added.' }).waitFor(WAIT);
    assert.equal(await list.locator('.upload').count(), 5);
    assert.equal(await page.getByRole('button', { name: 'Attach files' }).isDisabled(), true);
    for (const name of ['dropped.png', 'pasted.png', 'n1.txt', 'n2.txt', 'n3.txt']) {
      await list.getByRole('button', { name: `Remove ${name}` }).click();
    }
    await list.waitFor({ state: 'detached', ...WAIT });
  });

  it('searches (Ctrl+Shift+F), shows a <mark>ed snippet, and opens the message', async () => {
    await send(admin.page, 'The quokka is a small marsupial');
    for (let i = 0; i < 20; i += 1) { // one at a time, so they stay in order
      await send(admin.page, `Filler message ${i}`);
      await message(admin.page, `Filler message ${i}`).locator('.msg-content:not(.msg-plain)').waitFor(WAIT);
    }
    await message(bob.page, 'Filler message 19').waitFor(WAIT);
    const page = bob.page;
    await page.keyboard.press('Control+Shift+F');
    const panel = page.getByTestId('search-panel');
    await panel.waitFor(WAIT);
    await panel.getByRole('searchbox', { name: 'Search messages' }).fill('quokk');
    const hit = panel.getByTestId('search-result').filter({ hasText: 'marsupial' });
    await hit.locator('mark').filter({ hasText: /quokka/i }).waitFor(WAIT);
    await panel.getByRole('searchbox', { name: 'Search messages' }).fill('nosuchwordanywhere');
    await panel.getByText('No messages match.').waitFor(WAIT);
    await panel.getByRole('searchbox', { name: 'Search messages' }).fill('quokka');
    await hit.waitFor(WAIT);
    await shot(page, 'search');
    await hit.click();
    const target = page.locator('article.msg.focused', { hasText: 'The quokka is a small marsupial' });
    await target.waitFor(WAIT);
    const [b, v] = [await target.boundingBox(), await page.getByTestId('message-list').boundingBox()];
    assert.ok(b && b.y >= v.y - 5 && b.y < v.y + v.height, 'the hit is scrolled into view');
    await panel.getByRole('button', { name: 'Close search' }).click();
    await panel.waitFor({ state: 'detached', ...WAIT });
  });

  it('previews Markdown as the server renders it, without sending', async () => {
    const page = admin.page;
    const box = page.getByRole('textbox', { name: 'Message #general', exact: true });
    await box.fill('**bold move** @bob <script>alert(1)</script>');
    await page.getByRole('button', { name: 'Preview' }).click();
    const preview = page.getByTestId('md-preview');
    await preview.locator('strong', { hasText: 'bold move' }).waitFor(WAIT);
    assert.equal(await preview.locator('.mention[data-mention="bob"]').count(), 1, 'mentions are rendered');
    assert.equal(await preview.locator('script').count(), 0, 'markup stays text');
    assert.match(await preview.innerText(), /<script>alert\(1\)<\/script>/);
    await page.getByRole('button', { name: 'Preview' }).click();
    await box.fill('');
    assert.equal(await message(bob.page, 'bold move').count(), 0, 'a preview sends nothing');
  });

  it('keeps quickly typed messages in order, even when the rate limit holds some back', async () => {
    const page = admin.page;
    const words = Array.from({ length: 14 }, (_, i) => `burst-${String(i).padStart(2, '0')}`);
    for (const w of words) await send(page, w);
    await message(bob.page, words[words.length - 1]).waitFor(WAIT);
    const seen = await bob.page.getByTestId('message-list').locator('article.msg')
      .evaluateAll((els) => els.map((e) => e.textContent.match(/burst-\d\d/)).filter(Boolean).map((m) => m[0]));
    assert.deepEqual(seen, words, 'bob sees them in the order they were typed');
  });

  it('had no dialogs, CSP violations or page errors', async () => {
    for (const { page } of [admin, bob]) {
      assert.deepEqual(await page.evaluate(() => window.__cspViolations || []), []);
    }
    assert.deepEqual(problems, []);
  });
});
