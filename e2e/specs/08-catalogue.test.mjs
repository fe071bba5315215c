// The catalogue: browse the Annex A controls, filter by attribute, open a control and a clause.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, startServer } from './helpers.mjs';

let server;
let browser;
let page;
const shots = new Shots('08-catalogue');

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

test('the catalogue lists the 93 controls and filters by attribute', async () => {
  await page.goto('/o/northwind');
  await clickAndWait(page, page.locator('nav.side').getByRole('link', { name: 'Catalogue' }));
  assert.equal(pathOf(page), '/o/northwind/catalogue');
  assert.equal(await page.locator('table.data tbody tr').count(), 93);
  await shots.take(page, 'controls');
  await page.selectOption('#f-control_type', 'detective');
  await clickAndWait(page, page.getByRole('button', { name: 'Filter' }));
  assert.equal(await page.locator('table.data tbody tr').count(), 13);
  await page.selectOption('#f-operational_capabilities', 'supplier_relationships_security');
  await page.selectOption('#f-control_type', '');
  await clickAndWait(page, page.getByRole('button', { name: 'Filter' }));
  const ids = await page.locator('table.data tbody tr td:first-child a').allInnerTexts();
  assert.ok(ids.includes('A.5.19'), ids.join(','));
  await shots.take(page, 'controls-suppliers');
});

test('a control page shows guidance, attributes and the 2013 origin', async () => {
  await clickAndWait(page, page.getByRole('link', { name: 'A.5.19' }));
  assert.match(await page.locator('h1').innerText(), /^A\.5\.19 /);
  assert.ok(await page.getByRole('heading', { name: 'What an auditor asks to see' }).isVisible());
  assert.ok(await page.getByRole('heading', { name: 'From the 2013 edition' }).isVisible());
  await shots.take(page, 'control');
  // An attribute value links back to the filtered list.
  await clickAndWait(page, page.locator('dl.facts a.pill').first());
  assert.match(pathOf(page), /^\/o\/northwind\/catalogue\?/);
});

test('the clauses page lists clauses 4 to 10 and opens one', async () => {
  await page.goto('/o/northwind/catalogue/clauses');
  assert.equal(await page.locator('ol.clauses li.req').count(), 30);
  await shots.take(page, 'clauses');
  await clickAndWait(page, page.getByRole('link', { name: /^6\.1\.2 / }));
  assert.match(await page.locator('h1').innerText(), /^6\.1\.2 /);
  assert.ok(await page.getByText('documented information required').isVisible());
  await shots.take(page, 'clause');
});
