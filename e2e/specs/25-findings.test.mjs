// Findings and corrective actions: the ISMS manager raises a minor nonconformity and adds
// a corrective action with a five-whys analysis, owned by a contributor; the owner marks
// it implemented, tries to close the finding early (refused, with the reason shown) and
// cannot verify their own action; the internal auditor verifies it effective; the finding
// is closed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, signOut, startServer, uniq } from './helpers.mjs';

let server;
let browser;
let page;
const shots = new Shots('25-findings');
const TITLE = `Access reviews skipped ${uniq()}`;
let findingPath = '';
let actionPath = '';

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

test('the register shows the demo findings with counts by grade', async () => {
  await page.goto('/o/northwind');
  await clickAndWait(page, page.locator('nav.side').getByRole('link', { name: 'Findings', exact: true }));
  assert.equal(pathOf(page), '/o/northwind/findings');
  assert.ok((await page.locator('table.findings-table tbody tr').count()) >= 8);
  assert.match(await page.locator('#counts').innerText(), /Major nonconformity/);
  await shots.take(page, 'register');
});

test('raise a minor nonconformity', async () => {
  await clickAndWait(page, page.getByRole('link', { name: 'Raise a finding' }));
  await page.selectOption('#n-source', 'internal_audit');
  await page.selectOption('#n-grade', 'minor_nc');
  await page.fill('#n-ref', '5.18');
  await page.fill('#n-title', TITLE);
  await page.fill('#n-description', 'The quarterly access review of the finance system was not done in Q3.');
  await page.fill('#n-evidence', 'Access review records for Q1 to Q3.');
  await clickAndWait(page, page.getByRole('button', { name: 'Raise finding' }));
  findingPath = pathOf(page);
  assert.match(findingPath, /^\/o\/northwind\/findings\/[0-9a-f-]{36}$/);
  assert.match(await page.locator('.flash').innerText(), /F-\d{3} raised/);
  assert.match(await page.locator('main').innerText(), /A\.5\.18/);
});

test('add a corrective action with five whys', async () => {
  await page.fill('#a-title', 'Calendar the quarterly access reviews');
  await page.fill('#a-correction', 'Q3 review done late, two stale accounts removed.');
  await page.selectOption('#a-method', 'five_whys');
  await page.fill('input[name=why1]', 'Why was the review skipped?');
  await page.fill('input[name=answer1]', 'The reviewer was on leave.');
  await page.fill('input[name=why2]', 'Why did nobody else do it?');
  await page.fill('input[name=answer2]', 'No deputy was named.');
  await page.fill('#a-root', 'The access review has a single named reviewer and no deputy.');
  await page.fill('#a-description', 'Name a deputy and put the reviews into the team calendar.');
  await page.selectOption('#a-owner', { label: 'Tom Becker' });
  await page.fill('#a-due', '2099-12-31');
  await clickAndWait(page, page.getByRole('button', { name: 'Add corrective action' }));
  actionPath = pathOf(page);
  assert.match(actionPath, /^\/o\/northwind\/corrective-actions\/[0-9a-f-]{36}$/);
  const main = await page.locator('main').innerText();
  assert.match(main, /No deputy was named/);
  assert.match(main, /Planned/);
  await shots.take(page, 'action');
  await page.goto(findingPath);
  assert.match(await page.locator('main').innerText(), /Action planned/);
});

test('the owner implements it, cannot close the finding early or verify their own action', async () => {
  await signOut(page);
  await signIn(page, DEMO.contributor);
  await page.goto(actionPath);
  await page.selectOption('#e-status', 'implemented');
  await clickAndWait(page, page.getByRole('button', { name: 'Save' }));
  assert.match(await page.locator('.flash').innerText(), /implemented/);
  // Closing the nonconformity now is refused with the reason.
  await page.goto(findingPath);
  await page.selectOption('#c-status', 'closed');
  await clickAndWait(page, page.locator('#change').getByRole('button', { name: 'Save' }));
  const refusal = await page.locator('.errors').innerText();
  assert.match(refusal, /status/);
  assert.match(refusal, /verified effective/);
  await shots.take(page, 'close-refused');
  // The owner's own verification is refused.
  await page.goto(actionPath);
  await page.selectOption('#v-result', 'effective');
  await clickAndWait(page, page.getByRole('button', { name: 'Record verification' }));
  assert.match(await page.locator('.errors').innerText(), /owner of an action cannot verify/);
});

test('the internal auditor verifies it effective and the finding is closed', async () => {
  await signOut(page);
  await signIn(page, DEMO.internalAuditor);
  await page.goto(actionPath);
  await page.selectOption('#v-result', 'effective');
  await page.fill('#v-note', 'Q4 review done on time by the deputy.');
  await clickAndWait(page, page.getByRole('button', { name: 'Record verification' }));
  assert.match(await page.locator('.flash').innerText(), /verified effective/);
  await shots.take(page, 'verified');
  await page.goto(findingPath);
  assert.match(await page.locator('main').innerText(), /Verifying/);
  await page.selectOption('#c-status', 'closed');
  await page.fill('#c-note', 'Reviews now run with a deputy.');
  await clickAndWait(page, page.locator('#change').getByRole('button', { name: 'Save' }));
  assert.match(await page.locator('.flash').innerText(), /closed/);
  assert.match(await page.locator('main').innerText(), /Closed/);
  await shots.take(page, 'closed');
});
