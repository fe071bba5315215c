// The asset inventory: open Assets from the navigation (the demo's 120 assets, one page of
// 100 and a next page), add an asset (a bad tag is refused, naming tags, nothing saved),
// edit it, add a data flow that is not encrypted and see it marked in the asset's
// diagram and on the whole-scope diagram, bulk-edit two ticked assets, link a risk to the
// new asset from the risk's form and see it on the asset page; a viewer sees no forms.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, startServer } from './helpers.mjs';

let server;
let browser;
let page;
const shots = new Shots('12-assets');

const NAME = 'Partner order exchange';
let assetPath = '';
let reference = '';

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

test('Assets opens from the navigation with the demo inventory, filters and exports', async () => {
  await page.goto('/o/northwind');
  await clickAndWait(page, page.locator('nav.side').getByRole('link', { name: 'Assets', exact: true }));
  assert.equal(pathOf(page), '/o/northwind/assets');
  assert.equal(await page.locator('h1').innerText(), 'Assets');
  assert.equal(await page.locator('table.asset-table tbody tr').count(), 100, 'a page of 100');
  assert.equal(await page.getByRole('link', { name: 'Next page' }).count(), 1);
  for (const name of ['CSV', 'XLSX']) {
    assert.equal(await page.getByRole('link', { name, exact: true }).count(), 1, `export link ${name}`);
  }
  await shots.take(page, 'inventory');
  await clickAndWait(page, page.getByRole('link', { name: 'Next page' }));
  assert.equal(await page.locator('table.asset-table tbody tr').count(), 20, 'the other 20');
  await page.selectOption('#f-type', 'hardware');
  await clickAndWait(page, page.getByRole('button', { name: 'Filter' }));
  const types = await page.locator('table.asset-table tbody td:nth-child(4)').allInnerTexts();
  assert.ok(types.length > 5 && types.every((t) => t === 'Hardware'), types.join(','));
});

test('a bad tag is refused naming the field; a good asset is added', async () => {
  await page.goto('/o/northwind/assets/new');
  await page.fill('#a-name', NAME);
  await page.selectOption('#a-type', 'service');
  await page.selectOption('#a-c', '4');
  await page.fill('#a-tags', 'partners, not ok');
  await clickAndWait(page, page.getByRole('button', { name: 'Add asset' }));
  const errors = await page.locator('.errors').innerText();
  assert.match(errors, /tags/);
  assert.equal(await page.inputValue('#a-name'), NAME, 'what was typed stays');
  await shots.take(page, 'bad-tag');
  await page.fill('#a-tags', 'partners, orders');
  await page.fill('#a-location', 'Partner SFTP, EU');
  await clickAndWait(page, page.getByRole('button', { name: 'Add asset' }));
  assetPath = new URL(page.url()).pathname;
  assert.match(assetPath, /^\/o\/northwind\/assets\/[0-9a-f-]{36}$/);
  const h1 = await page.locator('h1').innerText();
  assert.match(h1, new RegExp(`^A-\\d{4} ${NAME}$`));
  reference = h1.split(' ')[0];
  assert.match(await page.locator('p.muted').first().innerText(), /Restricted/);
});

test('the asset is edited', async () => {
  await page.selectOption('#a-i', '3');
  await page.fill('#a-desc', 'Orders that partners send us each night.');
  await clickAndWait(page, page.getByRole('button', { name: 'Save asset' }));
  assert.match(await page.locator('body').innerText(), new RegExp(`${reference} saved`));
  assert.equal(await page.inputValue('#a-desc'), 'Orders that partners send us each night.');
});

