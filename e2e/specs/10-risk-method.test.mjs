// The risk assessment method: read the version in force, download its methodology
// document, start a new version, reshape and edit it (a broken matrix is refused naming
// the cell), approve it, and see the history.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, startServer } from './helpers.mjs';

let server;
let browser;
let page;
const shots = new Shots('10-risk-method');

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  ({ page } = await newPage(browser, server.url));
  await signIn(page, 'isms.manager@northwind.example');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('Northwind has an approved 5×5 method with its matrix and document', async () => {
  await page.goto('/o/northwind');
  await clickAndWait(page, page.locator('nav.side').getByRole('link', { name: 'Risk method' }));
  assert.equal(pathOf(page), '/o/northwind/risk-method');
  assert.match(await page.locator('section.panel h2').first().innerText(), /In force: version 1/);
  assert.equal(await page.locator('svg.matrix-chart rect[rx="4"]').count(), 25);
  assert.match(await page.locator('svg.matrix-chart').innerHTML(), /owner may accept/);
  await shots.take(page, 'in-force');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Methodology document (PDF)' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'northwind-risk-method-v1.pdf');
  const chunks = [];
  for await (const c of await download.createReadStream()) chunks.push(c);
  assert.equal(Buffer.concat(chunks).subarray(0, 5).toString(), '%PDF-');
});

test('start version 2, add an impact step and rename a likelihood step', async () => {
  await page.fill('#n-note', 'Six impact steps for finer money bands');
  await clickAndWait(page, page.getByRole('button', { name: 'Start draft' }));
  assert.match(pathOf(page), /^\/o\/northwind\/risk-method\/[0-9a-f-]+$/);
  assert.match(await page.locator('h1').innerText(), /version 2/);
  await page.fill('input[name="l1_name"]', 'Hardly ever');
  await clickAndWait(page, page.locator('section.panel', { hasText: 'Impact scale' }).getByRole('button', { name: 'Add a step' }));
  assert.match(await page.locator('.flash').innerText(), /reshaped/);
  assert.equal(await page.locator('table.matrix tbody td').count(), 30, '5 likelihood × 6 impact');
  assert.equal(await page.inputValue('input[name="l1_name"]'), 'Hardly ever', 'typed text kept');
  await shots.take(page, 'draft');
});

test('a matrix cell lower than its neighbour is refused, naming the cell', async () => {
  // Highest likelihood × highest impact set to the lowest level.
  await page.selectOption('select[name="m5_6"]', '0');
  await clickAndWait(page, page.getByRole('button', { name: 'Save draft' }));
  const errors = await page.locator('.errors').innerText();
  assert.match(errors, /matrix\[4\]\[5\]/);
  await shots.take(page, 'matrix-error');
  // Put it back to the highest level and save.
  const options = await page.locator('select[name="m5_6"] option').count();
  await page.selectOption('select[name="m5_6"]', String(options - 1));
  await clickAndWait(page, page.getByRole('button', { name: 'Save draft' }));
  assert.match(await page.locator('.flash').innerText(), /Draft saved/);
});

test('approve version 2: it comes into force and version 1 is superseded', async () => {
  await clickAndWait(page, page.getByRole('button', { name: 'Approve version 2' }));
  assert.equal(pathOf(page), '/o/northwind/risk-method');
  assert.match(await page.locator('.flash').innerText(), /Version 2 approved/);
  assert.match(await page.locator('section.panel h2').first().innerText(), /In force: version 2/);
  const rows = page.locator('section.panel', { hasText: 'Versions' }).locator('tbody tr');
  assert.equal(await rows.count(), 2);
  assert.match(await rows.nth(0).innerText(), /approved/);
  assert.match(await rows.nth(1).innerText(), /superseded/);
  await shots.take(page, 'approved');
});
