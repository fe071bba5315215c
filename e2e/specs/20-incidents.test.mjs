// Incidents: the ISMS manager sees the demo register with its counts and flags, records a
// high incident through the form, is refused when closing it without root cause and
// lessons learned (the fields are named), then closes it with them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, startServer, uniq } from './helpers.mjs';

let server;
let browser;
let page;
let itemPath = '';
const shots = new Shots('20-incidents');
const TITLE = `Ransomware note on a file share ${uniq()}`;

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

test('the register shows the demo incidents, their counts and flags', async () => {
  await page.goto('/o/northwind');
  await clickAndWait(page, page.locator('nav.side').getByRole('link', { name: 'Incidents', exact: true }));
  assert.equal(pathOf(page), '/o/northwind/incidents');
  const rows = page.locator('table.incidents-table tbody tr');
  assert.ok((await rows.count()) >= 7, 'the demo register');
  assert.ok((await page.locator('.pill', { hasText: 'open over 30 days' }).count()) >= 1);
  assert.ok((await page.locator('.pill', { hasText: 'no lessons learned' }).count()) >= 1);
  await shots.take(page, 'register');
  await clickAndWait(page, page.locator('a.chip[data-severity="high"]'));
  const high = await page.locator('table.incidents-table tbody tr').count();
  assert.ok(high >= 2, 'the demo has high incidents');
  for (const cell of await page.locator('table.incidents-table tbody td:nth-child(3)').allInnerTexts()) {
    assert.equal(cell.trim(), 'high');
  }
});

test('record a high incident through the form', async () => {
  await page.goto('/o/northwind/incidents');
  await clickAndWait(page, page.getByRole('link', { name: 'Record an incident' }));
  assert.equal(pathOf(page), '/o/northwind/incidents/new');
  await page.fill('#i-title', TITLE);
  await page.fill('#i-description', 'A ransom note appeared on the finance share; 200 files encrypted.');
  await page.selectOption('#i-category', 'malware');
  await page.selectOption('#i-severity', 'high');
  await page.fill('#i-by', 'Finance team');
  await page.fill('#i-assets', 'A-0001');
  await page.fill('#i-controls', '5.24, 8.7');
  await shots.take(page, 'new');
  await clickAndWait(page, page.getByRole('button', { name: 'Record incident' }));
  itemPath = pathOf(page);
  assert.match(itemPath, /^\/o\/northwind\/incidents\/[0-9a-f-]{36}$/);
  assert.match(await page.locator('.flash').innerText(), /INC-\d{3} recorded/);
  const main = await page.locator('main').innerText();
  assert.match(main, /A-0001/);
  assert.match(main, /A\.5\.24/);
});

test('closing it without root cause and lessons learned is refused, naming both', async () => {
  await page.selectOption('#i-status', 'closed');
  await page.fill('#i-response', 'Share taken offline, files restored from last night\'s backup.');
  await clickAndWait(page, page.getByRole('button', { name: 'Save' }));
  const errors = await page.locator('main').innerText();
  assert.match(errors, /root_cause|Root cause/i);
  assert.equal(await page.locator('#i-root[aria-invalid="true"]').count(), 1);
  assert.equal(await page.locator('#i-lessons[aria-invalid="true"]').count(), 1);
  await shots.take(page, 'refused');
  // What was typed is still there.
  assert.match(await page.inputValue('#i-response'), /restored from last night/);
});

test('with root cause and lessons learned it closes today', async () => {
  await page.selectOption('#i-status', 'closed');
  await page.fill('#i-root', 'An unpatched VPN appliance let the attacker in.');
  await page.fill('#i-lessons', 'Patch internet-facing appliances within 72 hours; alert on mass file changes.');
  await clickAndWait(page, page.getByRole('button', { name: 'Save' }));
  assert.equal(pathOf(page), itemPath);
  assert.match(await page.locator('.flash').innerText(), /saved/);
  const facts = await page.locator('dl.facts').first().innerText();
  assert.match(facts, /closed on \d{4}-\d{2}-\d{2}/);
  await shots.take(page, 'closed');
  await page.goto('/o/northwind/incidents?status=closed');
  assert.match(await page.locator('table.incidents-table').innerText(), new RegExp(TITLE));
});
