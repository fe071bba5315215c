// Management review: the ISMS manager schedules a review and sees the inputs compiled
// from the registers, records a decision and an action (which becomes a roadmap task),
// marks the review held, approves it, sees it locked, and downloads the minutes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, startServer, uniq } from './helpers.mjs';

let server;
let browser;
let page;
const shots = new Shots('26-management-review');
const TITLE = `Management review ${uniq()}`;
const TODAY = new Date().toISOString().slice(0, 10);
let reviewPath = '';

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  ({ page } = await newPage(browser, server.url, { acceptDownloads: true }));
  await signIn(page, DEMO.ismsManager);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the demo has an approved review and a planned one', async () => {
  await page.goto('/o/northwind');
  await clickAndWait(page, page.locator('nav.side').getByRole('link', { name: 'Management review', exact: true }));
  assert.equal(pathOf(page), '/o/northwind/management-reviews');
  const list = await page.locator('#reviews').innerText();
  assert.match(list, /MR-001/);
  assert.match(list, /approved/);
  assert.match(list, /planned/);
});

test('schedule a review and see its compiled inputs', async () => {
  await page.fill('#r-title', TITLE);
  await page.fill('#r-planned', TODAY);
  await page.selectOption('#r-chair', { label: 'Daniel Moreau' });
  await clickAndWait(page, page.getByRole('button', { name: 'Schedule and compile inputs' }));
  reviewPath = pathOf(page);
  assert.match(reviewPath, /^\/o\/northwind\/management-reviews\/[0-9a-f-]{36}$/);
  assert.match(await page.locator('.flash').innerText(), /inputs were compiled as of/);
  const inputs = await page.locator('#inputs').innerText();
  assert.match(inputs, /9\.3\.2 a\) Status of actions from previous management reviews/);
  assert.match(inputs, /Budget a managed SIEM service/);
  assert.match(inputs, /Nonconformities and corrective actions/);
  assert.match(inputs, /overdue/);
  assert.match(inputs, /Opportunities for continual improvement/);
  assert.match(inputs, /Short awareness videos/);
  await shots.take(page, 'inputs');
});

test('record a decision and an action, mark held, approve, and see it locked', async () => {
  await page.fill('#note-d1', 'Access reviews need a deputy.');
  await page.fill('#m-decisions', 'Keep the ISMS scope; fund a deputy access reviewer.');
  await clickAndWait(page, page.getByRole('button', { name: 'Save record' }));
  assert.match(await page.locator('.flash').innerText(), /saved/);
  await page.fill('#x-description', 'Train a deputy access reviewer');
  await page.selectOption('#x-kind', 'task');
  await page.fill('#x-due', '2099-06-30');
  await clickAndWait(page, page.getByRole('button', { name: 'Add action' }));
  assert.match(await page.locator('.flash').innerText(), /roadmap task/);
  assert.ok(await page.locator('#actions').getByRole('link', { name: 'roadmap task' }).isVisible());
  await page.fill('#h-on', TODAY);
  await clickAndWait(page, page.getByRole('button', { name: 'Mark held' }));
  assert.match(await page.locator('.flash').innerText(), /marked held/);
  await clickAndWait(page, page.getByRole('button', { name: 'Approve and lock' }));
  assert.match(await page.locator('.flash').innerText(), /approved; the record is now locked/);
  const main = await page.locator('main').innerText();
  assert.match(main, /The record is locked/);
  assert.match(main, /fund a deputy access reviewer/);
  assert.equal(await page.locator('#x-description').count(), 0, 'no action form once approved');
  assert.equal(await page.getByRole('button', { name: 'Save record' }).count(), 0);
  await shots.take(page, 'approved');
});

test('download the minutes', async () => {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('a[href$="minutes?format=md"]').click(),
  ]);
  assert.match(download.suggestedFilename(), /^northwind-mr-\d{3}-minutes\.md$/);
  const path = await download.path();
  const { readFileSync } = await import('node:fs');
  const md = readFileSync(path, 'utf8');
  assert.match(md, new RegExp(TITLE));
  assert.match(md, /Access reviews need a deputy/);
  assert.match(md, /Train a deputy access reviewer/);
  const [pdf] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('a[href$="minutes?format=pdf"]').click(),
  ]);
  assert.match(pdf.suggestedFilename(), /\.pdf$/);
});
