// The dashboard: the ISMS manager opens Northwind and sees every picture drawn (three
// readiness gauges, the certification timeline with today's line, the risk heat map),
// follows each tile's links to the records behind it, and the administrator creates a
// new organisation whose dashboard shows what to do first without broken pictures.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, Shots, clickAndWait, launchBrowser, newPage, pathOf, signIn, startServer, uniq } from './helpers.mjs';

let server;
let browser;
let page;
const shots = new Shots('30-dashboard');

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

/** The number of drawn shapes inside an SVG (0 when it is missing or empty). */
async function shapes(locator) {
  if ((await locator.count()) === 0) return 0;
  return locator.evaluate((svg) => svg.querySelectorAll('path, rect, line, circle, text').length);
}

test('the Northwind dashboard draws the gauges, the timeline and the heat map', async () => {
  await page.goto('/o/northwind');
  assert.equal(await page.locator('main h1').textContent(), DEMO.orgs.northwind);
  assert.equal(await page.locator('nav.side a[aria-current="page"]').innerText(), 'Dashboard');

  const gauges = page.locator('#readiness a.gauge-tile');
  assert.equal(await gauges.count(), 3);
  const hrefs = await gauges.evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(hrefs, ['/o/northwind/readiness/stage1', '/o/northwind/readiness/stage2', '/o/northwind/readiness/surveillance']);
  for (let i = 0; i < 3; i += 1) {
    const svg = gauges.nth(i).locator('svg.gauge');
    assert.ok((await shapes(svg)) >= 3, `gauge ${i} is drawn`);
    assert.match(await svg.getAttribute('aria-label'), /readiness|audit/i);
    assert.match(await gauges.nth(i).locator('.counts').innerText(), /\d+ failed · \d+ blockers? · \d+ warnings?/);
  }

  const gantt = page.locator('#timeline svg.gantt');
  assert.ok((await shapes(gantt)) > 5, 'the timeline is drawn');
  assert.equal(await gantt.locator('line.today').count(), 1, "today's line");
  assert.ok((await gantt.locator('rect.bar').count()) >= 4, 'certificate and audits');
  assert.match(await gantt.innerHTML(), /Certificate MC-ISMS-26-0142/);

  const heat = page.locator('#heat-map svg.matrix-chart');
  assert.ok((await heat.locator('rect').count()) >= 9, 'the heat map has its cells');
  assert.ok((await heat.locator('a').count()) >= 1, 'cells with risks are links');

  await shots.take(page, 'northwind');
});

test("each tile's links lead to the records behind it", async () => {
  // Every link of the deadline, overdue, nonconformity and SoA tiles opens a page.
  for (const tile of ['#deadlines', '#overdue', '#nonconformities', '#soa-status', '#timeline']) {
    const links = await page.locator(`${tile} a`).evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.ok(links.length >= 1, `${tile} has links`);
    for (const href of links) {
      const res = await page.request.get(href);
      assert.equal(res.status(), 200, `${tile}: ${href}`);
    }
  }
  // The first deadline opens its record.
  const first = page.locator('#deadlines ul.dash-list a').first();
  const href = await first.getAttribute('href');
  await clickAndWait(page, first);
  assert.equal(pathOf(page), href);
  await page.goBack();

  // An open nonconformity opens the finding.
  const nc = page.locator('#nonconformities ul.dash-list a').first();
  const ref = (await nc.innerText()).split(' ')[0];
  await clickAndWait(page, nc);
  assert.match(pathOf(page), /^\/o\/northwind\/findings\//);
  assert.match(await page.locator('main h1').innerText(), new RegExp(ref));
  await page.goto('/o/northwind');

  // A heat-map cell opens the register filtered to that cell.
  const cell = page.locator('#heat-map svg a').first();
  const cellHref = await cell.getAttribute('href');
  assert.match(cellHref, /\/o\/northwind\/risks\?cell=inherent:\d+:\d+#register/);
  await clickAndWait(page, cell);
  assert.match(pathOf(page), /^\/o\/northwind\/risks\?cell=inherent:\d+:\d+/);
  assert.ok((await page.locator('#register tbody tr, table.data tbody tr').count()) >= 1);
  await page.goto('/o/northwind');

  // The SoA tile opens the version it counts.
  await clickAndWait(page, page.locator('#soa-status').getByRole('link', { name: 'Open the SoA' }));
  assert.match(pathOf(page), /^\/o\/northwind\/soa\/\d+$/);
});

test('a new organisation shows what to do first and no broken picture', async () => {
  const admin = await newPage(browser, server.url);
  await signIn(admin.page, DEMO.admin);
  await admin.page.goto('/orgs');
  const name = `Kestrel ${uniq()}`;
  await admin.page.fill('#org-name', name);
  await admin.page.fill('#org-employees', '12');
  await clickAndWait(admin.page, admin.page.getByRole('button', { name: 'Create organisation' }));
  assert.match(pathOf(admin.page), /^\/o\/kestrel-/);
  assert.equal(await admin.page.locator('main h1').textContent(), name);
  assert.match(await admin.page.locator('#first-steps').innerText(), /Run a gap assessment/);
  assert.equal(await admin.page.locator('#readiness svg.gauge').count(), 3);
  for (const svg of await admin.page.locator('#readiness svg.gauge').all()) {
    assert.ok((await shapes(svg)) >= 2);
  }
  const gantt = admin.page.locator('#timeline svg.gantt');
  assert.ok((await shapes(gantt)) > 5, 'the projected plan is drawn');
  assert.equal(await gantt.locator('line.today').count(), 1);
  assert.equal(await admin.page.locator('#heat-map svg').count(), 0, 'no empty heat map');
  assert.match(await admin.page.locator('#heat-map').innerText(), /No approved risk method yet/);
  assert.match(await admin.page.locator('#deadlines').innerText(), /Nothing falls due/);
  // Every img-like picture has a size (nothing collapsed or broken).
  const sizes = await admin.page.locator('main svg').evaluateAll((ss) => ss.map((s) => s.getBoundingClientRect().width));
  assert.ok(sizes.every((w) => w > 50), `svg widths ${sizes}`);
  await shots.take(admin.page, 'new-organisation');
  await admin.context.close();
});
