// Flow 7: with JavaScript turned off, and driven from the keyboard, a person can sign in,
// switch organisation, and add and remove a member (every form is plain HTML).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, NEW_PASSWORD, Shots, clickAndWait, launchBrowser, newPage, pathOf, pressAndWait, startServer, uniq } from './helpers.mjs';

let server;
let browser;
let page;
const shots = new Shots('07-nojs');
const member = { email: `ivy.${uniq()}@example.org`, name: 'Ivy No-Script' };

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  ({ page } = await newPage(browser, server.url, { javaScriptEnabled: false }));
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('sign in with the keyboard only', async () => {
  await page.goto('/login');
  // The e-mail field has autofocus.
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'email');
  await page.keyboard.type(DEMO.admin);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'password');
  await page.keyboard.type(DEMO.password);
  await pressAndWait(page, '#password', 'Enter');
  assert.equal(pathOf(page), '/orgs');
  await shots.take(page, 'orgs');
});

test('the skip link is the first stop of the Tab key', async () => {
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => ({ text: document.activeElement?.textContent, href: document.activeElement?.getAttribute('href') }));
  assert.deepEqual(first, { text: 'Skip to content', href: '#main' });
  const box = await page.locator('a.skip').boundingBox();
  assert.ok(box && box.width > 0 && box.height > 0 && box.y >= 0, `skip link box ${JSON.stringify(box)}`);
  await shots.take(page, 'skip-link-focused');
});

test('the organisation switcher works with its "Open" button', async () => {
  await page.selectOption('#org-switch', 'bluefin');
  // Without JavaScript nothing happens on change (with it, app.js would submit the form)…
  await page.waitForTimeout(500);
  assert.equal(pathOf(page), '/orgs');
  // …and the button submits the GET form.
  await clickAndWait(page, page.locator('form.switcher').getByRole('button', { name: 'Open' }));
  assert.equal(pathOf(page), '/o/bluefin');
  assert.equal(await page.locator('main h1').textContent(), DEMO.orgs.bluefin);
  await page.selectOption('#org-switch', 'northwind');
  await pressAndWait(page, 'form.switcher button', 'Enter');
  assert.equal(pathOf(page), '/o/northwind');
  assert.equal(await page.locator('main h1').textContent(), DEMO.orgs.northwind);
});

test('add a member without JavaScript', async () => {
  await page.goto('/o/northwind/members');
  await page.focus('#m-email');
  await page.keyboard.type(member.email);
  await page.selectOption('#m-role', 'viewer');
  await page.focus('#m-name');
  await page.keyboard.type(member.name);
  await page.focus('#m-password');
  await page.keyboard.type(NEW_PASSWORD);
  await shots.take(page, 'members-form-filled');
  await pressAndWait(page, '#m-password', 'Enter');
  assert.equal(pathOf(page), '/o/northwind/members');
  assert.equal(await page.locator('.flash').innerText(), `${member.email} added as Viewer.`);
  const row = page.locator('table.data tbody tr', { hasText: member.email });
  assert.equal(await row.count(), 1);
  assert.equal((await row.locator('td').allInnerTexts())[2], 'Viewer');
  await shots.take(page, 'members-added');
});

test('filter the audit trail without JavaScript', async () => {
  await page.goto('/o/northwind/audit-trail');
  await page.selectOption('#a-entity', 'membership');
  await clickAndWait(page, page.getByRole('button', { name: 'Apply' }));
  const kinds = await page.locator('table.audit tbody tr td .pill').allInnerTexts();
  assert.deepEqual([...new Set(kinds)], ['membership']);
  assert.match(await page.locator('table.audit tbody tr').first().innerText(), /Ivy|ivy\./);
});

test('remove the member: without JavaScript there is no confirmation, the form just posts', async () => {
  await page.goto('/o/northwind/members');
  await clickAndWait(page, page.getByRole('link', { name: member.email }));
  await clickAndWait(page, page.getByRole('button', { name: 'Remove member' }));
  assert.equal(await page.locator('.flash').innerText(), 'Member removed.');
  assert.equal(await page.locator('table.data tbody tr', { hasText: member.email }).count(), 0);
});

test('sign out without JavaScript', async () => {
  await clickAndWait(page, page.locator('header').getByRole('button', { name: 'Sign out' }));
  assert.equal(pathOf(page), '/login');
  assert.match(await page.locator('.flash').innerText(), /signed out/i);
});
