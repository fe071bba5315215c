// Flow 4: the same user signed in from two browsers; one ends the other's session from
// the profile, and the other browser is sent back to the sign-in page. Also API tokens
// (create, shown once, revoke after a confirmation).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'playwright-core';
import { DEMO, NEW_PASSWORD, Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, startServer, uniq } from './helpers.mjs';

let server;
let browser;
let a; // browser context A
let b; // browser context B
const shots = new Shots('04-sessions');
const user = { email: `gil.${uniq()}@example.org`, name: 'Gil Two-Browsers' };

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  // A fresh account, so the session list holds exactly the sessions made here.
  const admin = await newPage(browser, server.url);
  await signIn(admin.page, DEMO.admin);
  await admin.page.goto('/admin/users');
  await admin.page.fill('#nu-email', user.email);
  await admin.page.fill('#nu-name', user.name);
  await admin.page.fill('#nu-password', NEW_PASSWORD);
  await clickAndWait(admin.page, admin.page.getByRole('button', { name: 'Create account' }));
  assert.match(await admin.page.locator('.flash').innerText(), /^Account .* created\./);
  await admin.context.close();

  a = await newPage(browser, server.url, { userAgent: 'E2E browser A' });
  b = await newPage(browser, server.url, { userAgent: 'E2E browser B' });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the same user signs in from two browsers', async () => {
  await signIn(a.page, user.email, NEW_PASSWORD);
  await signIn(b.page, user.email, NEW_PASSWORD);
  // No organisation yet: both land on the organisation list, which says so.
  for (const { page } of [a, b]) {
    assert.equal(pathOf(page), '/orgs');
    assert.match(await page.locator('main .notice').innerText(), /not a member of any organisation/);
  }
  await shots.take(b.page, 'orgs-without-membership');
});

test('the profile lists both sessions and marks the current one', async () => {
  await a.page.goto('/profile');
  const rows = a.page.locator('#sessions tbody tr');
  assert.equal(await rows.count(), 2);
  const current = a.page.locator('#sessions tbody tr.current');
  assert.equal(await current.count(), 1);
  assert.match(await current.innerText(), /this one/);
  assert.match(await current.locator('td.ua').innerText(), /E2E browser A/);
  const other = a.page.locator('#sessions tbody tr:not(.current)');
  assert.match(await other.locator('td.ua').innerText(), /E2E browser B/);
  await shots.take(a.page, 'profile-two-sessions');
});

test('ending the other session signs browser B out', async () => {
  const other = a.page.locator('#sessions tbody tr:not(.current)');
  await clickAndWait(a.page, other.getByRole('button', { name: 'End session' }));
  assert.equal(pathOf(a.page), '/profile');
  assert.equal(await a.page.locator('.flash').innerText(), 'The session was ended.');
  assert.equal(await a.page.locator('#sessions tbody tr').count(), 1);
  assert.equal(await a.page.locator('#sessions tbody tr.current').count(), 1);
  await shots.take(a.page, 'profile-after-ending-session');

  await b.page.goto('/profile');
  assert.match(pathOf(b.page), /^\/login/);
  assert.equal(await b.page.locator('main h1').textContent(), 'Sign in');
  await shots.take(b.page, 'browser-b-signed-out');

  // Browser A is still signed in.
  await a.page.goto('/orgs');
  assert.equal(pathOf(a.page), '/orgs');
});

test('an API token is shown once and can be revoked after confirming', async () => {
  const page = a.page;
  await page.goto('/profile');
  await page.fill('#t-name', 'e2e readiness check');
  await page.fill('#t-days', '30');
  await clickAndWait(page, page.getByRole('button', { name: 'Create token' }));
  assert.match(await page.locator('.flash').innerText(), /Token created/);
  const secret = (await page.locator('#new-token').innerText()).trim();
  assert.ok(secret.length >= 20, `token: ${secret}`);
  const row = page.locator('#tokens table.data tbody tr', { hasText: 'e2e readiness check' });
  assert.equal(await row.count(), 1);
  assert.ok(secret.startsWith((await row.locator('code').innerText()).replace('…', '')));
  await shots.take(page, 'profile-token-created');

  // The token works against the API on its own (a client without the browser's cookies).
  const client = await request.newContext({ baseURL: server.url });
  const bearer = { headers: { Authorization: `Bearer ${secret}` } };
  assert.equal((await client.get('/api/v1/orgs')).status(), 401);
  assert.equal((await client.get('/api/v1/orgs', bearer)).status(), 200);

  const asked = [];
  page.on('dialog', (d) => asked.push(d.message()));
  await clickAndWait(page, row.getByRole('button', { name: 'Revoke' }));
  assert.equal(asked.length, 1);
  assert.match(asked[0], /^Revoke token e2e readiness check\?/);
  assert.equal(await page.locator('.flash').innerText(), 'The token was revoked.');
  assert.equal(await page.locator('#new-token').count(), 0);
  assert.equal(await page.locator('#tokens table.data tbody tr', { hasText: 'e2e readiness check' }).count(), 0);
  assert.equal((await client.get('/api/v1/orgs', bearer)).status(), 401);
  await client.dispose();
});

test('ending the current session signs this browser out', async () => {
  const page = a.page;
  await page.goto('/profile');
  await clickAndWait(page, page.locator('#sessions tbody tr.current').getByRole('button', { name: 'End session' }));
  assert.match(pathOf(page), /^\/login/);
  assert.equal(await page.locator('.flash').innerText(), 'This session was ended.');
  await page.goto('/profile');
  assert.match(pathOf(page), /^\/login/);
});
