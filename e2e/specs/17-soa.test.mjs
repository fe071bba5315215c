// The Statement of Applicability: read the approved version and the draft, decide a
// control (an exclusion without a justification is refused), approve the draft, export
// it, start the next version, change a control and see what changed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, startServer } from './helpers.mjs';

let server;
let browser;
let page;
const shots = new Shots('17-soa');

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

test('Northwind has an approved SoA and a draft with its completeness', async () => {
  await page.goto('/o/northwind');
  await clickAndWait(page, page.locator('nav.side').getByRole('link', { name: 'SoA' }));
  assert.equal(pathOf(page), '/o/northwind/soa');
  assert.match(await page.locator('#draft').innerText(), /93 of 93 controls decided/);
  assert.match(await page.locator('main').innerText(), /In force: version 1/);
  await shots.take(page, 'overview');
  await clickAndWait(page, page.getByRole('link', { name: 'Open the draft' }));
  assert.equal(pathOf(page), '/o/northwind/soa/2');
  // Derived reasons link to the risk and the interested party.
  const row = page.locator('#c-8-13');
  assert.match(await row.innerText(), /treats risk R-\d{3}/);
  assert.match(await row.innerText(), /required by Cyber insurer \(contractual: Policy conditions 3\.2\)/);
  await shots.take(page, 'draft');
});

test('decide a control: not applicable needs a justification', async () => {
  await clickAndWait(page, page.locator('#c-5-6').getByRole('link', { name: /Decide/ }));
  assert.equal(pathOf(page), '/o/northwind/soa/2/controls/5.6');
  await page.check('input[name="applicable"][value="no"]');
  await page.fill('#e-excl', '');
  await clickAndWait(page, page.getByRole('button', { name: 'Save' }));
  assert.match(await page.locator('.errors').innerText(), /exclusion_justification/);
  await shots.take(page, 'refused');
  await page.fill('#e-excl', 'Security forums are followed through our MSSP contract instead.');
  await clickAndWait(page, page.getByRole('button', { name: 'Save' }));
  assert.equal(pathOf(page), '/o/northwind/soa/2');
  assert.match(await page.locator('.flash').innerText(), /A\.5\.6 saved: not applicable/);
  assert.match(await page.locator('#c-5-6').innerText(), /MSSP contract/);
});

test('approve version 2 and export it', async () => {
  await clickAndWait(page, page.getByRole('button', { name: 'Approve version 2' }));
  assert.match(await page.locator('.flash').innerText(), /Version 2 approved/);
  assert.match(await page.locator('h1').innerText(), /version 2\s+approved/);
  assert.match(await page.locator('dl.facts').innerText(), /by Priya Raman on \d{4}-\d{2}-\d{2}/);
  assert.equal(await page.getByRole('link', { name: /Decide/ }).count(), 0, 'frozen: read-only');
  await shots.take(page, 'approved');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('.downloads').getByRole('link', { name: 'PDF' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'northwind-soa-v2.pdf');
  const chunks = [];
  for await (const c of await download.createReadStream()) chunks.push(c);
  assert.equal(Buffer.concat(chunks).subarray(0, 5).toString(), '%PDF-');
  const [xlsx] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('.downloads').getByRole('link', { name: 'XLSX' }).click(),
  ]);
  assert.equal(xlsx.suggestedFilename(), 'northwind-soa-v2.xlsx');
});

test('make version 3, change a control and see the diff', async () => {
  await clickAndWait(page, page.locator('nav.side').getByRole('link', { name: 'SoA' }));
  await page.fill('#n-note', 'Security forums brought back in house');
  await clickAndWait(page, page.getByRole('button', { name: 'Start draft' }));
  assert.equal(pathOf(page), '/o/northwind/soa/3');
  assert.match(await page.locator('dl.facts').innerText(), /version 2/);
  await page.goto('/o/northwind/soa/3/controls/5.6');
  await page.check('input[name="applicable"][value="yes"]');
  await page.fill('#e-note', 'The security team joins the UK cloud security forum.');
  await clickAndWait(page, page.getByRole('button', { name: 'Save' }));
  await clickAndWait(page, page.getByRole('link', { name: 'Compare with another version' }));
  await page.selectOption('#d-from', '2');
  await page.selectOption('#d-to', '3');
  await clickAndWait(page, page.getByRole('button', { name: 'Show changes' }));
  const text = await page.locator('main').innerText();
  assert.match(text, /From version 2 \(approved\) to version 3 \(draft\): 1 control changed/);
  assert.match(text, /A\.5\.6/);
  assert.match(text, /Not applicable/);
  assert.match(text, /UK cloud security forum/);
  await shots.take(page, 'diff');
});
