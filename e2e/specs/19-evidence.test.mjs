// Evidence: the ISMS manager uploads a file through the register's upload form (a normal
// multipart form with its CSRF token), links it to a control, finds it in that control's
// evidence history, downloads it (the same bytes, under its cleaned name), and sees the
// controls that have no current evidence.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO, Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, startServer, uniq } from './helpers.mjs';

let server;
let browser;
let page;
let dir;
const shots = new Shots('19-evidence');
const TITLE = `Firewall rule review ${uniq()}`;
const CONTENT = 'rule,source,destination,decision\nallow-443,any,portal,keep\nallow-22,office,bastion,keep\nallow-3389,any,legacy,remove\n';
let itemPath = '';

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  ({ page } = await newPage(browser, server.url, { acceptDownloads: true }));
  await signIn(page, DEMO.ismsManager);
  dir = mkdtempSync(join(tmpdir(), 'isms-e2e-upload-'));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the register lists the demo evidence with its validity', async () => {
  await page.goto('/o/northwind');
  await clickAndWait(page, page.locator('nav.side').getByRole('link', { name: 'Evidence', exact: true }));
  assert.equal(pathOf(page), '/o/northwind/evidence');
  const rows = page.locator('table.evidence-table tbody tr');
  assert.ok((await rows.count()) >= 20, 'the demo register');
  assert.ok((await page.locator('table.evidence-table .pill.bad', { hasText: 'expired' }).count()) >= 4);
  await shots.take(page, 'register');
});

test('upload a file through the form and link it to a control', async () => {
  const file = join(dir, 'firewall-review.csv');
  writeFileSync(file, CONTENT);
  await page.setInputFiles('#u-file', file);
  await page.fill('#u-title', TITLE);
  await page.fill('#u-description', 'Every inbound rule reviewed with its owner.');
  await page.fill('#u-valid', '2099-12-31');
  await page.fill('#u-clauses', '9.1');
  await clickAndWait(page, page.getByRole('button', { name: 'Upload', exact: true }));
  itemPath = pathOf(page);
  assert.match(itemPath, /^\/o\/northwind\/evidence\/[0-9a-f-]{36}$/);
  assert.match(await page.locator('.flash').innerText(), /stored \(firewall-review\.csv\)/);
  const main = await page.locator('main').innerText();
  assert.match(main, new RegExp(TITLE));
  assert.match(main, /text\/csv/);
  assert.match(main, /[0-9a-f]{64}/, 'the SHA-256 is shown');
  assert.match(main, /Clause 9\.1/);
  // Link it to A.8.20 on its page.
  await page.selectOption('#a-kind', 'control');
  await page.fill('#a-ref', '8.20');
  await clickAndWait(page, page.getByRole('button', { name: 'Add link' }));
  assert.match(await page.locator('.flash').innerText(), /linked/);
  assert.ok(await page.locator('#links').getByRole('link', { name: 'A.8.20' }).isVisible());
  await shots.take(page, 'item');
});

test('the control\'s evidence history shows it, newest first', async () => {
  await clickAndWait(page, page.locator('#links').getByRole('link', { name: 'A.8.20' }));
  assert.equal(pathOf(page), '/o/northwind/evidence?control=8.20');
  assert.match(await page.locator('h1').innerText(), /^Evidence for A\.8\.20/);
  const first = page.locator('table.evidence-table tbody tr').first();
  assert.match(await first.innerText(), new RegExp(TITLE));
  // The upload form on a control's history page names that control.
  assert.equal(await page.inputValue('#u-controls'), '8.20');
  await shots.take(page, 'history');
  // A control with an expired and a current review lists both, the expired one marked.
  await page.goto('/o/northwind/evidence?control=5.15');
  const hist = page.locator('table.evidence-table tbody tr');
  assert.ok((await hist.count()) >= 2);
  assert.ok((await page.locator('table.evidence-table tr.late-row').count()) >= 1);
});

test('download gives back the same bytes under the cleaned name', async () => {
  await page.goto(itemPath);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'firewall-review.csv');
  const chunks = [];
  for await (const c of await download.createReadStream()) chunks.push(c);
  assert.equal(Buffer.concat(chunks).toString('utf8'), CONTENT);
});

test('the coverage page names implemented controls without current evidence', async () => {
  await page.goto('/o/northwind/evidence');
  await clickAndWait(page, page.getByRole('link', { name: 'Controls without current evidence' }));
  assert.equal(pathOf(page), '/o/northwind/evidence/coverage');
  assert.match(await page.locator('h1').innerText(), /Controls without current evidence/);
  await shots.take(page, 'coverage');
});
