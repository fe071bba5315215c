// Flow 2: create accounts, through Administration → "New account" and through an
// organisation's Members page → "Add a member"; then edit and remove a membership.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, NEW_PASSWORD, Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, startServer, uniq } from './helpers.mjs';

let server;
let browser;
let page;
const shots = new Shots('02-users');
const id = uniq();
const adminMade = { email: `dana.${id}@example.org`, name: `Dana Admin-Made ${id}` };
const memberMade = { email: `eli.${id}@example.org`, name: `Eli Member-Made ${id}` };

/** Days from today as yyyy-mm-dd (UTC). */
function dayFromNow(days) {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** The <tr> of a table.data whose cells contain `text`. */
function rowWith(text) {
  return page.locator('table.data tbody tr', { has: page.locator('td', { hasText: text }) });
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  ({ page } = await newPage(browser, server.url));
  await signIn(page, DEMO.admin);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('Administration lists the accounts', async () => {
  await clickAndWait(page, page.locator('header').getByRole('link', { name: 'Administration' }));
  assert.equal(pathOf(page), '/admin/users');
  assert.equal(await page.locator('main h1').textContent(), 'Administration');
  assert.equal(await rowWith(DEMO.viewer).count(), 1);
  await shots.take(page, 'admin-users');
});

test('"New account" refuses a short password and names the field', async () => {
  await page.fill('#nu-email', adminMade.email);
  await page.fill('#nu-name', adminMade.name);
  await page.fill('#nu-password', 'short');
  const res = await clickAndWait(page, page.getByRole('button', { name: 'Create account' }));
  assert.equal(res.status(), 422);
  assert.match(await page.locator('.errors').innerText(), /password/);
  assert.equal(await page.locator('#nu-password').getAttribute('aria-invalid'), 'true');
  // What was typed (but the password) is kept.
  assert.equal(await page.inputValue('#nu-email'), adminMade.email);
  assert.equal(await page.inputValue('#nu-name'), adminMade.name);
  await shots.take(page, 'admin-users-invalid');
});

test('"New account" creates an account', async () => {
  await page.fill('#nu-email', adminMade.email);
  await page.fill('#nu-name', adminMade.name);
  await page.fill('#nu-password', NEW_PASSWORD);
  assert.equal(await page.isChecked('#nu-admin'), false);
  await clickAndWait(page, page.getByRole('button', { name: 'Create account' }));
  assert.equal(pathOf(page), '/admin/users');
  assert.match(await page.locator('.flash').innerText(), new RegExp(`^Account ${adminMade.email.replace(/\./g, '\\.')} created\\.`));
  const row = rowWith(adminMade.email);
  assert.equal(await row.count(), 1);
  assert.equal(await row.locator('td').nth(1).innerText(), adminMade.name);
  assert.equal(await row.locator('td').nth(2).innerText(), 'no');
  assert.equal(await row.locator('.pill').innerText(), 'active');
  await shots.take(page, 'admin-users-created');
});

test('the account page of the new account', async () => {
  await clickAndWait(page, page.getByRole('link', { name: adminMade.email }));
  assert.match(pathOf(page), /^\/admin\/users\/[0-9a-f-]{36}$/);
  assert.equal(await page.locator('main h1').textContent(), adminMade.name);
  assert.equal(await page.inputValue('#au-name'), adminMade.name);
  await shots.take(page, 'admin-user');
});

test('"Add a member" creates a new account with a name and password', async () => {
  await page.goto('/o/northwind/members');
  assert.equal(await page.locator('main h1').textContent(), 'Members');
  assert.equal(await page.locator('nav.side a[aria-current="page"]').innerText(), 'Members');
  await shots.take(page, 'members');
  const roles = await page.locator('#m-role option').evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(roles, ['admin', 'isms_manager', 'contributor', 'internal_auditor', 'external_auditor', 'viewer']);

  await page.fill('#m-email', memberMade.email);
  await page.selectOption('#m-role', 'isms_manager');
  await page.fill('#m-name', memberMade.name);
  await page.fill('#m-password', NEW_PASSWORD);
  await clickAndWait(page, page.getByRole('button', { name: 'Add member' }));
  assert.equal(pathOf(page), '/o/northwind/members');
  assert.equal(await page.locator('.flash').innerText(), `${memberMade.email} added as ISMS manager.`);
  const row = rowWith(memberMade.email);
  assert.equal(await row.count(), 1);
  const cells = await row.locator('td').allInnerTexts();
  assert.equal(cells[1], memberMade.name);
  assert.equal(cells[2], 'ISMS manager');
  assert.equal(cells[5], 'active');
  await shots.take(page, 'members-added-new-account');
});

test('"Add a member" without name and password for an e-mail with no account says so', async () => {
  const email = `nobody.${id}@example.org`;
  await page.fill('#m-email', email);
  await page.selectOption('#m-role', 'viewer');
  const res = await clickAndWait(page, page.getByRole('button', { name: 'Add member' }));
  assert.equal(res.status(), 422);
  assert.ok((await page.locator('.errors li').count()) >= 1);
  assert.equal(await page.inputValue('#m-email'), email);
  assert.equal(await rowWith(email).count(), 0);
  await shots.take(page, 'members-add-invalid');
});

test('"Add a member" adds an existing account as external auditor with an end date', async () => {
  await page.goto('/o/northwind/members');
  const ends = dayFromNow(90);
  await page.fill('#m-email', adminMade.email);
  await page.selectOption('#m-role', 'external_auditor');
  await page.fill('#m-expires', ends);
  await clickAndWait(page, page.getByRole('button', { name: 'Add member' }));
  assert.equal(await page.locator('.flash').innerText(), `${adminMade.email} added as External auditor.`);
  const cells = await rowWith(adminMade.email).locator('td').allInnerTexts();
  assert.equal(cells[1], adminMade.name);
  assert.equal(cells[2], 'External auditor');
  assert.equal(cells[3], ends);
});

test('the member page changes the role', async () => {
  await clickAndWait(page, page.getByRole('link', { name: memberMade.email }));
  assert.match(pathOf(page), /^\/o\/northwind\/members\/[0-9a-f-]{36}$/);
  assert.equal(await page.locator('main h1').textContent(), memberMade.name);
  assert.equal(await page.inputValue('#role'), 'isms_manager');
  await shots.take(page, 'member-edit');
  await page.selectOption('#role', 'contributor');
  await clickAndWait(page, page.getByRole('button', { name: 'Save' }));
  assert.equal(pathOf(page), '/o/northwind/members');
  assert.equal(await page.locator('.flash').innerText(), `Membership of ${memberMade.email} saved.`);
  assert.equal((await rowWith(memberMade.email).locator('td').allInnerTexts())[2], 'Contributor');
});

test('removing a member asks first, then takes the row away', async () => {
  await clickAndWait(page, page.getByRole('link', { name: adminMade.email }));
  const dialogs = [];
  page.on('dialog', (d) => dialogs.push(d.message()));
  await clickAndWait(page, page.getByRole('button', { name: 'Remove member' }));
  assert.deepEqual(dialogs, [`Remove ${adminMade.name} from this organisation?`]);
  assert.equal(pathOf(page), '/o/northwind/members');
  assert.equal(await page.locator('.flash').innerText(), 'Member removed.');
  assert.equal(await rowWith(adminMade.email).count(), 0);
  assert.equal(await rowWith(memberMade.email).count(), 1);
  await shots.take(page, 'members-after-remove');
});
