// Measurements (9.1): the overview has a row per demo objective with a sparkline and its
// target; an objective's page draws the full trend chart on the server (points, dashed
// target, dated axis); adding a value through the form adds a point; a control check
// recorded here becomes the control's last check on the controls page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, startServer } from './helpers.mjs';

let server;
let browser;
let page;
const shots = new Shots('23-measurements');

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

test('the overview lists every objective with its latest value, target and sparkline', async () => {
  await page.goto('/o/northwind');
  await clickAndWait(page, page.locator('nav.side').getByRole('link', { name: 'Measurements', exact: true }));
  assert.equal(pathOf(page), '/o/northwind/measurements');
  const rows = page.locator('#objectives table tbody tr');
  assert.ok((await rows.count()) >= 5, 'the demo objectives');
  assert.ok((await page.locator('#objectives svg.sparkline').count()) >= 5);
  assert.ok((await page.locator('#controls svg.result-strip').count()) >= 5, 'control check strips');
  assert.ok((await page.locator('.pill.ok', { hasText: 'on target' }).count()) >= 1);
  await shots.take(page, 'overview');
});

test('add a value to an objective and see it in the chart', async () => {
  await clickAndWait(page, page.locator('#objectives table tbody tr', { hasText: 'awareness training' }).locator('a').first());
  assert.match(pathOf(page), /^\/o\/northwind\/measurements\/objective\/[0-9a-f-]{36}$/);
  const chart = page.locator('svg.trend-chart');
  assert.equal(await chart.count(), 1);
  const before = await chart.locator('circle.point').count();
  assert.ok(before >= 12, `a year of points, got ${before}`);
  assert.equal(await chart.locator('line.target[stroke-dasharray]').count(), 1, 'the dashed target');
  await page.fill('#m-value', '97.5');
  await page.fill('#m-note', 'Training platform report');
  await clickAndWait(page, page.getByRole('button', { name: 'Add measurement' }));
  assert.match(await page.locator('.flash').innerText(), /recorded/);
  assert.equal(await page.locator('svg.trend-chart circle.point').count(), before + 1);
  assert.match(await page.locator('#history').innerText(), /97\.5/);
  await shots.take(page, 'objective');
  // A value in the future is refused, naming the field.
  await page.fill('#m-on', '2099-01-01');
  await page.fill('#m-value', '99');
  await clickAndWait(page, page.getByRole('button', { name: 'Add measurement' }));
  assert.equal(await page.locator('#m-on[aria-invalid="true"]').count(), 1);
});

test('a control check recorded here becomes the control\'s last check', async () => {
  await page.goto('/o/northwind/measurements/control/5.15');
  assert.equal(await page.locator('svg.result-strip rect').count() >= 12, true);
  await page.selectOption('#m-result', 'fail');
  await page.fill('#m-note', 'Three leavers still had access');
  await clickAndWait(page, page.getByRole('button', { name: 'Add measurement' }));
  assert.match(await page.locator('.flash').innerText(), /recorded/);
  await shots.take(page, 'control');
  await page.goto('/o/northwind/controls/5.15');
  const text = await page.locator('main').innerText();
  assert.match(text, /Not effective/i);
  assert.match(text, /Three leavers still had access/);
});
