// Emoji and code blocks in the chat UI: `:shortcode:` autocomplete, the
// searchable picker (categories, keyboard, recents kept across a reload), the
// bundled colour emoji font drawing real colour on a box with no emoji font
// of its own, reaction chips naming who reacted, highlight.js spans for a
// ```rust block, green/red lines for a ```diff block in both themes, and the
// Copy button.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  WAIT, addMember, addUser, createProject, launchBrowser, loginToken, openChatUser, screenshots, shutDown,
  socketCalls, startServer,
} from './harness.mjs';

const shot = screenshots(import.meta.url);
const PEOPLE = ['alice', 'bob', 'carol', 'dave', 'erin'];
const message = (page, text) => page.getByTestId('message-list').locator('article.msg', { hasText: text });
const box = (page) => page.getByRole('textbox', { name: 'Message #general', exact: true });

async function send(page, text) {
  await box(page).fill(text);
  await box(page).press('Enter');
}

/** How many pixels of a PNG screenshot are clearly coloured (not grey), counted on a canvas. */
function colourPixels(page, png) {
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 80) n += 1;
    }
    return n;
  }, png.toString('base64'));
}

/** Has `username` react to message `id` over their own chat socket, from inside `page`. */
async function reactAs(page, token, id, emoji) {
  const [ack] = await socketCalls(page, token, [['add_reaction', { message_id: id, emoji }]]);
  return ack;
}

