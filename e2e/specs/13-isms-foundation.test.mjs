// The ISMS foundation (clauses 4–6): define and approve Bluefin's scope with a justified
// exclusion, record a climate-relevant issue, an interested party with a requirement, a
// role held by a member, and an objective that an approver signs off; the overview tells
// what is still missing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, startServer } from './helpers.mjs';

let server;
let browser;
let page;
const shots = new Shots('13-isms-foundation');

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

test('Northwind: overview, scope in force with a later draft, and the changes between them', async () => {
  await page.goto('/o/northwind');
  await clickAndWait(page, page.locator('nav.side').getByRole('link', { name: 'ISMS scope & context' }));
  assert.equal(pathOf(page), '/o/northwind/isms');
  assert.match(await page.locator('main').innerText(), /climate change is relevant/);
  await shots.take(page, 'northwind-overview');
  await clickAndWait(page, page.locator('nav.tabs').getByRole('link', { name: 'Scope' }));
  assert.match(await page.locator('section.panel h2').first().innerText(), /In force: version 1/);
  assert.match(await page.locator('.notice').innerText(), /Draft version 2/);
  await clickAndWait(page, page.getByRole('button', { name: 'Show changes' }));
  const changes = await page.locator('section.panel', { hasText: 'Changes from version 1 to version 2' }).innerText();
  assert.match(changes, /Leeds office/);
  await shots.take(page, 'northwind-scope');
  for (const tab of ['Context (issues)', 'Interested parties', 'Roles', 'Objectives', 'Policy']) {
    await clickAndWait(page, page.locator('nav.tabs').getByRole('link', { name: tab }));
    await shots.take(page, `northwind-${tab.split(' ')[0].toLowerCase()}`);
  }
});

test('Bluefin: an exclusion without a justification is refused, then the scope is approved', async () => {
  await page.goto('/o/bluefin/isms');
  assert.match(await page.locator('main').innerText(), /scope statement is still a draft/);
  assert.match(await page.locator('main').innerText(), /Not yet determined/);
  await shots.take(page, 'bluefin-overview');
  await clickAndWait(page, page.locator('nav.tabs').getByRole('link', { name: 'Scope' }));
  await clickAndWait(page, page.getByRole('link', { name: 'Open the draft' }));
  await page.fill('#f-locations', 'Gothenburg office\nRemote work in Sweden');
  await page.fill('input[name="interfaces[0].what"]', 'Hosting');
  await page.fill('input[name="interfaces[0].party"]', 'Azure (Sweden Central)');
  await page.fill('input[name="exclusions[0].what"]', 'Board meeting room equipment');
  await clickAndWait(page, page.getByRole('button', { name: 'Save draft' }));
  assert.match(await page.locator('.errors').innerText(), /exclusions\[0\]\.justification/);
  assert.equal(await page.inputValue('input[name="exclusions[0].what"]'), 'Board meeting room equipment', 'typed text kept');
  await shots.take(page, 'scope-exclusion-error');
  await page.fill('input[name="exclusions[0].justification"]', 'No information of clients is handled there');
  await clickAndWait(page, page.getByRole('button', { name: 'Save draft' }));
  assert.match(await page.locator('.flash').innerText(), /Draft saved/);
  await clickAndWait(page, page.getByRole('button', { name: 'Approve version 1' }));
  assert.equal(pathOf(page), '/o/bluefin/isms/scope');
  assert.match(await page.locator('section.panel h2').first().innerText(), /In force: version 1/);
  assert.match(await page.locator('main').innerText(), /Board meeting room equipment — reason: No information/);
  await shots.take(page, 'scope-approved');
});

