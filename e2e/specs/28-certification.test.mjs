// Certification: the ISMS manager opens Northwind's certification page (certified in March
// 2026, first surveillance year), sees the certificate, the cycle dates and that the plan
// keeps every rule; moves the first surveillance past the 12-month limit and sees the
// breach named; plans a special audit (a bad date is refused with the field named); and
// checks the auditor-days estimate for another head count.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, startServer } from './helpers.mjs';

let server;
let browser;
let page;
const shots = new Shots('28-certification');

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

test('the certificate, its cycle and a plan that keeps the rules', async () => {
  await page.goto('/o/northwind');
  await clickAndWait(page, page.locator('nav.side').getByRole('link', { name: 'Certification', exact: true }));
  assert.equal(pathOf(page), '/o/northwind/certification');
  const main = await page.locator('main').innerText();
  assert.match(main, /MC-ISMS-26-0142/);
  assert.match(await page.getByTestId('certificate-state').innerText(), /Valid until 2029-03-10/);
  assert.match(main, /2027-03-10\s+Latest date for the first surveillance audit/);
  assert.match(main, /2029-09-10\s+Last day a lapsed certificate can be restored/);
  assert.match(await page.getByTestId('cycle-ok').innerText(), /keep every cycle rule/);
  assert.equal(await page.locator('table.data a', { hasText: /^CBA-00\d$/ }).count(), 5);
  await shots.take(page, 'overview');
});

test('a first surveillance after 12 months is named as a breach', async () => {
  await clickAndWait(page, page.getByRole('link', { name: 'CBA-003', exact: true }));
  assert.match(await page.locator('h1').innerText(), /CBA-003 Surveillance 1/);
  await page.fill('#a-ps', '2027-04-12');
  await page.fill('#a-pe', '2027-04-14');
  await clickAndWait(page, page.getByRole('button', { name: 'Save', exact: true }));
  assert.match(await page.locator('.flash').innerText(), /CBA-003 saved/);
  await page.goto('/o/northwind/certification');
  const warnings = await page.getByTestId('cycle-warnings').innerText();
  assert.match(warnings, /Breach The first surveillance audit \(2027-04-12\) is later than 12 months/);
  assert.match(warnings, /must be held by 2027-03-10/);
  await shots.take(page, 'breach');
  // Put it back.
  await clickAndWait(page, page.getByRole('link', { name: 'CBA-003', exact: true }));
  await page.fill('#a-ps', '2027-02-08');
  await page.fill('#a-pe', '2027-02-10');
  await clickAndWait(page, page.getByRole('button', { name: 'Save', exact: true }));
  await page.goto('/o/northwind/certification');
  assert.equal(await page.getByTestId('cycle-warnings').count(), 0);
});

test('plan a special audit; a bad date is refused with the field named', async () => {
  await clickAndWait(page, page.getByRole('link', { name: 'Plan an audit', exact: true }));
  await page.selectOption('#a-kind', 'special');
  await page.fill('#a-days', '1');
  await page.fill('#a-ps', '2027-06-02');
  await page.fill('#a-pe', '2027-06-01');
  await page.fill('#a-scope', 'Scope extension to the Leeds office');
  await clickAndWait(page, page.getByRole('button', { name: 'Plan audit', exact: true }));
  const errors = await page.locator('.errors').innerText();
  assert.match(errors, /planned_end\s+is before the planned start/);
  assert.equal(await page.locator('#a-pe[aria-invalid="true"]').count(), 1);
  assert.equal(await page.inputValue('#a-scope'), 'Scope extension to the Leeds office', 'the form keeps what was typed');
  await shots.take(page, 'refused');
  await page.fill('#a-pe', '2027-06-02');
  await clickAndWait(page, page.getByRole('button', { name: 'Plan audit', exact: true }));
  assert.equal(pathOf(page), '/o/northwind/certification');
  assert.match(await page.locator('.flash').innerText(), /CBA-006 Special audit planned/);
});

test('the auditor-days estimate shows its inputs and the chart', async () => {
  await clickAndWait(page, page.getByRole('link', { name: 'Auditor-days estimate', exact: true }));
  assert.equal(await page.inputValue('#t-p'), '140', 'starts from the organisation size');
  let est = await page.getByTestId('estimate').innerText();
  assert.match(est, /Initial audit \(Stage 1 \+ Stage 2\)\s+13 days/);
  await page.fill('#t-p', '60');
  await clickAndWait(page, page.getByRole('button', { name: 'Estimate', exact: true }));
  est = await page.getByTestId('estimate').innerText();
  assert.match(est, /Initial audit \(Stage 1 \+ Stage 2\)\s+10 days/);
  assert.match(est, /Each surveillance audit \(about a third\)\s+3\.5 days/);
  assert.match(est, /Recertification \(about two thirds\)\s+7 days/);
  const chart = await page.locator('main').innerText();
  assert.match(chart, /1176–1550\s+19\.5\s+unverified/);
  await shots.take(page, 'estimate');
});
