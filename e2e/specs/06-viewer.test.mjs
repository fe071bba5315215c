// Flow 6: a viewer (top management) sees the organisation but neither its settings nor
// its audit trail, and gets a 403 page when going there directly.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, Shots, launchBrowser, newPage, pathOf, signIn, startServer } from './helpers.mjs';

let server;
let browser;
let page;
const shots = new Shots('06-viewer');

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  ({ page } = await newPage(browser, server.url));
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the viewer signs in straight into their only organisation', async () => {
  await signIn(page, DEMO.viewer);
  assert.equal(pathOf(page), '/o/northwind');
  assert.equal(await page.locator('main h1').textContent(), DEMO.orgs.northwind);
  assert.equal(await page.locator('nav.side .side-role').innerText(), 'Viewer');
  // Only their own organisation in the switcher; no Administration link.
  assert.deepEqual(await page.locator('#org-switch option').evaluateAll((os) => os.map((o) => o.value)), ['northwind']);
  assert.equal(await page.locator('header').getByRole('link', { name: 'Administration' }).count(), 0);
  await shots.take(page, 'overview');
});

test('the side navigation has no Settings and no Audit trail', async () => {
  const nav = await page.locator('nav.side a').allInnerTexts();
  assert.deepEqual(nav, ['Dashboard', 'Readiness', 'Gap assessment', 'Roadmap', 'ISMS scope & context', 'Risks', 'Assets', 'Risk method', 'Controls', 'SoA', 'Documents', 'Evidence', 'Incidents', 'Suppliers', 'Competence', 'Measurements', 'Internal audit', 'Findings', 'Management review', 'Certification', 'Catalogue', 'Frameworks', 'Import & export', 'Members']);
  assert.equal(await page.locator('nav.side a[href$="/settings"]').count(), 0);
  assert.equal(await page.locator('nav.side a[href$="/audit-trail"]').count(), 0);
  // Nor does the overview show the audit trail panel.
  assert.equal(await page.locator('main a[href$="/audit-trail"]').count(), 0);
});

test('the members page is read-only for a viewer', async () => {
  await page.goto('/o/northwind/members');
  assert.equal(await page.locator('main h1').textContent(), 'Members');
  assert.ok((await page.locator('table.data tbody tr').count()) >= 6);
  assert.equal(await page.locator('#m-email').count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Add member' }).count(), 0);
  await shots.take(page, 'members-read-only');
  // A member page shows facts, no form.
  await page.locator('table.data tbody a').first().click();
  await page.waitForLoadState('load');
  assert.match(pathOf(page), /^\/o\/northwind\/members\/[0-9a-f-]{36}$/);
  assert.equal(await page.locator('main form').count(), 0);
  assert.equal(await page.locator('dl.facts').count(), 1);
  await shots.take(page, 'member-read-only');
});

test('settings give a 403 page', async () => {
  const res = await page.goto('/o/northwind/settings');
  assert.equal(res.status(), 403);
  assert.equal(await page.locator('.status-code').innerText(), '403');
  assert.equal(await page.locator('#s-name').count(), 0);
  await shots.take(page, 'settings-forbidden');
});

test('the audit trail and administration give 403 too', async () => {
  const trail = await page.goto('/o/northwind/audit-trail');
  assert.equal(trail.status(), 403);
  assert.equal(await page.locator('table.audit').count(), 0);
  const admin = await page.goto('/admin/users');
  assert.equal(admin.status(), 403);
  assert.equal(await page.locator('#nu-email').count(), 0);
  await shots.take(page, 'admin-forbidden');
  // An organisation they do not belong to is not even admitted to exist.
  const other = await page.goto('/o/bluefin');
  assert.equal(other.status(), 404);
});