test('Bluefin: a climate-relevant issue, a party with a requirement, a role with a person', async () => {
  await clickAndWait(page, page.locator('nav.tabs').getByRole('link', { name: 'Context (issues)' }));
  await page.selectOption('#f-kind', 'external');
  await page.selectOption('#f-category', 'environmental');
  await page.fill('#f-title', 'Summer heat affects the office and the cloud region');
  await page.check('input[name="climate_relevant"]');
  await clickAndWait(page, page.getByRole('button', { name: 'Add' }));
  assert.match(await page.locator('.errors').innerText(), /climate_note/);
  await page.fill('#f-climate', 'Longer heat waves can close the office; staff work from home');
  await clickAndWait(page, page.getByRole('button', { name: 'Add' }));
  assert.match(await page.locator('.flash').innerText(), /I-001/);
  assert.match(await page.locator('main').innerText(), /Determined: climate change is relevant/);
  await shots.take(page, 'issue-added');

  await clickAndWait(page, page.locator('nav.tabs').getByRole('link', { name: 'Interested parties' }));
  await page.fill('#f-name', 'Clients');
  await page.selectOption('#f-kind', 'customer');
  await page.fill('input[name="requirements[0].text"]', 'Data stays in the EU');
  await page.selectOption('select[name="requirements[0].source"]', 'contractual');
  await page.fill('input[name="requirements[0].reference"]', 'DPA 4.1');
  await page.check('input[name="requirements[0].addressed"]');
  await page.fill('input[name="requirements[0].how"]', 'Azure region in Sweden only');
  await clickAndWait(page, page.getByRole('button', { name: 'Add' }));
  assert.match(await page.locator('.flash').innerText(), /P-001/);
  assert.match(await page.locator('table.data').first().innerText(), /Data stays in the EU/);
  await shots.take(page, 'party-added');

  await clickAndWait(page, page.locator('nav.tabs').getByRole('link', { name: 'Roles' }));
  await page.fill('#f-title', 'ISMS manager');
  await page.fill('#f-resp', 'Runs the ISMS and reports on it to the board');
  await clickAndWait(page, page.getByRole('button', { name: 'Add' }));
  assert.match(await page.locator('.errors').innerText(), /person_id/);
  await page.selectOption('#f-person', { label: 'Sofia Lind' });
  await page.check('input[name="ensures_conformity"]');
  await page.check('input[name="reports_performance"]');
  await clickAndWait(page, page.getByRole('button', { name: 'Add' }));
  assert.match(await page.locator('table.data').first().innerText(), /Sofia Lind/);
  await shots.take(page, 'role-added');
});

test('Bluefin: an objective is added, approved, and the history shows it', async () => {
  await clickAndWait(page, page.locator('nav.tabs').getByRole('link', { name: 'Objectives' }));
  await page.fill('#f-title', 'All staff trained in security awareness');
  await page.selectOption('#f-owner', { label: 'Sofia Lind' });
  await page.fill('#f-due', '2027-06-30');
  await page.fill('#f-target', '100% of staff trained');
  await page.fill('#f-value', '100');
  await page.fill('#f-unit', '%');
  await page.fill('#f-metric', 'Share of staff with a completed course');
  await page.fill('#f-freq', 'monthly');
  await clickAndWait(page, page.getByRole('button', { name: 'Add' }));
  await clickAndWait(page, page.getByRole('link', { name: 'O-001' }));
  await clickAndWait(page, page.getByRole('button', { name: 'Approve objective' }));
  assert.match(await page.locator('.flash').innerText(), /O-001 approved/);
  assert.match(await page.locator('table.data').first().innerText(), /Approved/);
  assert.match(await page.locator('section.panel', { hasText: 'History' }).innerText(), /approved objective O-001/);
  await shots.take(page, 'objective-approved');
  await clickAndWait(page, page.locator('nav.tabs').getByRole('link', { name: 'Overview' }));
  const main = await page.locator('main').innerText();
  assert.doesNotMatch(main, /No role reports the performance/);
  await shots.take(page, 'bluefin-overview-after');
});

test('a viewer sees the records read-only', async () => {
  const { page: viewer } = await newPage(browser, server.url);
  await signIn(viewer, DEMO.viewer);
  await viewer.goto('/o/northwind/isms/issues');
  assert.equal(await viewer.locator('form[action="/o/northwind/isms/issues"]').count(), 0);
  await viewer.goto('/o/northwind/isms/scope');
  assert.equal(await viewer.getByRole('button', { name: 'Start draft' }).count(), 0);
  await shots.take(viewer, 'viewer-scope');
});
