// The document register (7.5): Northwind's register with overdue reviews flagged; a
// contributor creates the acceptable use policy from a template (filled with the
// organisation's data), edits and submits it; the ISMS manager approves it; the approved
// version is frozen. Also the changes between two versions of a demo document.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, signOut, startServer } from './helpers.mjs';

let server;
let browser;
let page;
const shots = new Shots('18-documents');
let docPath;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  ({ page } = await newPage(browser, server.url));
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the register lists the demo documents and flags overdue reviews', async () => {
  await signIn(page, DEMO.contributor);
  await page.goto('/o/northwind');
  await clickAndWait(page, page.locator('nav.side').getByRole('link', { name: 'Documents' }));
  assert.equal(pathOf(page), '/o/northwind/documents');
  const main = await page.locator('main').innerText();
  assert.match(main, /2 documents are past their review date/);
  assert.match(main, /Information security policy/);
  assert.match(main, /Retired/);
  await shots.take(page, 'register');
  await clickAndWait(page, page.getByRole('link', { name: 'Show overdue reviews' }));
  assert.equal(await page.locator('table.data tbody tr').count(), 2);
  assert.equal(await page.locator('table.data .pill.bad', { hasText: 'overdue' }).count(), 2);
  await shots.take(page, 'register-overdue');
});

test('a contributor creates a policy from a template, edits and submits it', async () => {
  await page.goto('/o/northwind/documents');
  await page.selectOption('#n-template', 'acceptable-use');
  await clickAndWait(page, page.getByRole('button', { name: 'Create draft' }));
  assert.match(pathOf(page), /^\/o\/northwind\/documents\/[0-9a-f-]+\/versions\/1$/);
  assert.match(await page.locator('.flash').innerText(), /DOC-015 created as a draft/);
  const text = await page.inputValue('#v-content');
  assert.match(text, /Northwind Cloud Ltd/, 'filled with the organisation name');
  assert.match(text, /\(ISMS manager\)/, 'filled with the role holder');
  await shots.take(page, 'new-from-template');
  await page.fill('#v-content', `${text.trimEnd()}\n\n## 8. Northwind specifics\n\n- Customer data never leaves the production account.\n`);
  await page.fill('#v-note', 'Northwind specifics added');
  await clickAndWait(page, page.getByRole('button', { name: 'Save draft' }));
  assert.match(await page.locator('.flash').innerText(), /Version 1 saved/);
  assert.match(await page.locator('.doc-body').innerText(), /Customer data never leaves the production account/);
  await clickAndWait(page, page.getByRole('button', { name: 'Submit for approval' }));
  assert.match(await page.locator('.flash').innerText(), /submitted for approval/);
  assert.match(await page.locator('h1').first().innerText(), /In review/);
  assert.equal(await page.getByRole('button', { name: /Approve version/ }).count(), 0, 'a contributor cannot approve');
  assert.equal(await page.locator('#v-content').count(), 0, 'no editor while in review');
  docPath = pathOf(page).replace(/\/versions\/1$/, '');
  await shots.take(page, 'submitted');
  await signOut(page);
});

test('the ISMS manager approves it; the approved version is frozen', async () => {
  await signIn(page, DEMO.ismsManager);
  await page.goto(docPath);
  assert.match(await page.locator('.notice', { hasText: 'Version 1 is in review' }).innerText(), /Open version 1/);
  await clickAndWait(page, page.getByRole('link', { name: 'Open version 1' }));
  await shots.take(page, 'to-approve');
  await clickAndWait(page, page.getByRole('button', { name: 'Approve version 1' }));
  assert.match(await page.locator('.flash').innerText(), /approved; it is now in force and frozen/);
  assert.match(await page.locator('h1').first().innerText(), /Approved/);
  assert.match(await page.locator('main').innerText(), /approved and frozen; start a new version to change it/);
  assert.equal(await page.locator('#v-content').count(), 0, 'no editor on an approved version');
  await shots.take(page, 'approved-frozen');
  await page.goto(docPath);
  assert.match(await page.locator('h1').first().innerText(), /DOC-015 Acceptable use of information and assets\s+Approved/);
  assert.match(await page.locator('section.panel h2', { hasText: 'In force' }).innerText(), /In force: version 1/);
  assert.match(await page.locator('main').innerText(), /next review \d{4}-\d{2}-\d{2}/);
  await shots.take(page, 'document');
});

test('the changes between two versions of a demo document', async () => {
  await page.goto('/o/northwind/documents?kind=policy');
  await clickAndWait(page, page.getByRole('link', { name: 'DOC-001' }));
  await clickAndWait(page, page.getByRole('link', { name: 'Compare versions' }));
  const diff = await page.locator('pre.diff').innerText();
  assert.match(diff, /\+ ## Change history/);
  assert.ok(await page.locator('pre.diff .add').count() > 0);
  await shots.take(page, 'diff');
});
