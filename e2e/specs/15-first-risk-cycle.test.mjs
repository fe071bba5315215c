// A new organisation's first risk cycle, as a new user would run it: create the
// organisation, define and approve the ISMS scope (with a justified exclusion), approve a
// risk method, add two assets and a data flow between them, add a risk on those assets,
// treat it, accept the residual risk, and see it in both heat maps.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, startServer, uniq } from './helpers.mjs';

let server;
let browser;
let page;
const shots = new Shots('15-first-risk-cycle');
const ORG = `Harbour Freight ${uniq()}`;
let slug = '';
const assetRefs = [];
let riskPath = '';

/** YYYY-MM-DD six months ahead. */
function sixMonthsAhead() {
  const d = new Date();
  d.setDate(1);
  d.setMonth(d.getMonth() + 6);
  return [d.getFullYear(), String(d.getMonth() + 1).padStart(2, '0'), '15'].join('-');
}

function panel(heading) {
  return page.locator('section.panel', { has: page.getByRole('heading', { name: heading, exact: true }) });
}

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  ({ page } = await newPage(browser, server.url));
  await signIn(page, DEMO.admin);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('create the organisation', async () => {
  await page.goto('/orgs');
  await page.fill('#org-name', ORG);
  await page.fill('#org-employees', '60');
  await clickAndWait(page, page.getByRole('button', { name: 'Create organisation' }));
  slug = pathOf(page).split('/')[2];
  assert.match(pathOf(page), /^\/o\/[a-z0-9-]+$/);
  assert.match(await page.locator('.flash').innerText(), /You are its administrator/);
});

test('define the scope with a justified exclusion and approve it', async () => {
  await page.goto(`/o/${slug}/isms/scope`);
  await clickAndWait(page, page.getByRole('button', { name: 'Start draft' }));
  await page.fill('#f-statement', 'Planning and tracking of freight for customers, run from the Hull office.');
  await page.fill('#f-units', 'Operations\nIT');
  await page.fill('#f-locations', 'Hull office');
  await page.fill('#f-systems', 'Freight planner\nCustomer tracking portal');
  await page.fill('input[name="exclusions[0].what"]', 'Warehouse forklift telemetry');
  await page.fill('input[name="exclusions[0].justification"]', 'Run and owned by the landlord; no customer information');
  await clickAndWait(page, page.getByRole('button', { name: 'Save draft' }));
  assert.match(await page.locator('.flash').innerText(), /Draft saved/);
  await clickAndWait(page, page.getByRole('button', { name: 'Approve version 1' }));
  assert.equal(pathOf(page), `/o/${slug}/isms/scope`);
  assert.match(await page.locator('section.panel h2').first().innerText(), /In force: version 1/);
  assert.match(await page.locator('main').innerText(), /Warehouse forklift telemetry — reason: Run and owned by the landlord/);
  await shots.take(page, 'scope');
});

test('approve a 5 × 5 risk method', async () => {
  await page.goto(`/o/${slug}/risk-method`);
  await clickAndWait(page, page.getByRole('button', { name: 'Start draft' }));
  await clickAndWait(page, page.getByRole('button', { name: 'Approve version 1' }));
  await page.goto(`/o/${slug}/risk-method`);
  assert.match(await page.locator('main').innerText(), /version 1/i);
});

test('add two assets and an unencrypted data flow between them', async () => {
  for (const [name, type] of [['Freight planner', 'software'], ['Customer shipment records', 'information']]) {
    await page.goto(`/o/${slug}/assets/new`);
    await page.fill('#a-name', name);
    await page.selectOption('#a-type', type);
    await page.selectOption('#a-owner', { label: 'Amelia Hart' });
    await page.selectOption('#a-c', '3');
    await clickAndWait(page, page.getByRole('button', { name: 'Add asset' }));
    const h1 = await page.locator('h1').innerText();
    assert.match(h1, new RegExp(`^A-\\d{4} ${name}$`));
    assetRefs.push(h1.split(' ')[0]);
  }
  // From the records to the planner, by file transfer, not encrypted.
  await page.selectOption('#fl-dir', 'out');
  await page.fill('#fl-other', assetRefs[0]);
  await page.fill('#fl-cat', 'Shipment orders');
  await page.selectOption('#fl-mech', 'file_transfer');
  await page.uncheck('#fl-enc');
  await clickAndWait(page, page.getByRole('button', { name: 'Add data flow' }));
  assert.match(await page.locator('body').innerText(), /Data flow F-\d+ added/);
  const diagram = page.locator('#flows svg.flow-diagram');
  assert.match(await diagram.innerHTML(), /Shipment orders/);
  assert.equal(await diagram.locator('g.flow.unencrypted').count(), 1);
  await shots.take(page, 'asset-and-flow');
});

