// Internal audit: the internal auditor plans a missing item in the programme and sees its
// hole disappear, plans an audit whose team member works in an audited area (refused,
// then accepted with a recorded justification), starts it, answers the checklist,
// completes it and downloads the report.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, startServer, uniq } from './helpers.mjs';

let server;
let browser;
let page;
let auditPath = '';
const shots = new Shots('24-internal-audit');
const TITLE = `Access control audit ${uniq()}`;
const today = new Date().toISOString().slice(0, 10);

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  ({ page } = await newPage(browser, server.url, { acceptDownloads: true }));
  await signIn(page, DEMO.internalAuditor);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('planning an unplanned item takes it off the holes', async () => {
  await page.goto('/o/northwind');
  await clickAndWait(page, page.locator('nav.side').getByRole('link', { name: 'Internal audit', exact: true }));
  assert.equal(pathOf(page), '/o/northwind/audits');
  assert.ok((await page.locator('table.data tbody tr').count()) >= 2, 'the demo audits');
  await clickAndWait(page, page.locator('nav.tabs').getByRole('link', { name: 'Programme' }));
  assert.equal(pathOf(page), '/o/northwind/audits/programme');
  const heading = await page.locator('#holes h2').innerText();
  const before = Number(heading.match(/Not planned: (\d+)/)[1]);
  assert.ok(before >= 1, 'the demo programme leaves a few holes');
  const hole = (await page.locator('#holes code.hole').first().innerText()).trim();
  await shots.take(page, 'programme-holes');
  await page.fill('#e-item', hole);
  await clickAndWait(page, page.getByRole('button', { name: 'Plan', exact: true }));
  assert.match(await page.locator('.flash').innerText(), new RegExp(`${hole.replace('.', '\\.')} planned`));
  const after = Number((await page.locator('#holes h2').innerText()).match(/Not planned: (\d+)/)[1]);
  assert.equal(after, before - 1);
  const left = await page.locator('#holes code.hole').allInnerTexts();
  assert.ok(!left.map((s) => s.trim()).includes(hole), `${hole} is no longer a hole`);
  await shots.take(page, 'programme-planned');
});

test('an auditor who works in an audited area is refused without a justification', async () => {
  await page.goto('/o/northwind/audits');
  await page.fill('#n-title', TITLE);
  await page.fill('#n-scope', '9.2.2 A.5.15');
  await page.fill('#n-start', today);
  await page.fill('#n-end', today);
  await page.selectOption('#n-lead', { label: 'Grace Okafor' });
  await page.locator('#plan fieldset').first().getByLabel('Tom Becker').check();
  await page.locator('#plan fieldset').nth(1).getByLabel('Engineering and operations').check();
  await clickAndWait(page, page.getByRole('button', { name: 'Plan audit' }));
  const errors = await page.locator('.errors').innerText();
  assert.match(errors, /team/);
  assert.match(errors, /Tom Becker owns the area Engineering and operations/);
  await shots.take(page, 'independence-refused');
  // The form keeps what was entered; a justification makes it acceptable.
  assert.equal(await page.inputValue('#n-title'), TITLE);
  await page.fill('#n-just', 'Tom audits only the access control records; Grace audits Engineering herself.');
  await clickAndWait(page, page.getByRole('button', { name: 'Plan audit' }));
  auditPath = pathOf(page);
  assert.match(auditPath, /^\/o\/northwind\/audits\/[0-9a-f-]{36}$/);
  assert.match(await page.locator('.flash').innerText(), /AUD-\d{4}-\d{2} planned/);
  const ind = await page.locator('#independence').innerText();
  assert.match(ind, /Tom Becker owns the area Engineering and operations/);
  assert.match(ind, /Tom audits only the access control records/);
  await shots.take(page, 'audit-planned');
});

test('start the audit, answer its checklist and complete it', async () => {
  await clickAndWait(page, page.getByRole('button', { name: 'Start the audit' }));
  assert.match(await page.locator('#checklist h2').innerText(), /0 of 2 answered/);
  const cards = page.locator('#checklist article.card');
  assert.equal(await cards.count(), 2);
  // 9.2.2: nonconforming, with notes.
  await cards.nth(0).locator('select[name=result]').selectOption('nonconforming');
  await cards.nth(0).locator('textarea[name=notes]').fill('The programme leaves three controls unplanned.');
  await cards.nth(0).locator('input[name=evidence_note]').fill('Audit programme page, today');
  await clickAndWait(page, cards.nth(0).getByRole('button', { name: 'Save' }));
  assert.match(await page.locator('#checklist h2').innerText(), /1 of 2 answered/);
  // A nonconformity offers to raise a finding (the findings register links it back).
  const raise = page.locator('#checklist article.card').nth(0).getByRole('link', { name: 'Raise a finding' });
  const href = await raise.getAttribute('href');
  assert.match(href, /^\/o\/northwind\/findings\/new\?source=internal_audit&source_id=[0-9a-f-]{36}&reference=9\.2\.2&grade=minor_nc&/);
  await page.locator('#checklist article.card').nth(1).locator('select[name=result]').selectOption('conforming');
  await clickAndWait(page, page.locator('#checklist article.card').nth(1).getByRole('button', { name: 'Save' }));
  assert.match(await page.locator('#checklist h2').innerText(), /2 of 2 answered/);
  await shots.take(page, 'checklist');
  await clickAndWait(page, page.getByRole('button', { name: 'Complete the audit' }));
  assert.match(await page.locator('.flash').innerText(), /is now completed/);
  assert.match(await page.locator('dl.facts').innerText(), /Completed/);
  await shots.take(page, 'completed');
});

test('download the audit report', async () => {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Report (PDF)' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^northwind-AUD-\d{4}-\d{2}\.pdf$/);
  const chunks = [];
  for await (const c of await download.createReadStream()) chunks.push(c);
  assert.equal(Buffer.concat(chunks).subarray(0, 4).toString('latin1'), '%PDF');
});
