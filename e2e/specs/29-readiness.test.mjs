// Readiness: the ISMS manager opens Readiness from the menu and sees Northwind's Stage 1
// profile pass (warnings only); switches to Stage 2, where failing rules come first with
// their reason and fix; clicking a record named by a failing rule opens that record. The
// consultant's gap-stage client (Bluefin) fails Stage 1 with the scope first to fix, and
// the report downloads as PDF.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, startServer } from './helpers.mjs';

let server;
let browser;
let page;
const shots = new Shots('29-readiness');

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

test('Stage 1 passes for the certified organisation', async () => {
  await page.goto('/o/northwind/members');
  await clickAndWait(page, page.locator('nav.side').getByRole('link', { name: 'Readiness', exact: true }));
  assert.equal(pathOf(page), '/o/northwind/readiness');
  assert.match(await page.locator('h2', { hasText: 'Stage 1 audit: score' }).innerText(), /score \d+\/100/);
  assert.match(await page.locator('#summary').innerText(), /No rule fails/);
  assert.equal(await page.locator('#open li.rule.rule-bad').count(), 0);
  assert.ok((await page.locator('#passed li.rule').count()) >= 6);
  await shots.take(page, 'stage1');
});

test('the ISMS manager sets how early the internal audit must be', async () => {
  await page.fill('#s-lead', '8');
  await clickAndWait(page, page.locator('#settings').getByRole('button', { name: 'Save' }));
  assert.equal(pathOf(page), '/o/northwind/readiness/stage1');
  assert.match(await page.locator('.flash').innerText(), /Readiness settings saved/);
  assert.equal(await page.inputValue('#s-lead'), '8');
  assert.match(await page.locator('#settings').innerText(), /less than 8 weeks before Stage 1/);
});

test('Stage 2 lists failing rules first and a link opens the record to fix', async () => {
  await clickAndWait(page, page.locator('nav.tabs').getByRole('link', { name: 'Stage 2 audit' }));
  assert.equal(pathOf(page), '/o/northwind/readiness/stage2');
  const first = page.locator('#open li.rule').first();
  assert.match(await first.getAttribute('class'), /bad/, 'a failure comes first');
  assert.match(await first.innerText(), /blocker/);
  const rule = page.locator('#rule-controls-evidenced');
  assert.match(await rule.innerText(), /Fix: Upload or link evidence/);
  await shots.take(page, 'stage2');
  const link = rule.locator('.rule-links a').first();
  const label = (await link.innerText()).trim();
  const href = await link.getAttribute('href');
  assert.match(href, /^\/o\/northwind\/controls\//);
  await clickAndWait(page, link);
  assert.equal(pathOf(page), href);
  assert.match(await page.locator('main h1').innerText(), new RegExp(label.replace(/\./g, '\\.')));
  await shots.take(page, 'control-to-fix');
});

test('the gap-stage client fails Stage 1 and the report downloads', async () => {
  const { page: admin } = await newPage(browser, server.url);
  await signIn(admin, DEMO.admin);
  await admin.goto('/o/bluefin/readiness/stage1');
  assert.match(await admin.locator('#summary').innerText(), /failing, \d+ blockers/);
  const scope = admin.locator('#rule-scope-defined');
  assert.match(await scope.innerText(), /blocker/);
  await shots.take(admin, 'bluefin-stage1');
  await clickAndWait(admin, scope.locator('.rule-links a').first());
  assert.equal(pathOf(admin), '/o/bluefin/isms/scope');
  await admin.goto('/o/bluefin/readiness/stage1');
  const [download] = await Promise.all([
    admin.waitForEvent('download'),
    admin.locator('#summary').getByRole('link', { name: 'PDF', exact: true }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'bluefin-readiness-stage1.pdf');
});