test('add a risk on both assets, treat it and accept the residual risk', async () => {
  await page.goto(`/o/${slug}/risks/new`);
  await page.getByLabel('Risk', { exact: true }).fill('Shipment orders read in transit');
  await page.getByLabel('Threat').fill('Interception of data in transit');
  await page.getByLabel('Vulnerability').fill('Unencrypted connections');
  await page.getByLabel('Owner', { exact: true }).selectOption({ label: 'Amelia Hart' });
  await page.getByLabel('Likelihood before treatment').selectOption('4');
  await page.getByLabel('Impact before treatment').selectOption('4');
  await page.getByLabel('Treatment', { exact: true }).selectOption('modify');
  await page.getByLabel('Controls that treat it').fill('8.24, 5.14');
  await page.fill('#r-assets', assetRefs.join(', '));
  await clickAndWait(page, page.getByRole('button', { name: 'Add risk' }));
  assert.match(pathOf(page), new RegExp(`^/o/${slug}/risks/[0-9a-f-]{36}$`));
  riskPath = pathOf(page);
  assert.match(await page.locator('p.linked-assets').innerText(), /Freight planner[\s\S]*Customer shipment records|Customer shipment records[\s\S]*Freight planner/);

  await page.getByLabel('Likelihood after treatment').selectOption('1');
  await page.getByLabel('Impact after treatment').selectOption('4');
  await page.getByLabel('Status').selectOption('treated');
  await clickAndWait(page, page.getByRole('button', { name: 'Save risk' }));
  assert.match(await panel('After treatment').innerText(), /Likelihood 1 × impact 4/);

  const until = sixMonthsAhead();
  await page.getByLabel('Why it is acceptable').fill('Transfers now run over SFTP; the remaining exposure is small and agreed with the board.');
  await page.getByLabel('Accepted until').fill(until);
  await clickAndWait(page, page.getByRole('button', { name: 'Accept risk' }));
  assert.equal(pathOf(page), riskPath);
  assert.match(await panel('Acceptance').innerText(), new RegExp(`accepted by Amelia Hart on \\d{4}-\\d{2}-\\d{2}, until ${until}\\.`));
  assert.match(await page.locator('h1 + p.muted').innerText(), /^Accepted/);
  await shots.take(page, 'risk-accepted');
});

test('both heat maps show the risk', async () => {
  await page.goto(`/o/${slug}/risks`);
  const before = panel('Before treatment').locator('a[href*="cell=inherent:4:4#"]');
  const after = panel('After treatment').locator('a[href*="cell=residual:1:4#"]');
  assert.equal((await before.locator('text.count').textContent()).trim(), '1');
  assert.equal((await after.locator('text.count').textContent()).trim(), '1');
  // Only one cell of each map has a risk.
  assert.equal(await panel('Before treatment').locator('svg.matrix-chart a').count(), 1);
  assert.equal(await panel('After treatment').locator('svg.matrix-chart a').count(), 1);
  await shots.take(page, 'heat-maps');
  await clickAndWait(page, after);
  assert.equal(await page.locator('table.risk-table tbody tr').count(), 1);
  assert.match(await page.locator('table.risk-table tbody tr').innerText(), /Shipment orders read in transit/);
  // The asset page lists the risk.
  await page.goto(`/o/${slug}/assets`);
  await clickAndWait(page, page.locator('table.asset-table a', { hasText: assetRefs[0] }));
  assert.match(await page.locator('#risks').innerText(), /R-001/);
});
