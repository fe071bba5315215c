// Competence and awareness: the ISMS manager sees the demo people with their gaps, the
// expired training and the campaign below target; adds a person whose job role requires
// competences, sees the gap, is refused a training that expires before it was completed
// (the field is named), records a valid one and sees the gap close; then records a
// participation on a campaign.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, startServer, uniq } from './helpers.mjs';

let server;
let browser;
let page;
let personPath = '';
const shots = new Shots('22-competence');
const NAME = `Grace Hopper ${uniq()}`;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  ({ page } = await newPage(browser, server.url));
  await signIn(page, DEMO.ismsManager);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the page shows the demo people, their gaps and the campaigns', async () => {
  await page.goto('/o/northwind');
  await clickAndWait(page, page.locator('nav.side').getByRole('link', { name: 'Competence', exact: true }));
  assert.equal(pathOf(page), '/o/northwind/competence');
  assert.equal(await page.locator('table.people-table tbody tr').count(), 25);
  assert.ok((await page.locator('.pill', { hasText: 'missing competence' }).count()) >= 1);
  assert.ok((await page.locator('.pill', { hasText: 'expired' }).count()) >= 1);
  assert.equal(await page.locator('table.campaigns-table tbody tr').count(), 2);
  assert.equal(await page.locator('.pill', { hasText: 'participation below 90 %' }).count(), 1);
  await shots.take(page, 'overview');
});

test('a new developer misses secure coding until the training is recorded', async () => {
  await page.goto('/o/northwind/competence');
  await page.fill('#p-name', NAME);
  await page.fill('#p-email', 'grace@northwind.example');
  await page.fill('#p-role', 'Developer');
  await page.fill('#p-dept', 'Engineering');
  await clickAndWait(page, page.getByRole('button', { name: 'Add person' }));
  personPath = pathOf(page);
  assert.match(personPath, /^\/o\/northwind\/competence\/people\/[0-9a-f-]{36}$/);
  assert.match(await page.locator('.notice.strong').innerText(), /Secure coding/);
  // Expiring before it was completed is refused, naming the field.
  await page.fill('#t-comp', 'Secure coding');
  await page.fill('#t-done', '2026-01-10');
  await page.fill('#t-exp', '2025-12-31');
  await clickAndWait(page, page.getByRole('button', { name: 'Record training' }));
  assert.equal(await page.locator('#t-exp[aria-invalid="true"]').count(), 1);
  assert.equal(await page.inputValue('#t-comp'), 'Secure coding', 'what was typed is still there');
  await shots.take(page, 'refused');
  await page.fill('#t-exp', '');
  await clickAndWait(page, page.getByRole('button', { name: 'Record training' }));
  assert.equal(pathOf(page), personPath);
  assert.match(await page.locator('.flash').innerText(), /Secure coding/);
  const notice = await page.locator('.notice.strong').allInnerTexts();
  assert.ok(notice.every((n) => !/Secure coding/.test(n)), 'secure coding no longer missing');
  await page.fill('#t-comp', 'Security awareness');
  await clickAndWait(page, page.getByRole('button', { name: 'Record training' }));
  assert.equal(await page.locator('.notice.strong').count(), 0, 'no gap left');
  await shots.take(page, 'complete');
});

test('a participation is recorded on a campaign', async () => {
  await page.goto('/o/northwind/competence#campaigns');
  await clickAndWait(page, page.locator('table.campaigns-table a', { hasText: 'Clean desk' }));
  assert.match(pathOf(page), /^\/o\/northwind\/competence\/campaigns\/[0-9a-f-]{36}$/);
  const before = await page.locator('dl.facts').innerText();
  assert.match(before, /16 of 24/);
  await page.selectOption('#pa-person', { label: NAME });
  await clickAndWait(page, page.getByRole('button', { name: 'Save participation' }));
  assert.match(await page.locator('.flash').innerText(), /Participation saved/);
  assert.match(await page.locator('dl.facts').innerText(), /17 of 25/);
  await shots.take(page, 'campaign');
});
