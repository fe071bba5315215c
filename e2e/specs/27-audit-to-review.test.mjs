// From audit to management review, end to end: the internal auditor plans an audit,
// starts it, answers its checklist with a nonconformity, raises a minor nonconformity from
// the checklist item (the form arrives filled in), adds a corrective action; the owner
// implements it; the auditor verifies it effective and closes the finding; the audit
// shows the finding it raised; the ISMS manager schedules a management review whose
// compiled inputs include the audit's results, the measurements and the closed action.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, signOut, startServer, uniq } from './helpers.mjs';

let server;
let browser;
let page;
let auditPath = '';
let auditRef = '';
let findingPath = '';
let actionPath = '';
const shots = new Shots('27-audit-to-review');
const TITLE = `Supplier audit ${uniq()}`;
const NC = `Supplier reviews late ${uniq()}`;
const today = new Date().toISOString().slice(0, 10);

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  ({ page } = await newPage(browser, server.url));
  await signIn(page, DEMO.internalAuditor);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('plan an audit and run its checklist', async () => {
  await page.goto('/o/northwind/audits');
  await page.fill('#n-title', TITLE);
  await page.fill('#n-scope', '9.1 A.5.22');
  await page.fill('#n-start', today);
  await page.fill('#n-end', today);
  await page.selectOption('#n-lead', { label: 'Grace Okafor' });
  await clickAndWait(page, page.getByRole('button', { name: 'Plan audit' }));
  auditPath = pathOf(page);
  assert.match(auditPath, /^\/o\/northwind\/audits\/[0-9a-f-]{36}$/);
  auditRef = (await page.locator('.flash').innerText()).match(/AUD-\d{4}-\d{2}/)[0];
  await clickAndWait(page, page.getByRole('button', { name: 'Start the audit' }));
  const cards = page.locator('#checklist article.card');
  assert.equal(await cards.count(), 2);
  await cards.nth(0).locator('select[name=result]').selectOption('conforming');
  await clickAndWait(page, cards.nth(0).getByRole('button', { name: 'Save' }));
  await page.locator('#checklist article.card').nth(1).locator('select[name=result]').selectOption('nonconforming');
  await page.locator('#checklist article.card').nth(1).locator('textarea[name=notes]').fill('Two of five supplier reviews are more than three months late.');
  await clickAndWait(page, page.locator('#checklist article.card').nth(1).getByRole('button', { name: 'Save' }));
  assert.match(await page.locator('#checklist h2').innerText(), /2 of 2 answered/);
  await shots.take(page, 'checklist');
});

test('raise a minor nonconformity from the checklist item', async () => {
  await clickAndWait(page, page.locator('#checklist article.card').nth(1).getByRole('link', { name: 'Raise a finding' }));
  assert.match(pathOf(page), /^\/o\/northwind\/findings\/new\?source=internal_audit&/);
  assert.equal(await page.inputValue('#n-source'), 'internal_audit');
  assert.equal(await page.inputValue('#n-grade'), 'minor_nc');
  assert.equal(await page.inputValue('#n-ref'), '5.22');
  assert.match(await page.inputValue('#n-description'), /more than three months late/);
  await page.fill('#n-title', NC);
  await page.fill('#n-evidence', 'Supplier register, reviews of SUP-002 and SUP-005.');
  await shots.take(page, 'prefilled');
  await clickAndWait(page, page.getByRole('button', { name: 'Raise finding' }));
  findingPath = pathOf(page);
  assert.match(findingPath, /^\/o\/northwind\/findings\/[0-9a-f-]{36}$/);
  const main = await page.locator('main').innerText();
  assert.match(main, /A\.5\.22/);
  assert.match(main, new RegExp(auditRef));
});

test('add a corrective action; the owner implements it', async () => {
  await page.fill('#a-title', 'Calendar supplier reviews by criticality');
  await page.fill('#a-correction', 'Both late reviews done this week.');
  await page.selectOption('#a-method', 'five_whys');
  await page.fill('input[name=why1]', 'Why were the reviews late?');
  await page.fill('input[name=answer1]', 'Nobody tracked the due dates.');
  await page.fill('#a-root', 'Supplier review dates were not tracked anywhere.');
  await page.fill('#a-description', 'Track the next review date of every supplier and remind the owner a month ahead.');
  await page.selectOption('#a-owner', { label: 'Tom Becker' });
  await page.fill('#a-due', '2099-12-31');
  await clickAndWait(page, page.getByRole('button', { name: 'Add corrective action' }));
  actionPath = pathOf(page);
  assert.match(actionPath, /^\/o\/northwind\/corrective-actions\/[0-9a-f-]{36}$/);
  await signOut(page);
  await signIn(page, DEMO.contributor);
  await page.goto(actionPath);
  await page.selectOption('#e-status', 'implemented');
  await clickAndWait(page, page.getByRole('button', { name: 'Save' }));
  assert.match(await page.locator('.flash').innerText(), /implemented/);
});

test('the auditor verifies effectiveness and closes the nonconformity', async () => {
  await signOut(page);
  await signIn(page, DEMO.internalAuditor);
  await page.goto(findingPath);
  // Closing before the verification is refused.
  await page.selectOption('#c-status', 'closed');
  await clickAndWait(page, page.locator('#change').getByRole('button', { name: 'Save' }));
  assert.match(await page.locator('.errors').innerText(), /verified effective/);
  await page.goto(actionPath);
  await page.selectOption('#v-result', 'effective');
  await page.fill('#v-note', 'All supplier reviews now have dates; none late.');
  await clickAndWait(page, page.getByRole('button', { name: 'Record verification' }));
  assert.match(await page.locator('.flash').innerText(), /verified effective/);
  await page.goto(findingPath);
  await page.selectOption('#c-status', 'closed');
  await page.fill('#c-note', 'Effective: reviews tracked.');
  await clickAndWait(page, page.locator('#change').getByRole('button', { name: 'Save' }));
  assert.match(await page.locator('.flash').innerText(), /closed/);
  // The audit lists the finding it raised, now closed.
  await page.goto(auditPath);
  const raised = await page.locator('#findings-raised').innerText();
  assert.match(raised, new RegExp(NC));
  assert.match(raised, /Closed/);
  await shots.take(page, 'audit-findings');
});

test('a new management review compiles the audit results and measurements', async () => {
  await signOut(page);
  await signIn(page, DEMO.ismsManager);
  await page.goto('/o/northwind/management-reviews');
  await page.fill('#r-title', `Review after ${auditRef}`);
  await page.fill('#r-planned', today);
  await page.selectOption('#r-chair', { label: 'Daniel Moreau' });
  await clickAndWait(page, page.getByRole('button', { name: 'Schedule and compile inputs' }));
  const inputs = await page.locator('#inputs').innerText();
  assert.match(inputs, /Monitoring and measurement results/);
  assert.match(inputs, /subjects measured: \d+ on target, \d+ off target/);
  assert.match(inputs, /Audit results/);
  assert.match(inputs, new RegExp(`${auditRef}[\\s\\S]*1 conforming, 1 nonconforming`));
  assert.match(inputs, new RegExp(NC));
  await shots.take(page, 'review-inputs');
});
