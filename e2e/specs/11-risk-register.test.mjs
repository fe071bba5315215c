// The risk register: open Risks from the navigation and read the heat maps, add a risk
// (an unknown Annex A control is refused, naming controls[0]), plan a treatment task,
// rate the risk after treatment and mark it treated, accept the residual risk (an empty
// rationale is refused), and see the risk in both heat maps and in the register listed
// for its residual cell. Counts are relative to whatever the demo register holds.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, startServer } from './helpers.mjs';

let server;
let browser;
let page;
const shots = new Shots('11-risk-register');

const TITLE = 'Ransomware encrypts the file server';
const INHERENT_CELL = 'inherent:4:5';
const RESIDUAL_CELL = 'residual:2:4';

// State carried from test to test (one page, one risk).
let inherentBefore = 0;
let riskPath = '';
let reference = '';
let residualLevel = '';

/** YYYY-MM-DD of a local date. */
function isoDate(d) {
  return [d.getFullYear(), String(d.getMonth() + 1).padStart(2, '0'), String(d.getDate()).padStart(2, '0')].join('-');
}

/** Today plus `months` months (well inside the three years an acceptance may run). */
function monthsAhead(months) {
  const d = new Date();
  d.setDate(1); // avoid 31 Jan + 1 month rolling over into March
  d.setMonth(d.getMonth() + months);
  d.setDate(Math.min(new Date().getDate(), 28));
  return isoDate(d);
}

/** The link of a heat-map cell ("inherent:L:I" or "residual:L:I") on the Risks page. */
function cellLink(cell) {
  return page.locator(`svg.matrix-chart a[href*="cell=${cell}#"]`);
}

/** The number shown in a heat-map cell; 0 when the cell has no link (no risks). */
async function cellCount(cell) {
  const link = cellLink(cell);
  if ((await link.count()) === 0) return 0;
  const text = (await link.locator('text.count').textContent()).trim();
  return text === '' ? 0 : Number(text);
}

/** The panel of the risk page with the given heading. */
function panel(heading) {
  return page.locator('section.panel', { has: page.getByRole('heading', { name: heading, exact: true }) });
}

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

test('Risks opens from the navigation with two heat maps and the register', async () => {
  await page.goto('/o/northwind');
  await clickAndWait(page, page.locator('nav.side').getByRole('link', { name: 'Risks', exact: true }));
  assert.equal(pathOf(page), '/o/northwind/risks');
  assert.equal(await page.locator('h1').innerText(), 'Risks');
  const charts = page.locator('svg.matrix-chart');
  assert.equal(await charts.count(), 2, 'one heat map before and one after treatment');
  assert.equal(await panel('Before treatment').locator('svg.matrix-chart').count(), 1);
  assert.equal(await panel('After treatment').locator('svg.matrix-chart').count(), 1);
  for (const name of ['CSV', 'XLSX', 'PDF', 'Risk treatment plan (PDF)']) {
    assert.equal(await page.getByRole('link', { name, exact: true }).count(), 1, `export link ${name}`);
  }
  assert.equal(await page.locator('#f-status').count(), 1, 'register filters');
  inherentBefore = await cellCount(INHERENT_CELL);
  await shots.take(page, 'risks-before');
});

