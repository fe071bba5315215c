// Controls as implemented: open Controls from the navigation and read the counts per
// status, filter the register (planned and overdue), record how a control that was not
// started is implemented (a half-filled form is refused, naming the field), and find it
// in the register under its new status with its owner. Counts are read from the page
// before and after, so the spec does not depend on the exact demo numbers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, startServer } from './helpers.mjs';

let server;
let browser;
let page;
const shots = new Shots('16-controls');
const CONTROL = '5.4';
let partlyBefore = 0;

/** YYYY-MM-DD `days` from today. */
function daysAhead(days) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  return [d.getFullYear(), String(d.getMonth() + 1).padStart(2, '0'), String(d.getDate()).padStart(2, '0')].join('-');
}

/** The number on the chip of a status. */
async function chipCount(status) {
  const chip = page.locator(`ul.status-chips a[data-status="${status}"]`);
  return Number((await chip.locator('strong').innerText()).trim());
}

/** The register's rows as { ref, status } from the first and third columns. */
async function rows() {
  return page.locator('table.controls-table tbody tr').evaluateAll((trs) =>
    trs.map((tr) => ({ ref: tr.cells[0].innerText.trim(), title: tr.cells[1].innerText.trim(), status: tr.cells[2].innerText.trim(), owner: tr.cells[3].innerText.trim() })),
  );
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

test('open Controls from the navigation and read the counts', async () => {
  await page.goto('/o/northwind');
  await clickAndWait(page, page.locator('nav.side a', { hasText: /^Controls$/ }));
  assert.equal(pathOf(page), '/o/northwind/controls');
  assert.equal(await page.locator('nav.side a[aria-current="page"]').innerText(), 'Controls');
  assert.ok((await chipCount('implemented')) >= 30, 'the demo implements at least 30 controls');
  partlyBefore = await chipCount('partially_implemented');
  assert.ok(partlyBefore >= 12);
  const all = await rows();
  assert.equal(all[0].ref, 'A.5.1');
  assert.ok(all.some((r) => r.ref === 'NW-01'), 'own controls are listed after Annex A');
  assert.ok(await page.locator('svg.status-bar').isVisible());
  await shots.take(page, 'register');
});

test('filter: planned, then overdue', async () => {
  await page.selectOption('#f-status', 'planned');
  await clickAndWait(page, page.getByRole('button', { name: 'Filter' }));
  const planned = await rows();
  assert.ok(planned.length >= 3);
  assert.ok(planned.every((r) => r.status === 'Planned'), JSON.stringify(planned));
  await page.selectOption('#f-status', '');
  await page.selectOption('#f-flag', 'overdue');
  await clickAndWait(page, page.getByRole('button', { name: 'Filter' }));
  const overdue = await rows();
  assert.ok(overdue.some((r) => r.ref === 'A.5.5'), JSON.stringify(overdue));
  assert.ok(overdue.every((r) => /overdue/.test(r.title)));
  await shots.take(page, 'overdue');
  await clickAndWait(page, page.getByRole('link', { name: 'Clear filters' }));
  assert.equal(pathOf(page), '/o/northwind/controls');
});

test("record a control's implementation", async () => {
  await clickAndWait(page, page.locator('table.controls-table a', { hasText: `A.${CONTROL}` }).first());
  assert.equal(pathOf(page), `/o/northwind/controls/${CONTROL}`);
  assert.match(await page.locator('h1').innerText(), /A\.5\.4 Management responsibilities/);
  assert.match(await page.locator('main').innerText(), /Not started/);
  // Partly implemented without saying how: refused, the field named.
  await page.selectOption('#c-status', 'partially_implemented');
  await page.selectOption('#c-owner', { label: 'Priya Raman' });
  await clickAndWait(page, page.getByRole('button', { name: 'Save' }));
  assert.match(await page.locator('.errors').innerText(), /implementation/);
  await page.fill('#c-impl', 'Managers brief their teams on the security policy at onboarding; the yearly refresher is being added to the management objectives.');
  await page.fill('#c-due', daysAhead(60));
  await page.fill('#c-mon', 'Yearly check that every manager has held the briefing.');
  await page.selectOption('#c-freq', 'yearly');
  await page.check('#cl-5\\.1');
  await page.check('#cl-7\\.3');
  await clickAndWait(page, page.getByRole('button', { name: 'Save' }));
  assert.equal(pathOf(page), `/o/northwind/controls/${CONTROL}`);
  assert.match(await page.locator('.flash').innerText(), /A\.5\.4 saved: partially implemented/);
  const main = await page.locator('main').innerText();
  assert.match(main, /Partially implemented/);
  assert.match(main, /Managers brief their teams/);
  assert.ok(await page.locator('#cl-5\\.1').isChecked());
  await shots.take(page, 'control');
});

test('see it in the register under its new status', async () => {
  await page.goto('/o/northwind/controls');
  assert.equal(await chipCount('partially_implemented'), partlyBefore + 1);
  await clickAndWait(page, page.locator('ul.status-chips a[data-status="partially_implemented"]'));
  const partly = await rows();
  const mine = partly.find((r) => r.ref === `A.${CONTROL}`);
  assert.ok(mine, JSON.stringify(partly));
  assert.equal(mine.owner, 'Priya Raman');
  assert.ok(partly.every((r) => r.status === 'Partially implemented'));
  await shots.take(page, 'partly-implemented');
});