test('an unencrypted data flow is added and marked in the diagram', async () => {
  await page.selectOption('#fl-dir', 'out');
  await page.fill('#fl-other', 'A-0001');
  await page.fill('#fl-cat', 'Partner orders');
  await page.selectOption('#fl-mech', 'file_transfer');
  await page.uncheck('#fl-enc');
  await clickAndWait(page, page.getByRole('button', { name: 'Add data flow' }));
  assert.match(await page.locator('body').innerText(), /Data flow F-\d+ added/);
  const diagram = page.locator('#flows svg.flow-diagram');
  assert.equal(await diagram.count(), 1);
  assert.match(await diagram.innerHTML(), /Partner orders/);
  assert.equal(await diagram.locator('g.flow.unencrypted').count(), 1);
  assert.match(await page.locator('ul.flows').first().innerText(), /Customer account records/);
  await page.locator('#flows').scrollIntoViewIfNeeded();
  await shots.take(page, 'asset-with-flow');
  // The whole-scope diagram on the data-flow page.
  await clickAndWait(page, page.getByRole('link', { name: 'Diagram of the whole scope' }));
  assert.equal(pathOf(page), '/o/northwind/data-flows');
  const scope = page.locator('svg.flow-diagram');
  assert.equal(await scope.count(), 1);
  assert.ok((await scope.locator('g.flow.unencrypted').count()) >= 2, 'demo and new unencrypted flows');
  assert.match(await page.locator('table.flow-table').innerText(), /Partner orders/);
  await shots.take(page, 'data-flows');
  // The same drawing on its own, at full size (as the API serves it).
  const res = await page.request.get('/api/v1/orgs/northwind/data-flow-diagram');
  assert.match(res.headers()['content-type'], /^image\/svg\+xml/);
  const svg = await res.text();
  await page.goto('about:blank');
  await page.setContent(`<!doctype html><body style="margin:0">${svg}</body>`);
  await shots.take(page, 'scope-diagram');
});

test('two ticked assets are bulk edited', async () => {
  await page.goto('/o/northwind/assets?q=laptop');
  const rows = page.locator('table.asset-table tbody tr');
  assert.ok((await rows.count()) >= 3);
  await rows.nth(0).locator('input[name="ids"]').check();
  await rows.nth(1).locator('input[name="ids"]').check();
  await page.fill('#b-add', 'fleet-2027');
  await page.selectOption('#b-scope', 'out');
  await shots.take(page, 'bulk-form');
  await clickAndWait(page, page.getByRole('button', { name: 'Apply to ticked assets' }));
  assert.match(await page.locator('body').innerText(), /2 assets changed/);
  await page.goto('/o/northwind/assets?tag=fleet-2027');
  assert.equal(await page.locator('table.asset-table tbody tr').count(), 2);
  const scope = await page.locator('table.asset-table tbody td:nth-child(8)').allInnerTexts();
  assert.deepEqual(scope, ['Out', 'Out']);
});

test('a risk is linked to the asset and shows on its page', async () => {
  await page.goto('/o/northwind/risks');
  await clickAndWait(page, page.locator('table.risk-table a', { hasText: 'R-001' }));
  const before = await page.inputValue('#r-assets');
  await page.fill('#r-assets', before ? `${before}, ${reference}` : reference);
  await clickAndWait(page, page.getByRole('button', { name: 'Save risk' }));
  assert.match(await page.locator('p.linked-assets').innerText(), new RegExp(NAME));
  await page.goto(assetPath);
  assert.match(await page.locator('#risks').innerText(), /R-001/);
  await page.locator('#risks').scrollIntoViewIfNeeded();
  await shots.take(page, 'asset-risks');
  // Bad reference on the risk form: named, nothing saved.
  await page.goto('/o/northwind/risks');
  await clickAndWait(page, page.locator('table.risk-table a', { hasText: 'R-002' }));
  await page.fill('#r-assets', 'A-99999');
  await clickAndWait(page, page.getByRole('button', { name: 'Save risk' }));
  assert.match(await page.locator('.errors').innerText(), /assets/);
});

test('a viewer sees the asset, its flows and diagram, but no forms', async () => {
  const { page: v } = await newPage(browser, server.url);
  await signIn(v, DEMO.viewer);
  await v.goto(assetPath);
  assert.equal(await v.locator('svg.flow-diagram').count(), 1);
  assert.equal(await v.locator('form[action^="/o/northwind/assets"]').count(), 0);
  assert.match(await v.locator('dl.details').innerText(), /Partner SFTP/);
  await shots.take(v, 'viewer');
  await v.goto('/o/northwind/assets');
  assert.equal(await v.locator('input[name="ids"]').count(), 0);
  await v.context().close();
});
