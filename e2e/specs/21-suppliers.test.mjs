// Suppliers: the ISMS manager sees the demo register with its flags (overdue, critical
// never assessed, no security requirements), adds a critical supplier through the form,
// is refused a contract with security terms but no reference (the field is named), then
// records an assessment and sees the next due date and the history.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, startServer, uniq } from './helpers.mjs';

let server;
let browser;
let page;
let itemPath = '';
const shots = new Shots('21-suppliers');
const NAME = `Backup Vault AG ${uniq()}`;

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

test('the register shows the demo suppliers and their flags', async () => {
  await page.goto('/o/northwind');
  await clickAndWait(page, page.locator('nav.side').getByRole('link', { name: 'Suppliers', exact: true }));
  assert.equal(pathOf(page), '/o/northwind/suppliers');
  const rows = page.locator('table.suppliers-table tbody tr');
  assert.equal(await rows.count(), 8, 'the demo register');
  assert.ok((await page.locator('.pill', { hasText: 'assessment overdue' }).count()) >= 1);
  assert.equal(await page.locator('.pill', { hasText: 'critical, never assessed' }).count(), 1);
  assert.ok((await page.locator('.pill', { hasText: 'no security requirements in contract' }).count()) >= 1);
  await shots.take(page, 'register');
  await page.selectOption('#f-criticality', 'critical');
  await clickAndWait(page, page.getByRole('button', { name: 'Filter' }));
  assert.equal(await page.locator('table.suppliers-table tbody tr').count(), 2, 'two critical suppliers');
});

test('add a critical supplier; security terms without a reference are refused', async () => {
  await page.goto('/o/northwind/suppliers');
  await clickAndWait(page, page.getByRole('link', { name: 'Add a supplier' }));
  assert.equal(pathOf(page), '/o/northwind/suppliers/new');
  await page.fill('#s-name', NAME);
  await page.fill('#s-service', 'Off-site backup storage');
  await page.selectOption('#s-criticality', 'critical');
  await page.fill('#s-data', 'Encrypted backups of all production data');
  await page.check('input[name="contract_security"]');
  await page.fill('#s-owner', 'Tom Becker');
  await clickAndWait(page, page.getByRole('button', { name: 'Add supplier' }));
  assert.equal(await page.locator('#s-contract[aria-invalid="true"]').count(), 1);
  assert.match(await page.locator('main').innerText(), /contract_reference|Contract reference/i);
  assert.equal(await page.inputValue('#s-name'), NAME, 'what was typed is still there');
  await shots.take(page, 'refused');
  await page.fill('#s-contract', 'Storage agreement §6');
  await clickAndWait(page, page.getByRole('button', { name: 'Add supplier' }));
  itemPath = pathOf(page);
  assert.match(itemPath, /^\/o\/northwind\/suppliers\/[0-9a-f-]{36}$/);
  assert.match(await page.locator('.flash').innerText(), /SUP-\d{3} added/);
  const main = await page.locator('main').innerText();
  assert.match(main, /never assessed/i);
  assert.match(main, /12 months/);
  assert.match(main, /A\.5\.19/);
});

test('recording an assessment sets the next due date and clears the flag', async () => {
  await page.selectOption('#a-result', 'conditional');
  await page.fill('#a-note', 'ISO 27001 certificate checked; restore test report missing.');
  await clickAndWait(page, page.getByRole('button', { name: 'Record assessment' }));
  assert.equal(pathOf(page), itemPath);
  assert.match(await page.locator('.flash').innerText(), /Assessment of SUP-\d{3} recorded/);
  const facts = await page.locator('dl.facts').first().innerText();
  assert.match(facts, /Conditional/);
  assert.match(facts, /Next assessment due\s+\d{4}-\d{2}-\d{2}/);
  assert.equal(await page.locator('table.assessments-table tbody tr').count(), 1);
  assert.equal(await page.locator('.notice', { hasText: 'never assessed' }).count(), 0);
  await shots.take(page, 'assessed');
  // A date in the future is refused, naming the field.
  const tomorrow = new Date(Date.now() + 2 * 86400000).toISOString().slice(0, 10);
  await page.fill('#a-on', tomorrow);
  await clickAndWait(page, page.getByRole('button', { name: 'Record assessment' }));
  assert.equal(await page.locator('#a-on[aria-invalid="true"]').count(), 1);
  assert.equal(await page.locator('table.assessments-table tbody tr').count(), 1);
});
