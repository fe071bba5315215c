// Flow 1: sign in as the demo administrator, see the organisations, switch between
// them with the header switcher; plus the login errors, settings, API docs, 404 and
// sign-out pages.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, signOut, startServer } from './helpers.mjs';

let server;
let browser;
let page;
const shots = new Shots('01-signin');

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  ({ page } = await newPage(browser, server.url));
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('an anonymous visitor is sent to the sign-in page', async () => {
  await page.goto('/');
  assert.equal(pathOf(page), '/login');
  await assert.doesNotReject(page.locator('#email').waitFor());
  assert.equal(await page.locator('h1').textContent(), 'Sign in');
  assert.equal(await page.locator('#password').getAttribute('type'), 'password');
  await shots.take(page, 'login');
});

test('a wrong password re-renders the form with an error (401)', async () => {
  await page.fill('#email', DEMO.admin);
  await page.fill('#password', 'not-the-password');
  const res = await clickAndWait(page, page.getByRole('button', { name: 'Sign in' }));
  assert.equal(res.status(), 401);
  assert.equal(pathOf(page), '/login');
  const errors = page.locator('.errors');
  assert.equal(await errors.count(), 1);
  assert.match(await errors.innerText(), /wrong/i);
  // The e-mail address is kept, the password is not.
  assert.equal(await page.inputValue('#email'), DEMO.admin);
  assert.equal(await page.inputValue('#password'), '');
  await shots.take(page, 'login-wrong-password');
});

test('the demo administrator signs in and sees the organisations', async () => {
  const res = await signIn(page, DEMO.admin);
  assert.equal(res.status(), 200);
  assert.equal(pathOf(page), '/orgs');
  assert.equal(await page.locator('main h1').textContent(), 'Organisations');
  const rows = page.locator('table#org-overview tbody tr');
  assert.equal(await rows.count(), 2);
  assert.equal(await page.locator('table#org-overview a[href="/o/northwind"]').innerText(), DEMO.orgs.northwind);
  assert.equal(await page.locator('table#org-overview a[href="/o/bluefin"]').innerText(), DEMO.orgs.bluefin);
  // Header: switcher, account links, sign-out.
  const header = page.locator('header.top');
  assert.equal(await header.locator('select#org-switch[name="org"]').count(), 1);
  assert.equal(await header.locator('form.switcher').getAttribute('action'), '/switch');
  assert.equal(await header.getByRole('link', { name: 'All organisations' }).getAttribute('href'), '/orgs');
  assert.equal(await header.getByRole('link', { name: 'Administration' }).getAttribute('href'), '/admin/users');
  assert.equal(await header.locator('a[href="/profile"]').getAttribute('title'), DEMO.admin);
  assert.equal(await header.getByRole('button', { name: 'Sign out' }).count(), 1);
  await shots.take(page, 'orgs');
});

test('the organisation switcher opens Bluefin, then Northwind', async () => {
  const sw = page.locator('#org-switch');
  const options = await sw.locator('option').evaluateAll((os) => os.map((o) => o.value));
  assert.ok(options.includes('bluefin') && options.includes('northwind'), `options: ${options}`);

  // JavaScript submits the GET form on change.
  await Promise.all([page.waitForURL('**/o/bluefin'), sw.selectOption('bluefin')]);
  await page.waitForLoadState('load');
  assert.equal(pathOf(page), '/o/bluefin');
  assert.equal(await page.locator('main h1').textContent(), DEMO.orgs.bluefin);
  assert.equal(await page.locator('nav.side .side-org').textContent(), DEMO.orgs.bluefin);
  assert.equal(await page.locator('#org-switch').inputValue(), 'bluefin');
  await shots.take(page, 'overview-bluefin');

  await Promise.all([page.waitForURL('**/o/northwind'), page.locator('#org-switch').selectOption('northwind')]);
  await page.waitForLoadState('load');
  assert.equal(pathOf(page), '/o/northwind');
  assert.equal(await page.locator('main h1').textContent(), DEMO.orgs.northwind);
  assert.equal(await page.locator('#org-switch').inputValue(), 'northwind');
  const nav = await page.locator('nav.side a').allInnerTexts();
  assert.deepEqual(nav, ['Dashboard', 'Readiness', 'Gap assessment', 'Roadmap', 'ISMS scope & context', 'Risks', 'Assets', 'Risk method', 'Controls', 'SoA', 'Documents', 'Evidence', 'Incidents', 'Suppliers', 'Competence', 'Measurements', 'Internal audit', 'Findings', 'Management review', 'Certification', 'Catalogue', 'Frameworks', 'Import & export', 'Members', 'Audit trail', 'Settings']);
  assert.equal(await page.locator('nav.side a[aria-current="page"]').innerText(), 'Dashboard');
  // The overview shows an administrator the latest audit entries and a way to verify them.
  assert.ok((await page.locator('main ol.timeline li').count()) >= 1);
  assert.equal(await page.locator('main a[href="/o/northwind/audit-trail"]').count(), 1);
  await shots.take(page, 'overview-northwind');
});

