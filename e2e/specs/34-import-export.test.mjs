// Import & export: the ISMS manager opens the page from the navigation, downloads the
// asset inventory as CSV, imports an edited copy with a bad row (every bad line and field
// listed, nothing changed), fixes it, runs a dry run (nothing written) and then imports for
// real; the new asset is in the register. Then the incident register: its export
// re-imports unchanged, a bad row is named, a good one is recorded.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO, Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, startServer } from './helpers.mjs';

let server;
let browser;
let page;
const shots = new Shots('34-import-export');
const dir = mkdtempSync(join(tmpdir(), 'isms-import-'));
const NEW_ASSET = 'Imported badge readers';
let exported;

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

async function importFile(name, text, dryRun, kind = 'assets') {
  const file = join(dir, name);
  writeFileSync(file, text);
  await page.selectOption('#i-kind', kind);
  await page.setInputFiles('#i-file', file);
  const box = page.getByLabel(/Dry run only/);
  if (dryRun) await box.check(); else await box.uncheck();
  await clickAndWait(page, page.getByRole('button', { name: 'Import', exact: true }));
}

async function assetCount() {
  const r = await page.request.get('/o/northwind/data/export/assets?format=csv');
  return (await r.text()).trim().split('\n').filter((l) => /^A-\d{4},/.test(l)).length;
}

test('open Import & export and download the inventory as CSV', async () => {
  await page.goto('/o/northwind');
  await clickAndWait(page, page.locator('nav.side').getByRole('link', { name: 'Import & export', exact: true }));
  assert.equal(pathOf(page), '/o/northwind/data');
  const table = await page.locator('#export').innerText();
  for (const r of ['Assets', 'Risks', 'Suppliers', 'Statement of Applicability', 'Roadmap tasks']) assert.match(table, new RegExp(r));
  assert.ok(await page.getByLabel(/Dry run only/).isChecked(), 'dry run is ticked by default');
  await shots.take(page, 'page');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#export tr', { hasText: 'Assets' }).first().getByRole('link', { name: 'CSV' }).click(),
  ]);
  const chunks = [];
  for await (const c of await download.createReadStream()) chunks.push(c);
  exported = Buffer.concat(chunks).toString('utf8');
  assert.match(exported.split('\n')[0], /^reference,name,type,owner,custodian,location,confidentiality/);
});

test('a bad row is named by line and field and nothing changes', async () => {
  const before = await assetCount();
  const owner = DEMO.ismsManager;
  const bad = `${exported.trimEnd()}\n,${NEW_ASSET},hardware,${owner},,Reception,2,2,1,,yes,site,\n,Broken row,spaceship,nobody@nowhere.example,,,9,2,2,,maybe,,\n`;
  const badLine = bad.trimEnd().split('\n').length;
  await importFile('assets-bad.csv', bad, false);
  const errors = await page.locator('.errors').innerText();
  assert.match(errors, new RegExp(`lines\\[${badLine}\\]\\.type`));
  assert.match(errors, new RegExp(`lines\\[${badLine}\\]\\.owner`));
  assert.match(errors, new RegExp(`lines\\[${badLine}\\]\\.confidentiality`));
  assert.match(errors, new RegExp(`line ${badLine}: in_scope: "maybe" is not yes or no`));
  await page.locator('.errors').scrollIntoViewIfNeeded();
  await shots.take(page, 'errors');
  assert.equal(await assetCount(), before, 'nothing was written');

  // Fixed: dry run first (nothing written), then for real.
  const good = `${exported.trimEnd()}\n,${NEW_ASSET},hardware,${owner},,Reception,2,2,1,,yes,site,\n`;
  await importFile('assets-fixed.csv', good, true);
  const dry = await page.locator('#import-result').innerText();
  assert.match(dry, /Dry run: nothing was written\./);
  assert.match(dry, /1 would be created, 0 would be updated/);
  await shots.take(page, 'dry-run');
  assert.equal(await assetCount(), before);
  await importFile('assets-fixed.csv', good, false);
  const done = await page.locator('#import-result').innerText();
  assert.match(done, /Imported\./);
  assert.match(done, /1 created, 0 updated/);
  assert.equal(await assetCount(), before + 1);
});

test('the new asset is in the register', async () => {
  await page.goto(`/o/northwind/assets?q=${encodeURIComponent('badge readers')}`);
  const main = await page.locator('main').innerText();
  assert.match(main, new RegExp(NEW_ASSET));
  await shots.take(page, 'register');
});

test('the incident register is edited in a spreadsheet and imported back', async () => {
  await page.goto('/o/northwind/data');
  const row = page.locator('#export tr', { hasText: 'Incidents' }).first();
  assert.match(await row.innerText(), /yes/, 'incidents are importable');
  // The columns the import reads are on the page.
  const help = page.locator('#columns-incidents');
  await help.locator('summary').click();
  assert.match(await help.locator('tr', { hasText: 'severity' }).innerText(), /yes/);
  assert.match(await help.locator('tr', { hasText: 'lessons_learned' }).innerText(), /lessons/);
  const r = await page.request.get('/o/northwind/data/export/incidents?format=csv');
  const csv = await r.text();
  assert.match(csv.split('\n')[0], /^reference,title,category,severity,status/);
  // Our own export changes nothing.
  await importFile('incidents.csv', csv, true, 'incidents');
  const m = (await page.locator('#import-result').innerText()).match(/(\d+) rows? read: 0 would be created, 0 would be updated, (\d+) unchanged/);
  assert.ok(m, 'a dry run that changes nothing');
  assert.ok(Number(m[1]) > 0);
  assert.equal(m[2], m[1], 'every row unchanged');
  // A new incident with a date in the future is refused on its line; fixed, it is recorded.
  const head = 'reference,title,severity,detected_on';
  await importFile('incidents-bad.csv', `${head}\n,Tailgating at the side door,medium,2999-01-01\n`, false, 'incidents');
  assert.match(await page.locator('.errors').innerText(), /line 2: detected_on: must not be in the future/);
  await importFile('incidents-good.csv', `${head}\n,Tailgating at the side door,medium,2026-11-20\n`, false, 'incidents');
  assert.match(await page.locator('#import-result').innerText(), /1 created, 0 updated/);
  await shots.take(page, 'incidents-imported');
  await page.goto('/o/northwind/incidents');
  assert.match(await page.locator('main').innerText(), /Tailgating at the side door/);
});

test('the page leads to the whole-organisation formats: OSCAL, ISMS as code, frameworks', async () => {
  await page.goto('/o/northwind/data');
  const whole = page.locator('#whole');
  // The ISMS manager may not manage the organisation, so no YAML link; OSCAL is for every member.
  assert.equal(await whole.getByRole('link', { name: /whole organisation as YAML/ }).count(), 0);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    whole.getByRole('link', { name: 'system security plan' }).click(),
  ]);
  const chunks = [];
  for await (const c of await download.createReadStream()) chunks.push(c);
  const ssp = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  assert.equal(ssp['system-security-plan'].metadata['oscal-version'], '1.1.2');
  await clickAndWait(page, whole.getByRole('link', { name: 'Frameworks' }));
  assert.equal(pathOf(page), '/o/northwind/frameworks');
});
