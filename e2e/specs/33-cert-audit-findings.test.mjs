// Findings from the certification body: the ISMS manager opens Northwind's Stage 2 audit
// (CBA-002) and sees the minor nonconformity Meridian raised, with its deadline and status;
// records a new finding from that audit (source and audit filled in, the day taken from the
// audit); a nonconformity without the body's deadline is refused with the field named;
// with it, the finding joins the register; a corrective action left without a due date is
// due by that deadline; and the audit page lists both findings.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, startServer } from './helpers.mjs';

let server;
let browser;
let page;
const shots = new Shots('33-cert-audit-findings');

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

const findingsPanel = () => page.locator('#findings');

test('the Stage 2 audit lists the finding Meridian raised, with its deadline', async () => {
  await page.goto('/o/northwind/certification');
  await clickAndWait(page, page.getByRole('link', { name: 'CBA-002', exact: true }));
  assert.match(await page.locator('h1').innerText(), /CBA-002 Stage 2/);
  const row = findingsPanel().locator('tbody tr', { hasText: 'Access reviews not recorded for the billing system' });
  assert.equal(await row.count(), 1);
  const cells = await row.locator('td').allInnerTexts();
  assert.equal(cells[1], 'Minor nonconformity');
  assert.equal(cells[2], 'A.5.18');
  assert.equal(cells[4], '2026-05-20');
  assert.equal(cells[5], 'Closed');
  await findingsPanel().scrollIntoViewIfNeeded();
  await shots.take(page, 'stage2-findings');
});

test('a finding from the audit asks for the body deadline and passes it to its action', async () => {
  await clickAndWait(page, page.getByRole('link', { name: 'Record a finding from CBA-002' }));
  assert.match(pathOf(page), /^\/o\/northwind\/findings\/new\?source=certification_audit&source_id=/);
  assert.match(await page.getByTestId('from-cert-audit').innerText(), /From CBA-002 Stage 2 by Meridian Certification Ltd/);
  assert.equal(await page.inputValue('#n-source'), 'certification_audit');
  assert.equal(await page.inputValue('#n-on'), '2026-02-19', 'raised on the last day of the audit');
  assert.match(await page.locator('label[for="n-deadline"]').innerText(), /Deadline set by the certification body/);
  await page.selectOption('#n-grade', 'minor_nc');
  await page.fill('#n-ref', 'A.8.15');
  await page.fill('#n-title', 'Log review not evidenced for the payment gateway');
  await page.fill('#n-description', 'Logs are collected, but no review of the payment gateway logs was recorded.');
  await clickAndWait(page, page.getByRole('button', { name: 'Raise finding', exact: true }));
  assert.match(await page.locator('.errors').innerText(), /deadline\s+is required for a nonconformity from a certification audit/);
  assert.equal(await page.locator('#n-deadline[aria-invalid="true"]').count(), 1);
  assert.equal(await page.inputValue('#n-title'), 'Log review not evidenced for the payment gateway', 'the form keeps what was typed');
  await shots.take(page, 'deadline-required');

  await page.fill('#n-deadline', '2027-01-29');
  await clickAndWait(page, page.getByRole('button', { name: 'Raise finding', exact: true }));
  assert.match(pathOf(page), /^\/o\/northwind\/findings\/[0-9a-f-]{36}$/);
  assert.match(await page.locator('.flash').innerText(), /F-\d{3} raised/);
  const facts = await page.locator('dl.facts').first().innerText();
  assert.match(facts, /Certification audit: CBA-002/);
  assert.match(facts, /Deadline\s+2027-01-29/);
  assert.match(await page.locator('#new-action').innerText(), /Left blank: the finding's deadline, 2027-01-29\./);

  await page.fill('#a-title', 'Weekly review of the payment gateway logs, recorded');
  await clickAndWait(page, page.getByRole('button', { name: 'Add corrective action', exact: true }));
  assert.match(await page.locator('.flash').innerText(), /CA-\d{3} planned/);
  assert.match(await page.locator('dl.facts').first().innerText(), /Due\s+2027-01-29/);
  await shots.take(page, 'action-due-by-deadline');
});

test('the audit page lists both findings of the audit', async () => {
  await page.goto('/o/northwind/certification/audits/CBA-002');
  const rows = findingsPanel().locator('tbody tr');
  assert.equal(await rows.count(), 2);
  const row = rows.filter({ hasText: 'Log review not evidenced' });
  const cells = await row.locator('td').allInnerTexts();
  assert.equal(cells[4], '2027-01-29');
  assert.equal(cells[5], 'Action planned');
  await findingsPanel().scrollIntoViewIfNeeded();
  await shots.take(page, 'both-findings');
});