describe('emoji and code blocks', () => {
  let server;
  let browser;
  let admin;
  const tokens = {};
  const problems = [];

  before(async () => {
    server = await startServer();
    const token = await loginToken(server, 'admin', server.adminPassword);
    await createProject(server, token, 'demo');
    for (const name of PEOPLE) {
      await addUser(server, name, `${name}-password-1`);
      await addMember(server, token, 'demo', name);
      tokens[name] = await loginToken(server, name, `${name}-password-1`);
    }
    browser = await launchBrowser();
    admin = await openChatUser(browser, server, 'admin', server.adminPassword, problems);
    await admin.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  });

  after(() => shutDown(browser, server));

  it('completes :thu to 👍 with Tab', async () => {
    const page = admin.page;
    await box(page).click();
    await box(page).pressSequentially('Ship it :thu');
    const list = page.getByRole('listbox', { name: 'Emoji' });
    const first = list.getByRole('option').first();
    await first.waitFor(WAIT);
    assert.match(await first.innerText(), /:thumbsup:/);
    assert.equal(await first.getAttribute('aria-selected'), 'true');
    await box(page).press('Tab');
    assert.equal(await box(page).inputValue(), 'Ship it 👍');
    await box(page).press('Enter');
    await message(page, 'Ship it 👍').waitFor(WAIT);
  });

  it('finds "rocket" in the picker, switches categories, and works from the keyboard', async () => {
    const page = admin.page;
    const opener = page.getByRole('button', { name: 'Insert emoji' });
    await opener.click();
    const picker = page.getByRole('dialog', { name: 'Insert emoji' });
    await picker.waitFor(WAIT);
    const search = picker.getByRole('searchbox', { name: 'Search emoji' });
    assert.ok(await search.evaluate((el) => el === document.activeElement), 'search box has focus');

    await picker.getByRole('tab', { name: 'Animals & nature' }).click();
    assert.equal(await picker.getByRole('tab', { name: 'Animals & nature' }).getAttribute('aria-selected'), 'true');
    await picker.getByRole('tabpanel', { name: 'Animals & nature' }).getByRole('button', { name: 'dog face' }).waitFor(WAIT);
    await picker.getByRole('tab', { name: 'Food & drink' }).click();
    await picker.getByRole('tabpanel', { name: 'Food & drink' }).getByRole('button', { name: 'red apple' }).waitFor(WAIT);
    assert.equal(await picker.getByRole('button', { name: 'dog face' }).count(), 0, 'the other category is gone');

    await search.fill('rocket');
    const results = picker.getByRole('tabpanel', { name: 'Search results' });
    const rocket = results.getByRole('button', { name: 'rocket', exact: true });
    await rocket.waitFor(WAIT);
    assert.equal(await rocket.innerText(), '🚀');
    assert.match(await rocket.getAttribute('title'), /:rocket:/);
    await page.evaluate(() => document.fonts.ready);
    const inGrid = await colourPixels(page, await results.screenshot());
    assert.ok(inGrid > 40, `coloured pixels in the picker's results: ${inGrid}`);
    const tabs = await colourPixels(page, await picker.getByRole('tablist').screenshot());
    assert.ok(tabs > 40, `coloured pixels in the category tabs: ${tabs}`);
    await shot(page, 'emoji-picker');
    // Keyboard: down into the grid, Enter picks the focused emoji.
    await search.press('ArrowDown');
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'rocket');
    await page.keyboard.press('Enter');
    await picker.waitFor({ state: 'detached', ...WAIT });
    await page.waitForFunction(() => document.activeElement && document.activeElement.classList.contains('composer-input'), null, WAIT);
    assert.equal(await box(page).inputValue(), '🚀');

    // Escape closes and gives focus back to the button that opened it.
    await opener.click();
    await picker.waitFor(WAIT);
    await page.keyboard.press('Escape');
    await picker.waitFor({ state: 'detached', ...WAIT });
    assert.ok(await opener.evaluate((el) => el === document.activeElement), 'focus back on Insert emoji');
    await box(page).press('Enter');
    await message(page, '🚀').waitFor(WAIT);
  });

  it('shows the last used emoji first in Recently used after a reload', async () => {
    const page = admin.page;
    await page.getByRole('button', { name: 'Insert emoji' }).click();
    const picker = page.getByRole('dialog', { name: 'Insert emoji' });
    await picker.getByRole('searchbox', { name: 'Search emoji' }).fill('tada');
    await picker.getByRole('button', { name: 'party popper' }).click();
    await box(page).fill('');
    await page.reload();
    await page.getByTestId('chat-view').waitFor(WAIT);
    await page.getByRole('button', { name: 'Insert emoji' }).click();
    const tab = picker.getByRole('tab', { name: 'Recently used' });
    assert.equal(await tab.getAttribute('aria-selected'), 'true');
    const recent = picker.getByRole('tabpanel', { name: 'Recently used' }).getByRole('button');
    await recent.first().waitFor(WAIT);
    assert.deepEqual((await recent.allInnerTexts()).slice(0, 3), ['🎉', '🚀', '👍']);
    await page.keyboard.press('Escape');
  });

  it('draws emoji in colour with the bundled font (no emoji font installed here)', async () => {
    const page = admin.page;
    const msg = message(page, '🚀').last();
    await msg.waitFor(WAIT);
    assert.ok(await page.evaluate(async () => {
      await document.fonts.load('24px "Huddle Emoji"', '🚀');
      return document.fonts.check('24px "Huddle Emoji"', '🚀');
    }), 'the emoji font is loaded');
    await page.evaluate(() => document.fonts.ready);
    const content = msg.locator('.msg-content');
    const coloured = await colourPixels(page, await content.screenshot());
    assert.ok(coloured > 40, `coloured pixels in the 🚀 message: ${coloured}`);
    // The same text in a font chain without it stays grey: the colour comes from the bundled font.
    const plain = await content.evaluate((el) => { el.style.fontFamily = 'sans-serif'; return el.getBoundingClientRect().width; });
    assert.ok(plain > 0);
    const grey = await colourPixels(page, await content.screenshot());
    await content.evaluate((el) => { el.style.fontFamily = ''; });
    assert.ok(grey < coloured / 4, `without the font: ${grey} coloured pixels vs ${coloured}`);
  });

  it('names who reacted on the chip, as its tooltip and its accessible name', async () => {
    const page = admin.page;
    await send(page, 'React to this one');
    const msg = message(page, 'React to this one');
    // Wait for the server's copy (a pending message has no id yet).
    await msg.and(page.locator('[data-message-id]')).waitFor(WAIT);
    const id = await msg.getAttribute('data-message-id');
    assert.ok(id);
    for (const name of PEOPLE) {
      const ack = await reactAs(page, tokens[name], id, '👍');
      assert.equal(ack.ok, true, JSON.stringify(ack));
    }
    const chip = msg.getByRole('button', { name: 'alice, bob and 3 others reacted with :thumbsup:' });
    await chip.waitFor(WAIT);
    assert.equal(await chip.getAttribute('title'), 'alice, bob and 3 others reacted with :thumbsup:');
    assert.equal(await chip.getAttribute('aria-pressed'), 'false');
    assert.match(await chip.innerText(), /👍\s*5/);
    const ack = await reactAs(page, tokens.alice, id, '🎉');
    assert.equal(ack.ok, true);
    await msg.getByRole('button', { name: 'alice reacted with :tada:' }).waitFor(WAIT);
    const coloured = await colourPixels(page, await msg.locator('.reactions').screenshot());
    assert.ok(coloured > 20, `coloured pixels in the reaction chips: ${coloured}`);
  });

  it('highlights a ```rust block with highlight.js', async () => {
    const page = admin.page;
    await send(page, '```rust\nfn main() {\n    let answer = 42; // the answer\n    println!("{}", answer);\n}\n```');
    const code = message(page, 'let answer').locator('pre code');
    await code.locator('.hljs-keyword', { hasText: 'fn' }).waitFor(WAIT);
    await code.locator('.hljs-keyword', { hasText: 'let' }).waitFor(WAIT);
    await code.locator('.hljs-number', { hasText: '42' }).waitFor(WAIT);
    await code.locator('.hljs-comment', { hasText: '// the answer' }).waitFor(WAIT);
    await code.locator('.hljs-string', { hasText: '"{}"' }).waitFor(WAIT);
    const colours = await code.evaluate((el) => ['.hljs-keyword', '.hljs-string', '.hljs-comment']
      .map((s) => getComputedStyle(el.querySelector(s)).color));
    assert.equal(new Set(colours).size, 3, `three token colours: ${colours}`);
  });

  it('colours the + and - lines of a ```diff block, in both themes', async () => {
    const page = admin.page;
    await send(page, '```diff\n@@ -1,3 +1,3 @@\n fn main() {\n-    old();\n+    new_call();\n }\n```');
    const code = message(page, 'new_call').locator('pre code');
    const added = code.locator('.hljs-addition', { hasText: 'new_call' });
    const removed = code.locator('.hljs-deletion', { hasText: 'old()' });
    await added.waitFor(WAIT);
    await removed.waitFor(WAIT);
    await code.locator('.hljs-meta', { hasText: '@@ -1,3 +1,3 @@' }).waitFor(WAIT);
    const rgb = (s) => s.match(/[\d.]+/g).slice(0, 3).map(Number);
    for (const theme of ['dark', 'light']) {
      await page.evaluate((t) => { document.documentElement.dataset.theme = t; }, theme);
      const add = rgb(await added.evaluate((el) => getComputedStyle(el).backgroundColor));
      const del = rgb(await removed.evaluate((el) => getComputedStyle(el).backgroundColor));
      const addFg = rgb(await added.evaluate((el) => getComputedStyle(el).color));
      const delFg = rgb(await removed.evaluate((el) => getComputedStyle(el).color));
      assert.ok(add[1] > add[0] && add[1] > add[2], `${theme}: added line background is green ${add}`);
      assert.ok(del[0] > del[1] && del[0] > del[2], `${theme}: removed line background is red ${del}`);
      assert.ok(addFg[1] > addFg[0], `${theme}: added text is green ${addFg}`);
      assert.ok(delFg[0] > delFg[1], `${theme}: removed text is red ${delFg}`);
      // The tint spans the line, not just its characters.
      const [lineW, blockW] = await added.evaluate((el) => [el.getBoundingClientRect().width, el.closest('pre').clientWidth]);
      assert.ok(lineW >= blockW - 2, `${theme}: added line is ${lineW}px of ${blockW}px`);
      await message(page, 'new_call').scrollIntoViewIfNeeded();
      await shot(page, `code-${theme}`);
    }
    await page.evaluate(() => { document.documentElement.dataset.theme = 'dark'; });
  });

  it('still copies a highlighted block with its Copy button', async () => {
    const page = admin.page;
    const block = message(page, 'let answer').locator('pre');
    await block.getByRole('button', { name: 'Copy code' }).click();
    await block.getByRole('button', { name: 'Copy code' }).filter({ hasText: 'Copied' }).waitFor(WAIT);
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, 'fn main() {\n    let answer = 42; // the answer\n    println!("{}", answer);\n}\n');
  });

  it('fits the picker on a phone screen, in the light theme', async () => {
    const page = admin.page;
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate(() => { document.documentElement.dataset.theme = 'light'; });
    await page.getByRole('button', { name: 'Insert emoji' }).click();
    const picker = page.getByRole('dialog', { name: 'Insert emoji' });
    await picker.getByRole('tab', { name: 'Smileys & emotion' }).click();
    await picker.getByRole('button', { name: 'grinning face', exact: true }).waitFor(WAIT);
    const r = await picker.boundingBox();
    assert.ok(r.x >= 0 && r.x + r.width <= 390 && r.y >= 0 && r.y + r.height <= 844, JSON.stringify(r));
    await shot(page, 'emoji-picker-phone-light');
    await page.keyboard.press('Escape');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.evaluate(() => { document.documentElement.dataset.theme = 'dark'; });
    assert.deepEqual(problems, []);
    assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
  });
});
