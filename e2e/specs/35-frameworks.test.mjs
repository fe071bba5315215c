// Frameworks: the ISMS manager imports a small NIST SP 800-53 excerpt (OSCAL catalog) on
// Northwind's Frameworks page, browses the tree to a control, links it to an Annex A
// control, imports a mapping CSV, reads the coverage, and finds the requirement again in
// the "In other frameworks" section of the ISO control's page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO, Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, startServer } from './helpers.mjs';

const FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../../testdata/frameworks');

let server;
let browser;
let page;
let fwPath;
const shots = new Shots('35-frameworks');

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

test('import the SP 800-53 excerpt from the Frameworks page', async () => {
  await page.goto('/o/northwind');
  await clickAndWait(page, page.locator('nav.side').getByRole('link', { name: 'Frameworks', exact: true }));
  assert.equal(pathOf(page), '/o/northwind/frameworks');
  assert.match(await page.locator('main').innerText(), /No framework imported yet/);
  await page.setInputFiles('#oscal-file', resolve(FIXTURES, 'sp800-53-rev5-excerpt.json'));
  await clickAndWait(page, page.getByRole('button', { name: 'Import catalog', exact: true }));
  fwPath = pathOf(page);
  assert.match(fwPath, /^\/o\/northwind\/frameworks\/[0-9a-f-]{36}$/);
  assert.match(await page.locator('.flash').innerText(), /Imported "SP 800-53 Rev 5 excerpt.*": 16 requirements/);
  assert.match(await page.locator('#coverage').innerText(), /of 12/);
  await shots.take(page, 'tree');
});

test('browse the tree to a control and link it to an Annex A control', async () => {
  // Controls with enhancements are closed <details>: open ac-2 by its disclosure marker.
  const summary = page.locator('details.fw-node > summary', { hasText: 'Account Management' }).first();
  await summary.click({ position: { x: 4, y: 8 } });
  await clickAndWait(page, page.locator('.fw-tree').getByRole('link', { name: 'ac-2.1', exact: true }));
  assert.match(pathOf(page), /\/requirements\/ac-2\.1$/);
  assert.match(await page.locator('h1').innerText(), /Automated System Account Management/);
  await page.fill('#link-control', '5.16');
  await clickAndWait(page, page.getByRole('button', { name: 'Link', exact: true }));
  assert.match(await page.locator('.flash').innerText(), /Linked 5\.16 to ac-2\.1/);
  const table = await page.locator('#controls').innerText();
  assert.match(table, /A\.5\.16/);
  assert.match(table, /Linked by you/);
  // A bad control is named and nothing is linked.
  await page.fill('#link-control', 'A.99.1');
  await clickAndWait(page, page.getByRole('button', { name: 'Link', exact: true }));
  assert.match(await page.locator('.errors').innerText(), /not an Annex A control/);
  await shots.take(page, 'requirement');
});

test('import a mapping CSV and see the coverage', async () => {
  await page.goto('/o/northwind/frameworks');
  await page.setInputFiles('#map-file', resolve(FIXTURES, 'sp800-53-to-iso27001.csv'));
  await clickAndWait(page, page.getByRole('button', { name: 'Import mapping', exact: true }));
  assert.equal(pathOf(page), fwPath);
  assert.match(await page.locator('.flash').innerText(), /Imported 9 mappings/);
  const coverage = await page.locator('#coverage').innerText();
  assert.match(coverage, /(\d+) of 12/);
  await page.goto('/o/northwind/frameworks');
  const row = await page.locator('table.data tbody tr').first().innerText();
  assert.match(row, /SP 800-53 Rev 5 excerpt/);
  assert.match(row, /\d+ of 12 \(\d+%\)/);
  await shots.take(page, 'list');
  // The search box finds requirements by title.
  await page.goto(`${fwPath}?q=incident`);
  assert.equal(await page.locator('#search-results li').count(), 3);
});

test('the ISO control page shows what it meets in other frameworks', async () => {
  await page.goto('/o/northwind/controls/5.16');
  const section = await page.locator('#other-frameworks').innerText();
  assert.match(section, /In other frameworks/);
  assert.match(section, /ac-2\.1 Automated System Account Management/);
  assert.match(section, /linked by you/);
  assert.match(section, /ac-2 Account Management — mapping: equal/);
  await page.locator('#other-frameworks').scrollIntoViewIfNeeded();
  await shots.take(page, 'control-page');
});