test('add a risk: an unknown control is refused, then the risk is added as Critical', async () => {
  await clickAndWait(page, page.getByRole('link', { name: 'Add a risk' }));
  assert.equal(pathOf(page), '/o/northwind/risks/new');
  await page.getByLabel('Risk', { exact: true }).fill(TITLE);
  await page.getByLabel('Threat').fill('Ransomware');
  await page.getByLabel('Vulnerability').fill('File shares writable by every account');
  await page.getByLabel('Description').fill('A phishing e-mail drops ransomware that encrypts the shared drives.');
  await page.getByLabel('Owner', { exact: true }).selectOption({ label: 'Priya Raman' });
  await page.getByLabel('Likelihood before treatment').selectOption('4');
  await page.getByLabel('Impact before treatment').selectOption('5');
  await page.getByLabel('Treatment', { exact: true }).selectOption('modify');
  await page.getByLabel('Controls that treat it').fill('9.99');
  await clickAndWait(page, page.getByRole('button', { name: 'Add risk' }));
  assert.equal(pathOf(page), '/o/northwind/risks', 'the form is shown again');
  assert.equal(await page.locator('.errors code', { hasText: 'controls[0]' }).count(), 1);
  assert.equal(await page.locator('#r-controls').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.inputValue('#r-title'), TITLE, 'typed text kept');
  assert.equal(await page.inputValue('#r-il'), '4');
  assert.equal(await page.inputValue('#r-ii'), '5');
  assert.equal(await page.inputValue('#r-treat'), 'modify');
  await shots.take(page, 'unknown-control');

  await page.getByLabel('Controls that treat it').fill('8.7, 8.13');
  await clickAndWait(page, page.getByRole('button', { name: 'Add risk' }));
  assert.match(pathOf(page), /^\/o\/northwind\/risks\/[0-9a-f-]{36}$/);
  riskPath = pathOf(page);
  const flash = await page.locator('.flash').innerText();
  const m = /(R-\d+) added: Critical before treatment\./.exec(flash);
  assert.ok(m, `flash: ${flash}`);
  reference = m[1];
  assert.equal(await page.locator('h1').innerText(), `${reference} ${TITLE}`);
  assert.match(await panel('Before treatment').locator('.big-level').innerText(), /Critical/);
  assert.match(await panel('Before treatment').innerText(), /Likelihood 4 × impact 5/);
  assert.match(await panel('After treatment').innerText(), /Not rated yet/);
  assert.match(await panel('Acceptance').innerText(), /Not accepted/);
  assert.equal(await page.inputValue('#r-controls'), '8.7, 8.13');
  assert.equal(await page.locator('#r-owner option:checked').innerText(), 'Priya Raman');
  await shots.take(page, 'risk-added');
});

test('plan a treatment task with a due date', async () => {
  const due = monthsAhead(2);
  await page.getByLabel('New task').fill('Immutable off-site backups of the file server');
  await page.locator('#t-owner').fill('Priya Raman');
  await page.getByLabel('Due').fill(due);
  await clickAndWait(page, page.getByRole('button', { name: 'Add task' }));
  assert.equal(pathOf(page), riskPath);
  assert.match(await page.locator('.flash').innerText(), /Treatment task "Immutable off-site backups of the file server" added\./);
  const plan = panel('Treatment plan');
  const row = plan.locator('tbody tr', { hasText: 'Immutable off-site backups' });
  assert.equal(await row.count(), 1);
  assert.match(await row.innerText(), new RegExp(due));
  assert.match(
    await row.getByRole('link', { name: 'Immutable off-site backups of the file server' }).getAttribute('href'),
    /^\/o\/northwind\/roadmap\/[0-9a-f-]+$/,
  );
  await shots.take(page, 'task-added');
});

test('rate the risk after treatment and mark it treated', async () => {
  await page.getByLabel('Likelihood after treatment').selectOption('2');
  await page.getByLabel('Impact after treatment').selectOption('4');
  await page.getByLabel('Status').selectOption('treated');
  await clickAndWait(page, page.getByRole('button', { name: 'Save risk' }));
  assert.equal(pathOf(page), riskPath);
  assert.equal(await page.locator('.flash').innerText(), `${reference} saved.`);
  const after = panel('After treatment');
  assert.match(await after.innerText(), /Likelihood 2 × impact 4/);
  residualLevel = (await after.locator('.big-level').innerText()).trim();
  assert.ok(['Low', 'Medium', 'High', 'Critical'].includes(residualLevel), `residual level: ${residualLevel}`);
  assert.notEqual(residualLevel, 'Critical', 'treatment lowered the risk');
  assert.match(await page.locator('h1 + p.muted').innerText(), /^Treated/);
  assert.equal(await page.inputValue('#r-status'), 'treated');
  await shots.take(page, 'treated');
});