test('the "Open" button of the switcher works too', async () => {
  await page.goto('/orgs');
  // Change the value without firing the change event, then use the button.
  await page.locator('#org-switch').evaluate((s) => { s.value = 'bluefin'; });
  await clickAndWait(page, page.locator('form.switcher').getByRole('button', { name: 'Open' }));
  assert.equal(pathOf(page), '/o/bluefin');
  assert.equal(await page.locator('main h1').textContent(), DEMO.orgs.bluefin);
});

test('the settings page of Northwind', async () => {
  await page.goto('/o/northwind');
  await clickAndWait(page, page.locator('nav.side').getByRole('link', { name: 'Settings' }));
  assert.equal(pathOf(page), '/o/northwind/settings');
  assert.equal(await page.locator('main h1').textContent(), 'Settings');
  assert.equal(await page.inputValue('#s-name'), DEMO.orgs.northwind);
  assert.equal(await page.locator('nav.side a[aria-current="page"]').innerText(), 'Settings');
  assert.equal(await page.inputValue('#s-sites'), '2');
  await shots.take(page, 'settings');
  // A bad number is refused by the server too (the browser's own check taken away), naming
  // the field, and nothing is saved.
  await page.locator('#s-sites').evaluate((el) => el.removeAttribute('min'));
  await page.fill('#s-sites', '0');
  await page.fill('#s-oms', 'ISO 9001');
  await clickAndWait(page, page.getByRole('button', { name: 'Save settings' }));
  assert.match(await page.locator('.errors').innerText(), /sites/);
  await page.goto('/o/northwind/settings');
  assert.equal(await page.inputValue('#s-sites'), '2');
  assert.equal(await page.inputValue('#s-oms'), '');
  // The saved profile feeds the certification timeline.
  await page.fill('#s-sites', '3');
  await page.fill('#s-oms', 'ISO 9001');
  await clickAndWait(page, page.getByRole('button', { name: 'Save settings' }));
  assert.match(await page.locator('.flash').innerText(), /Settings saved/);
  await page.goto('/o/northwind/gap/timeline');
  assert.match(await page.locator('main').innerText(), /3 sites, ISO 9001 already running/);
  assert.equal(await page.inputValue('#t-sites'), '3');
  assert.ok(await page.isChecked('#t-ms'));
});

test('the API documentation page', async () => {
  await clickAndWait(page, page.locator('footer').getByRole('link', { name: 'API' }));
  assert.equal(pathOf(page), '/api/docs');
  assert.equal(await page.locator('main h1').textContent(), 'REST API');
  assert.ok((await page.locator('table.data tbody tr').count()) > 5);
  assert.equal(await page.locator('a[href="/api/v1/openapi.json"]').count(), 1);
  await shots.take(page, 'api-docs');
});

test('an unknown organisation gives a 404 page', async () => {
  const res = await page.goto('/o/nope');
  assert.equal(res.status(), 404);
  assert.equal(await page.locator('.status-code').innerText(), '404');
  assert.equal(await page.getByRole('link', { name: 'Back to the start' }).count(), 1);
  await shots.take(page, 'not-found');
});

test('signing out ends the session', async () => {
  await page.goto('/orgs');
  await signOut(page);
  assert.equal(pathOf(page), '/login');
  assert.match(await page.locator('.flash').innerText(), /signed out/i);
  await shots.take(page, 'signed-out');
  await page.goto('/orgs');
  assert.match(pathOf(page), /^\/login/);
});
