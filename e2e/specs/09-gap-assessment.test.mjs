// The gap assessment: answer part of the questionnaire, leave, come back, finish, and
// read the results; compare two assessments.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, startServer } from './helpers.mjs';

let server;
let browser;
let page;
const shots = new Shots('09-gap');
let assessmentPath;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  ({ page } = await newPage(browser, server.url));
  await signIn(page, 'admin@northwind.example');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const progress = async () => {
  const text = await page.locator('p.progress-line').innerText();
  const m = text.match(/(\d+) of (\d+) answered/);
  return [Number(m[1]), Number(m[2])];
};

test('Bluefin has an assessment in progress; answer an item with the keyboard', async () => {
  await page.goto('/o/bluefin');
  await clickAndWait(page, page.locator('nav.side').getByRole('link', { name: 'Gap assessment' }));
  await shots.take(page, 'list');
  await clickAndWait(page, page.locator('table.data tbody tr').first().getByRole('link').first());
  assessmentPath = new URL(page.url()).pathname;
  const [answered, total] = await progress();
  assert.equal(total, 123);
  assert.ok(answered > 0 && answered < total, `${answered}/${total}`);
  await shots.take(page, 'questionnaire');
  // The first unanswered item: pick levels with the keyboard and press Save.
  const item = page.locator('li.gap-item:not(.answered)').first();
  const id = await item.getAttribute('id');
  await item.locator('select[name=current]').focus();
  await page.keyboard.press('ArrowDown'); // 0 Absent
  await page.keyboard.press('ArrowDown'); // 1 Initial
  await item.locator('select[name=target]').selectOption('3');
  await clickAndWait(page, item.getByRole('button', { name: 'Save and go to the next' }));
  assert.match(await page.locator('.flash').innerText(), /^Saved /);
  assert.equal((await progress())[0], answered + 1);
  assert.ok(await page.locator(`#${id}`).evaluate((el) => el.classList.contains('answered')));
  // The page opened at the next unanswered item with its first field focused.
  const hash = new URL(page.url()).hash.slice(1);
  assert.ok(hash.startsWith('item-'), page.url());
  await page.waitForFunction(() => document.activeElement?.name === 'current');
});

test('a target below the current level is refused, naming the field', async () => {
  const item = page.locator('li.gap-item:not(.answered)').first();
  await item.locator('select[name=current]').selectOption('4');
  await item.locator('select[name=target]').selectOption('2');
  const resp = await clickAndWait(page, item.getByRole('button', { name: 'Save and go to the next' }));
  assert.equal(resp.status(), 422);
  assert.match(await page.locator('.errors').innerText(), /target/);
  await shots.take(page, 'refused');
});

test('leave, come back, and finish the remaining items area by area', async () => {
  await page.goto('/o/bluefin');
  await page.goto(assessmentPath);
  const [before] = await progress();
  assert.ok(before > 0);
  for (let guard = 0; guard < 130; guard += 1) {
    const open = page.locator('li.gap-item:not(.answered)');
    if ((await open.count()) === 0) break;
    const item = open.first();
    await item.locator('select[name=current]').selectOption('2');
    await item.locator('select[name=target]').selectOption('3');
    await clickAndWait(page, item.getByRole('button', { name: 'Save and go to the next' }));
  }
  assert.deepEqual(await progress(), [123, 123]);
  await clickAndWait(page, page.getByRole('button', { name: 'Mark as completed' }));
  assert.match(pathOf(page), /\/results$/);
});

test('the results show the chart, the areas and the gaps by priority', async () => {
  assert.match(await page.locator('h1').innerText(), /^Results: /);
  assert.equal(await page.locator('svg.chart rect.current').count(), 9); // 8 areas + legend
  assert.equal(await page.locator('section.panel table.data').first().locator('tbody tr').count(), 8);
  assert.ok((await page.getByRole('heading', { name: 'Gaps by priority' }).count()) === 1);
  await shots.take(page, 'results');
  // The PDF link downloads a PDF named after the organisation.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'PDF' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'bluefin-gap-report.pdf');
  const chunks = [];
  for await (const c of await download.createReadStream()) chunks.push(c);
  const pdf = Buffer.concat(chunks);
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  assert.ok(pdf.length > 10000, `PDF of ${pdf.length} bytes`);
});

test('Northwind compares its initial assessment with the pre-certification check', async () => {
  await page.goto('/o/northwind/gap');
  const initial = page.locator('table.data tbody tr', { hasText: 'Initial gap assessment' });
  await clickAndWait(page, initial.getByRole('link', { name: 'Results' }));
  await shots.take(page, 'northwind-initial-results');
  const option = await page.locator('#cmp option', { hasText: 'Pre-certification check' }).getAttribute('value');
  await page.selectOption('#cmp', option);
  await clickAndWait(page, page.getByRole('button', { name: 'Compare' }));
  assert.match(await page.locator('h1').innerText(), /Initial gap assessment.*Pre-certification check/);
  assert.ok((await page.locator('td.up').count()) > 0);
  await shots.take(page, 'compare');
});

test('the certification timeline shows the phases, the earliest Stage 2 and a Gantt chart', async () => {
  await page.goto('/o/northwind/gap');
  await clickAndWait(page, page.getByRole('link', { name: 'Certification timeline' }));
  assert.equal(pathOf(page), '/o/northwind/gap/timeline');
  assert.match(await page.locator('.big-number').innerText(), /^\d{4}-\d{2}-\d{2}$/);
  assert.ok((await page.locator('svg.gantt rect.bar').count()) >= 5);
  assert.equal(await page.locator('svg.gantt line.today').count(), 1);
  const before = await page.locator('.big-number').innerText();
  await page.fill('#t-sites', '4');
  await clickAndWait(page, page.getByRole('button', { name: 'Recalculate' }));
  assert.notEqual(await page.locator('.big-number').innerText(), before);
  await shots.take(page, 'timeline');
});

test('the roadmap shows the generated tasks, the late one in red, and lets a task be closed', async () => {
  await page.goto('/o/northwind');
  await clickAndWait(page, page.locator('nav.side').getByRole('link', { name: 'Roadmap' }));
  assert.equal(pathOf(page), '/o/northwind/roadmap');
  assert.ok((await page.locator('table.data tbody tr').count()) > 3);
  assert.ok((await page.locator('tr.late-row').count()) >= 1);
  assert.ok((await page.locator('svg.gantt rect.bar.late').count()) >= 1);
  await shots.take(page, 'roadmap');
  await clickAndWait(page, page.locator('tr.late-row a').first());
  await page.selectOption('#e-status', 'done');
  await clickAndWait(page, page.getByRole('button', { name: 'Save task' }));
  assert.match(await page.locator('.flash').innerText(), /saved/);
  // Bluefin's results offer tasks for its gaps.
  await page.goto('/o/bluefin/gap');
  await clickAndWait(page, page.locator('table.data tbody tr').first().getByRole('link', { name: 'Results' }));
  await clickAndWait(page, page.getByRole('button', { name: 'Add tasks for the open gaps' }));
  assert.equal(pathOf(page), '/o/bluefin/roadmap');
  assert.match(await page.locator('.flash').innerText(), /tasks added|already has a task/);
});