test('accept the residual risk: a rationale is required, then it is accepted until a date', async () => {
  const until = monthsAhead(6);
  await page.getByLabel('Why it is acceptable').fill('');
  await page.getByLabel('Accepted until').fill(until);
  await clickAndWait(page, page.getByRole('button', { name: 'Accept risk' }));
  assert.equal(await page.locator('.errors code', { hasText: 'rationale' }).count(), 1);
  assert.equal(await page.locator('#a-why').getAttribute('aria-invalid'), 'true');
  assert.match(await panel('Acceptance').innerText(), /Not accepted/);
  await shots.take(page, 'acceptance-error');

  await page.goto(riskPath);
  await page
    .getByLabel('Why it is acceptable')
    .fill('Immutable backups restore the file server within a day; the board accepts the remaining exposure.');
  await page.getByLabel('Accepted until').fill(until);
  await clickAndWait(page, page.getByRole('button', { name: 'Accept risk' }));
  assert.equal(pathOf(page), riskPath);
  assert.equal(await page.locator('.flash').innerText(), `${reference} accepted at ${residualLevel} until ${until}.`);
  const acceptance = await panel('Acceptance').innerText();
  assert.match(acceptance, new RegExp(`${residualLevel} accepted by .+ on \\d{4}-\\d{2}-\\d{2}, until ${until}\\.`));
  assert.match(acceptance, /Immutable backups restore the file server/);
  assert.match(await page.locator('h1 + p.muted').innerText(), /^Accepted/);
  await shots.take(page, 'accepted');
});

test('both heat maps show the risk, and its residual cell lists it in the register', async () => {
  await clickAndWait(page, page.locator('nav.side').getByRole('link', { name: 'Risks', exact: true }));
  assert.equal(pathOf(page), '/o/northwind/risks');
  assert.equal(await cellCount(INHERENT_CELL), inherentBefore + 1, 'inherent cell 4 × 5 counts the new risk');
  assert.equal(await panel('Before treatment').locator(`a[href*="cell=${INHERENT_CELL}#"]`).count(), 1);
  const residual = panel('After treatment').locator(`a[href*="cell=${RESIDUAL_CELL}#"]`);
  assert.equal(await residual.count(), 1, 'residual cell 2 × 4 has risks');
  assert.ok((await cellCount(RESIDUAL_CELL)) >= 1);
  await shots.take(page, 'heat-maps');

  await clickAndWait(page, residual);
  assert.equal(pathOf(page), `/o/northwind/risks?cell=${RESIDUAL_CELL}`);
  assert.match(await page.locator('#register').innerText(), new RegExp(`Heat-map cell ${RESIDUAL_CELL}`));
  const row = page.locator('table.risk-table tbody tr', { hasText: TITLE });
  assert.equal(await row.count(), 1);
  const cells = row.locator('td');
  assert.equal(await cells.nth(0).innerText(), reference);
  assert.match(await cells.nth(1).innerText(), /A\.8\.7\s+A\.8\.13/);
  assert.equal(await cells.nth(2).innerText(), 'Priya Raman');
  assert.match(await cells.nth(3).innerText(), /Critical/);
  assert.match(await cells.nth(5).innerText(), new RegExp(residualLevel));
  assert.match(await cells.nth(6).innerText(), /Accepted/);
  // Every risk listed sits in that residual cell, so none is rated Critical after treatment.
  for (const text of await page.locator('table.risk-table tbody tr td:nth-child(6)').allInnerTexts()) {
    assert.match(text, new RegExp(residualLevel));
  }
  await shots.take(page, 'residual-cell');

  await clickAndWait(page, row.getByRole('link', { name: reference }));
  assert.equal(pathOf(page), riskPath);
});
